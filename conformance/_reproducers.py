"""Reproducer scripts: a failed check, replayed outside the kit in a few lines of Python.

A reproducer loads the plugin the way the run did, replays the plugin calls the check made or
relied on (with fresh names and the inputs written inline), judges them the way the check
judges them, prints the check id with what was expected and what happened, deletes what it
created, and exits 1 while the violation is there and 0 once it is gone.

How a check is judged is written down per check in :data:`RULES`: which of the recorded calls
it judges, and the script's test of them. Where a check's judgement depends on what a call
returned (what the kit does next, or which call it makes), the script's test makes those calls
itself, as the check did. A check judged from generated examples replays the shrunk failing
example; one judged from generated sequences replays the last (shrunk) sequence and judges
every step of it against a model of the contract. Any other check whose failure names a call
that raised is judged by that call: it must return (or, where the check wanted MlflowException,
raise one). What is left replays the calls and says whether the plugin still behaves as in the
failing run: a change, not proof of a fix, and the script says so.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import math
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conformance._catalogue import Check
from conformance._recording import WRITES, Call, scenario_label
from conformance._run_inputs import NO_MODEL

__all__ = [
    "RULES",
    "Deploying",
    "Judged",
    "Rule",
    "loading_owner",
    "reproducer_name",
    "reproducer_script",
]


@dataclass(frozen=True)
class Judged:
    """What a rule's test is written from: the judged calls and the names of their outcomes."""

    names: list[str]  # the outcome variable of each judged call, in the script
    calls: list[Call]  # the judged calls
    literal: Callable[[Any], str]  # a value as source (the run's token as the script's TOKEN)
    expected: Callable[[str], Any]  # exact predictions of a model URI on the sample input, or None
    message: str = ""  # the failure message
    notes: tuple[str, ...] = ()  # notes on the failure (hypothesis' falsifying example)


@dataclass(frozen=True)
class Rule:
    """How a check judges its calls: which calls, what it expects, and the script's test.

    ``pick`` returns the indices of the judged calls (the script replays every call up to the
    last of them); ``test`` returns a Python expression over the judged calls' outcomes that
    evaluates to None when the clause is kept and to a description of what happened otherwise.
    """

    expected: str
    pick: Callable[[list[Call]], list[int]]
    test: Callable[[Judged], str]
    # How many of the picked calls the script replays as they were made (with every call
    # before them); the test makes the others itself, since what the check did next depended
    # on what they returned. None: all of them.
    replays: int | None = None


# -- picking the judged calls ---------------------------------------------------------------------


def _indices(
    calls: list[Call], method: str, where: Callable[[Call], bool] | None = None
) -> list[int]:
    return [
        i
        for i, call in enumerate(calls)
        if call.method == method and call.copies == 1 and (where is None or where(call))
    ]


def _first(method: str, where: Callable[[Call], bool] | None = None) -> Callable[..., list[int]]:
    return lambda calls: _indices(calls, method, where)[:1]


def _last(method: str, where: Callable[[Call], bool] | None = None) -> Callable[..., list[int]]:
    return lambda calls: _indices(calls, method, where)[-1:]


def _every(method: str) -> Callable[..., list[int]]:
    return lambda calls: _indices(calls, method)


def _raises(code: str | None = None) -> Callable[[Judged], str]:
    return lambda j: f"must_raise({j.names[0]}, {code!r})"


def _name(call: Call) -> Any:
    """The name a call is about: its first argument."""
    return call.args[0] if call.args else None


def _keyword(call: Call, key: str, position: int) -> Any:
    """An argument given by keyword or at ``position``."""
    if key in call.kwargs:
        return call.kwargs[key]
    return call.args[position] if len(call.args) > position else None


def _both(first: list[int], second: list[int]) -> list[int]:
    """Both picks, or nothing when either is missing."""
    return first + second if first and second else []


def _about(name: Any) -> Callable[[Call], bool]:
    """Calls about ``name``."""

    def about(call: Call) -> bool:
        return _name(call) == name

    return about


def _whole_listing(call: Call) -> bool:
    """A listing of every deployment, not of one endpoint's."""
    return not call.args and not call.kwargs


def _flavor_only(call: Call) -> bool:
    return _keyword(call, "model_uri", 1) is None and bool(_keyword(call, "flavor", 2))


def _config_only(call: Call) -> bool:
    return _keyword(call, "model_uri", 1) is None and not _keyword(call, "flavor", 2)


def _made_for(scenario: str) -> Callable[[Call], bool]:
    label = scenario_label(scenario)
    return lambda call: call.made_for == label


def _after(calls: list[Call], start: int, method: str, where: Callable[[Call], bool]) -> int | None:
    return next((i for i in _indices(calls, method, where) if i > start), None)


def _before(calls: list[Call], end: int, method: str, where: Callable[[Call], bool]) -> int | None:
    found = [i for i in _indices(calls, method, where) if i < end]
    return found[-1] if found else None


def _last_predict_and_the_one_before_the_conflict(calls: list[Call]) -> list[int]:
    creates = _indices(calls, "create_deployment")
    predicts = _indices(calls, "predict")
    if len(creates) < 2 or len(predicts) < 2:
        return []
    before = [i for i in predicts if i < creates[-1]]
    after = [i for i in predicts if i > creates[-1]]
    return [before[-1], after[-1]] if before and after else []


def _life_delete(calls: list[Call]) -> int | None:
    """The lifecycle's first delete: of the deployment taken through its life."""
    from conformance._catalogue import LIFECYCLE

    deletes = _indices(calls, "delete_deployment", _made_for(LIFECYCLE))
    return deletes[0] if deletes else None


def _delete_then_get_and_list(calls: list[Call]) -> list[int]:
    delete = _life_delete(calls)
    if delete is None:
        deletes = _indices(calls, "delete_deployment")
        delete = deletes[0] if deletes else None
    if delete is None:
        return []
    name = _name(calls[delete])
    got = _after(calls, delete, "get_deployment", _about(name))
    listed = _after(calls, delete, "list_deployments", lambda call: not call.args)
    return [delete, got] + ([listed] if listed is not None else []) if got is not None else []


def _listed_after_create_and_after_delete(calls: list[Call]) -> list[int]:
    delete = _life_delete(calls)
    if delete is None:
        return []
    name = _name(calls[delete])
    creates = [i for i, call in enumerate(calls[:delete]) if call.method == "create_deployment"]
    created = [i for i in creates if _name(calls[i]) == name]
    if not created:
        return []
    shown = _after(calls, created[-1], "list_deployments", _whole_listing)
    gone = _after(calls, delete, "list_deployments", _whole_listing)
    if shown is None or gone is None or shown > delete:
        return []
    return [shown, delete, gone]


def _predicts_around(calls: list[Call], updates: list[int]) -> list[int]:
    """The first of ``updates``, between the predicts on its deployment just before and after."""
    if not updates:
        return []
    update = updates[0]
    same = _about(_name(calls[update]))
    before = _before(calls, update, "predict", same)
    after = _after(calls, update, "predict", same)
    return [before, update, after] if before is not None and after is not None else []


def _model_update_and_its_predicts(calls: list[Call]) -> list[int]:
    from conformance._catalogue import LIFECYCLE

    in_life = _made_for(LIFECYCLE)
    return _predicts_around(
        calls,
        _indices(calls, "update_deployment", lambda c: in_life(c) and _keyword(c, "model_uri", 1)),
    )


def _config_update_and_its_predicts(calls: list[Call]) -> list[int]:
    return _predicts_around(calls, _indices(calls, "update_deployment", _config_only))


def _delete_then_predict_on_another(calls: list[Call]) -> list[int]:
    delete = _life_delete(calls)
    if delete is None:
        return []
    name = _name(calls[delete])
    other = _after(calls, delete, "predict", lambda call: _name(call) not in (name, None))
    return [delete, other] if other is not None else []


def _create_then_predict(calls: list[Call]) -> list[int]:
    creates = _indices(calls, "create_deployment")
    if not creates:
        return []
    name = _name(calls[creates[0]])
    first = _after(calls, creates[0], "predict", _about(name))
    return [creates[0], first] if first is not None else []


def _bad_create_then_get_and_list(calls: list[Call]) -> list[int]:
    creates = _indices(calls, "create_deployment")
    if not creates:
        return []
    name = _name(calls[creates[0]])
    got = _after(calls, creates[0], "get_deployment", _about(name))
    listed = _after(calls, creates[0], "list_deployments", lambda call: True)
    return [creates[0], got, listed] if got is not None and listed is not None else []


def _predictions_judged(calls: list[Call]) -> list[int]:
    """Every predict of the prediction scenario: the responses the predictions checks take
    apart (the last predict when none was recorded for it)."""
    from conformance._catalogue import PREDICTION

    made = _indices(calls, "predict", _made_for(PREDICTION))
    return made or _indices(calls, "predict")[-1:]


def _shared_create(calls: list[Call]) -> list[int]:
    return _indices(calls, "create_deployment")[:1]


def _dicts_of(methods: tuple[str, str, str]) -> Callable[[list[Call]], list[int]]:
    """The first create, then the last get and list: the dicts a dicts-json-able check judges."""
    create, get, listing = methods

    def pick(calls: list[Call]) -> list[int]:
        picked = _indices(calls, create)[:1] + _indices(calls, get)[-1:]
        return picked + _indices(calls, listing, lambda call: not call.args)[-1:]

    return pick


def _json_able(j: Judged) -> str:
    pairs = ", ".join(f"({c.method!r}, {n})" for c, n in zip(j.calls, j.names, strict=True))
    return f"json_able([{pairs}])"


def _race(calls: list[Call]) -> list[int]:
    return [i for i, call in enumerate(calls) if call.copies > 1][:1]


# -- endpoints: judged by the names their calls share --------------------------------------------


def _endpoint(calls: list[Call]) -> Any:
    creates = _indices(calls, "create_endpoint")
    return _name(calls[creates[0]]) if creates else None


def _created_endpoints(calls: list[Call]) -> set[Any]:
    return {_name(calls[i]) for i in _indices(calls, "create_endpoint")}


def _of_endpoint(calls: list[Call], method: str) -> list[int]:
    endpoint = _endpoint(calls)
    return _indices(calls, method, _about(endpoint))


def _never_created(calls: list[Call], method: str) -> list[int]:
    created = _created_endpoints(calls)
    return _indices(calls, method, lambda call: _name(call) not in created)[:1]


def _under_endpoint(call: Call) -> Any:
    return call.kwargs.get("endpoint") or (call.args[4] if len(call.args) > 4 else None)


def _member(calls: list[Call]) -> int | None:
    """The create of the deployment made under the endpoint."""
    made = _indices(calls, "create_deployment", lambda call: bool(_under_endpoint(call)))
    return made[0] if made else None


def _listed_under(calls: list[Call], after: int) -> int | None:
    endpoint = _endpoint(calls)
    return _after(
        calls,
        after,
        "list_deployments",
        lambda call: (call.kwargs.get("endpoint") or _name(call)) == endpoint,
    )


def _member_listed(calls: list[Call]) -> list[int]:
    member = _member(calls)
    if member is None:
        return []
    listed = _listed_under(calls, member)
    return [member, listed] if listed is not None else []


def _member_listed_after_update(calls: list[Call]) -> list[int]:
    """The member's create and listing, the endpoint's update, and the listing after it."""
    member = _member_listed(calls)
    updates = _of_endpoint(calls, "update_endpoint")
    if not member or not updates:
        return []
    listed = _listed_under(calls, updates[0])
    return [*member, updates[0], listed] if listed is not None else []


def _endpoint_update_then_get(calls: list[Call]) -> list[int]:
    updates = _of_endpoint(calls, "update_endpoint")
    if not updates:
        return []
    endpoint = _endpoint(calls)
    got = _after(calls, updates[0], "get_endpoint", _about(endpoint))
    return [updates[0], got] if got is not None else []


def _bad_config_update(calls: list[Call]) -> list[int]:
    endpoint = _endpoint(calls)
    bad = _indices(
        calls,
        "update_endpoint",
        lambda c: _name(c) == endpoint and not isinstance(_keyword(c, "config", 1), dict),
    )
    if not bad:
        return []
    same = _about(endpoint)
    before = _before(calls, bad[0], "get_endpoint", same)
    after = _after(calls, bad[0], "get_endpoint", same)
    return [before, bad[0], after] if before is not None and after is not None else []


def _endpoint_delete_get_delete(calls: list[Call]) -> list[int]:
    deletes = _of_endpoint(calls, "delete_endpoint")
    if len(deletes) < 2:
        return []
    endpoint = _endpoint(calls)
    got = _after(calls, deletes[0], "get_endpoint", _about(endpoint))
    return [deletes[0], got, deletes[1]] if got is not None else []


def _routed(method: str) -> Callable[[list[Call]], list[int]]:
    return lambda calls: _indices(calls, method, lambda call: _name(call) is None)[:1]


def _expected_source(j: Judged, uri: Any) -> str:
    try:
        expected = j.expected(uri) if isinstance(uri, str) else None
        return j.literal(expected) if expected is not None else "None"
    except Exception:  # the kit does not know this model's predictions: compare with before
        return "None"


def _class_example(j: Judged) -> str:
    """The example predictions.class-round-trips failed on, as source; '' when not found."""
    for text in (*j.notes, j.message):
        found = re.search(r"predictions=(.*?)\)?\s*$", text, re.S) or re.search(
            r"does not round-trip (.*?): got ", text, re.S
        )
        if found:
            try:
                return j.literal(_example_value(found.group(1).strip().rstrip(",")))
            except (ValueError, SyntaxError, _Unwritable):
                continue
    return ""


def _example_value(text: str) -> Any:
    """A value hypothesis or repr() wrote, read back: literals, with nan and inf spelled out."""
    specials = {"nan": math.nan, "inf": math.inf}

    def value(node: ast.AST) -> Any:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            inner = value(node.operand)
            return -inner if isinstance(node.op, ast.USub) else inner
        if isinstance(node, ast.Name) and node.id in specials:
            return specials[node.id]
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "float"
            and len(node.args) == 1
        ):
            return float(value(node.args[0]))
        if isinstance(node, ast.List):
            return [value(e) for e in node.elts]
        if isinstance(node, ast.Tuple):
            return tuple(value(e) for e in node.elts)
        if isinstance(node, ast.Dict):
            return {value(k): value(v) for k, v in zip(node.keys, node.values, strict=True) if k}
        raise ValueError(f"not a literal: {ast.dump(node)[:80]}")

    return value(ast.parse(text, mode="eval").body)


# What the class is asked to round-trip when no example was drawn (the check could not run):
# a little of each kind of value hypothesis draws.
_STAND_IN_EXAMPLE = [0.5, -2, "text", None, True, {"key": [1.25, "x"]}]


def _class_round_trip_test(j: Judged) -> str:
    example = _class_example(j) or j.literal(_STAND_IN_EXAMPLE)
    return f"class_round_trips({j.names[0]}, {example})"


def _hostile_attempts(calls: list[Call]) -> list[int]:
    """The shared deployment's create, each hostile name's create, and the shared deployment's
    predict at the end."""
    from conformance._catalogue import HOSTILE

    shared = _indices(calls, "create_deployment", lambda call: not _made_for(HOSTILE)(call))[:1]
    hostile = _indices(calls, "create_deployment", _made_for(HOSTILE))
    if not shared or not hostile:
        return []
    # The input of the predict that ends the scenario, or of any predict on the shared
    # deployment when the scenario stopped before it.
    predicts = _indices(calls, "predict", _about(_name(calls[shared[0]])))
    return [shared[0], *hostile, predicts[-1]] if predicts else []


def _hostile_test(j: Judged) -> str:
    attempts = [
        f"({j.literal(list(call.args))}, {j.literal(call.kwargs)})" for call in j.calls[1:-1]
    ]
    shared, inputs = j.calls[0], j.calls[-1].args[1]
    return (
        f"hostile_names(\n    {j.literal(_name(shared))},\n{_listed_source(attempts)},\n"
        f"    {j.literal(inputs)},\n)"
    )


def _listed_source(items: list[str]) -> str:
    """A list written one item a line, indented as an argument."""
    return "    [\n" + "".join(f"        {item},\n" for item in items) + "    ]"


def _input_unchanged_test(j: Judged) -> str:
    predict = j.calls[1]
    return (
        f"input_unchanged({j.literal(_name(predict))}, lambda: {j.literal(predict.args[1])}, "
        f"{j.literal(predict.kwargs)})"
    )


def _shared_and_last_predict(calls: list[Call]) -> list[int]:
    shared = _shared_create(calls)
    predicts = _indices(calls, "predict")
    return shared + predicts[-1:] if shared and predicts and predicts[-1] > shared[0] else []


def _member_and_holding_delete(calls: list[Call]) -> list[int]:
    """The member's create and listing (which must have worked), and the delete of its
    endpoint."""
    member = _member_listed(calls)
    if not member:
        return []
    delete = _after(calls, member[1], "delete_endpoint", _about(_endpoint(calls)))
    return [*member, delete] if delete is not None else []


def _member_judged(j: Judged) -> str:
    """The member deployment was created and listed under its endpoint, as the check needs."""
    return f"must_return({j.names[0]}), lists({j.names[1]}, {_named(j)})"


def _no_dangling_test(j: Judged) -> str:
    member = j.calls[0]
    endpoint, name = j.literal(_under_endpoint(member)), j.literal(_name(member))
    return f"first_of([{_member_judged(j)}]) or no_dangling({endpoint}, {name})"


def _each(helper: str) -> Callable[[Judged], str]:
    def test(j: Judged) -> str:
        labels = [_container_asked(call) for call in j.calls]
        if not any(labels):
            return f"each([{', '.join(j.names)}], {helper})"
        return f"each([{', '.join(j.names)}], {helper}, {labels!r})"

    return test


def _container_asked(call: Call) -> str | None:
    """ "model output: <container>" for a predict asking the kit's model for a container."""
    from conformance._models import CONTAINERS, OUTPUT_COLUMN

    if call.method != "predict" or len(call.args) < 2:
        return None
    frame: Any = call.args[1]
    if OUTPUT_COLUMN not in getattr(frame, "columns", ()) or not len(frame):
        return None
    asked = str(frame[OUTPUT_COLUMN].iloc[0])
    return f"model output: {CONTAINERS[asked]}" if asked in CONTAINERS else None


def _every_call(calls: list[Call]) -> list[int]:
    """Every call: a generated sequence is judged step by step."""
    return list(range(len(calls)))


def _contract_test(j: Judged) -> str:
    """Every step of the replayed sequence, judged against a model of the contract."""
    steps = []
    uris: dict[str, str] = {}
    for call, name in zip(j.calls, j.names, strict=True):
        if call.copies > 1:
            continue
        uri = (
            _keyword(call, "model_uri", 1)
            if call.method in ("create_deployment", "update_deployment")
            else None
        )
        if isinstance(uri, str):
            uris.setdefault(uri, _expected_source(j, uri))
        steps.append(f"({call.method!r}, {j.literal(_name(call))}, {j.literal(uri)}, {name})")
    expected = "{" + ", ".join(f"{j.literal(uri)}: {source}" for uri, source in uris.items()) + "}"
    return f"contract(\n{_listed_source(steps)},\n    {expected},\n)"


def _named(j: Judged, index: int = 0) -> str:
    return j.literal(_name(j.calls[index]))


_PREDICTIONS_NOTE = "every predict the check judged"
_DICTS = ("create_deployment", "get_deployment", "list_deployments")
_ENDPOINT_DICTS = ("create_endpoint", "get_endpoint", "list_endpoints")

RULES: dict[str, Rule] = {
    # -- create ---------------------------------------------------------------------------------
    "deployment.create.returns-name": Rule(
        "create_deployment returns a dict whose 'name' is the name asked for",
        _first("create_deployment"),
        lambda j: f"named_dict({j.names[0]}, {_named(j)})",
    ),
    "deployment.create.returns-flavor": Rule(
        "create_deployment returns a dict with a 'flavor' key",
        _first("create_deployment"),
        lambda j: f"has_key({j.names[0]}, 'flavor')",
    ),
    "deployment.create.blocks-until-ready": Rule(
        "predict on a deployment works as soon as create_deployment has returned",
        _create_then_predict,
        lambda j: f"first_of([must_return({j.names[0]}), must_return({j.names[1]})])",
    ),
    "deployment.create.conflict-raises": Rule(
        "the second create of a name in use raises MlflowException",
        _last("create_deployment"),
        _raises(),
    ),
    "errors.already-exists-code": Rule(
        "the second create of a name in use raises error_code RESOURCE_ALREADY_EXISTS",
        _last("create_deployment"),
        _raises("RESOURCE_ALREADY_EXISTS"),
    ),
    "deployment.create.conflict-keeps-existing": Rule(
        "after the refused create, the deployment predicts what it predicted before",
        _last_predict_and_the_one_before_the_conflict,
        lambda j: f"same_predictions({j.names[0]}, {j.names[1]})",
    ),
    "deployment.create.bad-model-raises": Rule(
        "creating a deployment of a model URI the target cannot resolve raises MlflowException",
        _first("create_deployment"),
        _raises(),
    ),
    "deployment.create.bad-model-leaves-nothing": Rule(
        "after a failed create, get_deployment raises and list_deployments does not show it",
        _bad_create_then_get_and_list,
        lambda j: f"leaves_nothing({j.names[0]}, {j.names[1]}, {j.names[2]}, {_named(j)})",
    ),
    "deployment.create.config-none": Rule(
        "create_deployment with config=None returns",
        _first(
            "create_deployment",
            lambda call: "config" in call.kwargs and call.kwargs["config"] is None,
        ),
        lambda j: f"must_return({j.names[0]})",
    ),
    # -- get and list ---------------------------------------------------------------------------
    "deployment.get.returns-name": Rule(
        "get_deployment returns a dict whose 'name' is the name asked for",
        _last("get_deployment"),
        lambda j: f"named_dict({j.names[0]}, {_named(j)})",
    ),
    "deployment.get.missing-raises": Rule(
        "getting a name that does not exist raises MlflowException",
        _last("get_deployment"),
        _raises(),
    ),
    "errors.does-not-exist-code": Rule(
        "getting a name that does not exist raises error_code RESOURCE_DOES_NOT_EXIST",
        _last("get_deployment"),
        _raises("RESOURCE_DOES_NOT_EXIST"),
    ),
    "deployment.list.returns-dicts": Rule(
        "list_deployments returns a list of dicts that each have 'name', the deployment among them",
        lambda calls: _both(_first("create_deployment")(calls), _last("list_deployments")(calls)),
        lambda j: f"lists({j.names[1]}, {_named(j)})",
    ),
    "deployment.list.reflects-changes": Rule(
        "list_deployments shows the deployment after its create, and no longer after its delete",
        _listed_after_create_and_after_delete,
        lambda j: f"reflects({j.names[0]}, {j.names[2]}, {_named(j, 1)})",
    ),
    "deployment.dicts-json-able": Rule(
        "the dicts create_deployment, get_deployment and list_deployments return are JSON",
        _dicts_of(_DICTS),
        _json_able,
    ),
    "client.shared-state": Rule(
        "a second client of the same target URI lists the deployment the first one created",
        _shared_create,
        lambda j: f"first_of([must_return({j.names[0]}), second_client_sees({_named(j)})])",
    ),
    # -- update ---------------------------------------------------------------------------------
    "deployment.update.switches-model": Rule(
        "once update_deployment with a new model_uri returns, predict answers from the new model",
        _model_update_and_its_predicts,
        lambda j: (
            f"switches_model({j.names[0]}, {j.names[1]}, {j.names[2]}, "
            f"{_expected_source(j, _keyword(j.calls[1], 'model_uri', 1))})"
        ),
    ),
    "deployment.update.config-only-keeps-model": Rule(
        "after update_deployment with only a config, predict answers as before",
        _config_update_and_its_predicts,
        lambda j: f"keeps_model({j.names[0]}, {j.names[1]}, {j.names[2]})",
    ),
    "deployment.update.missing-raises": Rule(
        "updating a deployment that does not exist raises MlflowException",
        _last("update_deployment"),
        _raises(),
    ),
    "deployment.update.flavor-needs-model": Rule(
        "update_deployment with a flavor but no model_uri raises MlflowException",
        _last("update_deployment", _flavor_only),
        _raises(),
    ),
    "errors.invalid-parameter-code": Rule(
        "update_deployment with a flavor but no model_uri raises INVALID_PARAMETER_VALUE",
        _last("update_deployment", _flavor_only),
        _raises("INVALID_PARAMETER_VALUE"),
    ),
    "deployment.update.returns-flavor": Rule(
        "update_deployment returns a dict with a 'flavor' key",
        _first("update_deployment", lambda call: not _flavor_only(call)),
        lambda j: f"update_result({j.names[0]})",
    ),
    # -- delete ---------------------------------------------------------------------------------
    "deployment.delete.idempotent": Rule(
        "every delete_deployment returns, also for a deleted or never-created name",
        _every("delete_deployment"),
        lambda j: f"all_return([{', '.join(j.names)}])",
    ),
    "deployment.delete.removes": Rule(
        "after delete_deployment returns, get_deployment raises and list_deployments omits it",
        _delete_then_get_and_list,
        lambda j: f"removed({', '.join(j.names)}, {_named(j)})",
    ),
    "deployment.delete.spares-others": Rule(
        "after one deployment is deleted, another still predicts",
        _delete_then_predict_on_another,
        lambda j: f"first_of([must_return({j.names[0]}), must_return({j.names[1]})])",
    ),
    "concurrency.create-one-winner": Rule(
        "of several creates of one name started at once, exactly one returns",
        _race,
        lambda j: f"one_winner({j.names[0]}, {_named(j)})",
    ),
    # -- predict and its response ---------------------------------------------------------------
    "predict.returns-response": Rule(
        "predict returns a PredictionsResponse holding 'predictions'",
        _predictions_judged,
        _each("is_response"),
    ),
    "predict.missing-raises": Rule(
        "predicting with a deployment that does not exist raises MlflowException",
        _last("predict"),
        _raises(),
    ),
    "predict.input-unchanged": Rule(
        "predict leaves the input it is given as it was",
        _shared_and_last_predict,
        _input_unchanged_test,
        replays=1,
    ),
    "predictions.formats": Rule(
        "get_predictions gives a DataFrame, an ndarray, and an ndarray of the dtype asked for, "
        f"for {_PREDICTIONS_NOTE}",
        _predictions_judged,
        _each("formats"),
    ),
    "predictions.unknown-format-raises": Rule(
        f"get_predictions('no-such-format') raises MlflowException, for {_PREDICTIONS_NOTE}",
        _predictions_judged,
        _each("unknown_format_raises"),
    ),
    "predictions.json-round-trip": Rule(
        f"from_json(to_json()) gives back an equal response, for {_PREDICTIONS_NOTE}",
        _predictions_judged,
        _each("json_round_trip"),
    ),
    "predictions.to-json-path": Rule(
        f"to_json(path) writes what to_json() returns and returns None, for {_PREDICTIONS_NOTE}",
        _predictions_judged,
        _each("to_json_path"),
    ),
    "predictions.strict-json": Rule(
        f"to_json() writes standard JSON (no NaN or Infinity), for {_PREDICTIONS_NOTE}",
        _predictions_judged,
        _each("strict_json"),
    ),
    "predictions.class-round-trips": Rule(
        "the response class round-trips the example hypothesis shrank the failure to",
        lambda calls: _predictions_judged(calls)[:1],
        _class_round_trip_test,
    ),
    "explain.returns-json-able": Rule(
        "explain returns output that can be written as JSON",
        _last("explain"),
        lambda j: f"json_able_output({j.names[0]})",
    ),
    "stream.yields-dicts": Rule(
        "predict_stream yields at least one chunk, and only dicts",
        _last("predict_stream"),
        lambda j: f"yields_dicts({j.names[0]})",
    ),
    # -- names ----------------------------------------------------------------------------------
    "names.hostile": Rule(
        "each hostile name is refused with MlflowException or kept exactly, and the other "
        "deployment still lists and predicts",
        _hostile_attempts,
        _hostile_test,
        replays=1,
    ),
    # -- endpoints ------------------------------------------------------------------------------
    "endpoint.create.returns-name": Rule(
        "create_endpoint returns a dict whose 'name' is the name asked for",
        _first("create_endpoint"),
        lambda j: f"named_dict({j.names[0]}, {_named(j)})",
    ),
    "endpoint.create.conflict-raises": Rule(
        "the second create of an endpoint name in use raises MlflowException",
        lambda calls: _of_endpoint(calls, "create_endpoint")[1:2],
        _raises(),
    ),
    "endpoint.get.returns-name": Rule(
        "get_endpoint returns a dict whose 'name' is the name asked for",
        _first("get_endpoint"),
        lambda j: f"named_dict({j.names[0]}, {_named(j)})",
    ),
    "endpoint.get.missing-raises": Rule(
        "getting an endpoint that does not exist raises MlflowException",
        lambda calls: _never_created(calls, "get_endpoint"),
        _raises(),
    ),
    "endpoint.list.returns-dicts": Rule(
        "list_endpoints returns a list of dicts that each have 'name', the endpoint among them",
        lambda calls: _both(_first("create_endpoint")(calls), _first("list_endpoints")(calls)),
        lambda j: f"lists({j.names[1]}, {_named(j)})",
    ),
    "endpoint.delete.idempotent": Rule(
        "delete_endpoint returns, get_endpoint then raises, and deleting again returns",
        _endpoint_delete_get_delete,
        lambda j: f"endpoint_deleted({', '.join(j.names)})",
    ),
    "endpoint.lists-its-deployments": Rule(
        "list_deployments(endpoint=...) shows the deployment created under the endpoint",
        _member_listed,
        lambda j: f"first_of([{_member_judged(j)}])",
    ),
    "endpoint.update.returns": Rule(
        "update_endpoint of an existing endpoint returns, and get_endpoint then returns its dict",
        _endpoint_update_then_get,
        lambda j: f"first_of([must_return({j.names[0]}), named_dict({j.names[1]}, {_named(j)})])",
    ),
    "endpoint.update.missing-raises": Rule(
        "update_endpoint of a name that does not exist raises MlflowException",
        lambda calls: _never_created(calls, "update_endpoint"),
        _raises(),
    ),
    "endpoint.update.missing-code": Rule(
        "update_endpoint of a missing name raises error_code RESOURCE_DOES_NOT_EXIST",
        lambda calls: _never_created(calls, "update_endpoint"),
        _raises("RESOURCE_DOES_NOT_EXIST"),
    ),
    "endpoint.update.bad-config-raises": Rule(
        "update_endpoint with a config that is not a dict raises MlflowException, changing nothing",
        _bad_config_update,
        lambda j: f"refused_unchanged({j.names[0]}, {j.names[1]}, {j.names[2]})",
    ),
    "endpoint.update.keeps-deployments": Rule(
        "after update_endpoint, list_deployments(endpoint=...) still shows its deployment",
        _member_listed_after_update,
        lambda j: (
            f"first_of([{_member_judged(j)}, must_return({j.names[2]}), "
            f"lists({j.names[3]}, {_named(j)})])"
        ),
    ),
    "endpoint.delete.no-dangling-deployments": Rule(
        "delete_endpoint of an endpoint holding a deployment refuses with MlflowException and "
        "changes nothing, or leaves nothing naming the endpoint",
        _member_and_holding_delete,
        _no_dangling_test,
        replays=2,
    ),
    "endpoint.predict.returns-response": Rule(
        "predict(None, inputs, endpoint=...) returns a PredictionsResponse holding 'predictions'",
        _routed("predict"),
        lambda j: f"is_response({j.names[0]})",
    ),
    "endpoint.explain.returns-json-able": Rule(
        "explain(None, inputs, endpoint=...) returns output that can be written as JSON",
        _routed("explain"),
        lambda j: f"json_able_output({j.names[0]})",
    ),
    "endpoint.dicts-json-able": Rule(
        "the dicts create_endpoint, get_endpoint and list_endpoints return are JSON",
        _dicts_of(_ENDPOINT_DICTS),
        _json_able,
    ),
}

# Judged on the plugin module's functions, as MLflow's CLI calls them: no client call to replay.
RULES["module.target-help-returns-text"] = Rule(
    "target_help() returns non-empty help text",
    lambda calls: [],
    lambda j: "target_help_text()",
    replays=0,
)
RULES["module.run-local-signature"] = Rule(
    "run_local can be called as MLflow calls it: run_local(name, model_uri, flavor, config)",
    lambda calls: [],
    lambda j: "run_local_signature()",
    replays=0,
)

# Judged from generated sequences: every step of the last (shrunk) sequence against a model.
for _check_id in ("stateful.lifecycle", "names.dns-labels-round-trip"):
    RULES[_check_id] = Rule(
        "every step of the sequence agrees with a model of the contract",
        _every_call,
        _contract_test,
    )


# -- literals -------------------------------------------------------------------------------------


class _Unwritable(Exception):
    """A value the script cannot spell inline."""


_LONG_RUN = re.compile(r"(.)\1{15,}", re.S)  # one character, 16 times or more


def _string(text: str, token: str) -> str:
    """``text`` as source; the run's token in it becomes the script's own, so names are fresh,
    and a long run of one character is written as a repetition ('x' * 300)."""
    parts: list[str] = []
    for number, piece in enumerate(text.split(token) if token else [text]):
        if number:
            parts.append("TOKEN")
        start = 0
        for run in _LONG_RUN.finditer(piece):
            parts += [repr(piece[start : run.start()]), f"{run.group(1)!r} * {len(run.group())}"]
            start = run.end()
        parts.append(repr(piece[start:]))
    return " + ".join(part for part in parts if part not in ("''", '""')) or "''"


def _number(value: float) -> str:
    if math.isnan(value):
        return "float('nan')"
    if math.isinf(value):
        return "float('inf')" if value > 0 else "float('-inf')"
    return repr(value)


def _literal(value: Any, token: str = "") -> str:
    """``value`` as Python source that rebuilds it (``token`` as the script's TOKEN)."""

    def inner(part: Any) -> str:
        return _literal(part, token)

    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int):
        return repr(int(value))
    if isinstance(value, float):
        return _number(float(value))
    if isinstance(value, str):
        return _string(value, token)
    if isinstance(value, bytes):
        return repr(value)
    if isinstance(value, dict):
        items = ", ".join(f"{inner(k)}: {inner(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, list):
        return "[" + ", ".join(inner(v) for v in value) + "]"
    if isinstance(value, tuple):
        items = ", ".join(inner(v) for v in value)
        return f"({items},)" if len(value) == 1 else f"({items})"
    kind = type(value).__name__
    module = type(value).__module__.split(".")[0]
    if module == "pandas" and kind == "DataFrame":
        columns = {str(c): value[c].tolist() for c in value.columns}
        dtypes = {str(c): str(t) for c, t in value.dtypes.items()}
        frame = f"pd.DataFrame({inner(columns)})"
        if any(t != "object" for t in dtypes.values()):
            frame += f".astype({inner(dtypes)})"
        return frame
    if module == "pandas" and kind == "Series":
        return f"pd.Series({inner(value.tolist())}, dtype={str(value.dtype)!r})"
    if module == "numpy" and kind == "ndarray":
        return f"np.array({inner(value.tolist())}, dtype={str(value.dtype)!r})"
    if module == "numpy" and hasattr(value, "item"):
        return inner(value.item())
    raise _Unwritable(f"a {module}.{kind} cannot be written inline")


# -- the script -----------------------------------------------------------------------------------

# The script's opening: its imports and the names every script uses.
_OPENING = """
import sys
import threading

from conformance.api import MlflowException, PredictionsResponse, get_deploy_client
__REGISTER_IMPORT__
__DATA_IMPORTS__


def fresh_token():
    \"\"\"Six lowercase letters and digits, so names look like the run's (and its sweep's).\"\"\"
    import secrets
    import string

    while True:
        token = "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in "123456")
        if any(c.isdigit() for c in token) and any(c.isalpha() for c in token):
            return token


TOKEN = fresh_token()
CREATED = []  # (method that deletes it, name, keywords), deleted at the end
REFUSED = set()  # (method that deletes it, name) of creates that raised: tidied up quietly
"""

# The functions a script may use; each script holds the ones its test needs (and theirs).
_HELPERS = '''
def short(value):
    text = " ".join(repr(value).split())
    return text if len(text) <= 160 else text[:157] + "..."


class Outcome:
    def __init__(self, value=None, error=None):
        self.value, self.error = value, error

    def __str__(self):
        if self.error is None:
            return f"returned {short(self.value)}"
        return f"raised {described(self.error)}"


def described(error):
    lines = str(error).splitlines() or [""]
    return f"{type(error).__name__}: {lines[0]}"


def call(method, *args, **kwargs):
    """One plugin call, as the kit made it; what it returned or raised."""
    if method in ("create_deployment", "create_endpoint") and args:
        delete = "delete_deployment" if method == "create_deployment" else "delete_endpoint"
        endpoint = kwargs.get("endpoint") or (args[4] if len(args) > 4 else None)
        keywords = {"endpoint": endpoint} if endpoint and method == "create_deployment" else {}
        if (delete, args[0], keywords) not in CREATED:
            CREATED.append((delete, args[0], keywords))
    try:
        value = within_time(lambda: getattr(client, method)(*args, **kwargs))
        if method == "predict_stream":
            value = within_time(lambda: list(value))
        if method in ("delete_deployment", "delete_endpoint"):
            CREATED[:] = [entry for entry in CREATED if entry[:2] != (method, args[0])]
        elif method in ("create_deployment", "create_endpoint"):
            REFUSED.difference_update(e[:2] for e in CREATED if e[1] == args[0])
        return Outcome(value=value)
    except Exception as error:  # the judgement below decides what the exception means
        if method in ("create_deployment", "create_endpoint"):
            REFUSED.update(e[:2] for e in CREATED if args and e[1] == args[0])
        return Outcome(error=error)


def within_time(function):
    """``function()``, stopped with TimeoutError after TIMEOUT seconds, as the kit's run
    stopped a call that hung (on the main thread, where the platform has SIGALRM)."""
    import signal

    main = threading.current_thread() is threading.main_thread()
    if not main or not hasattr(signal, "setitimer"):
        return function()

    def expire(signum, frame):
        raise TimeoutError(f"the call did not return within {TIMEOUT:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, TIMEOUT)
    try:
        return function()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def race(copies, method, *args, **kwargs):
    """``copies`` calls started at the same instant, as the kit started them."""
    barrier = threading.Barrier(copies)
    outcomes = [None] * copies

    def run(index):
        barrier.wait()
        outcomes[index] = call(method, *args, **kwargs)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def connect():
    """The client, built as MLflow builds it; or why it could not be."""
    try:
        return get_deploy_client(TARGET), None
    except Exception as error:
        return None, f"get_deploy_client({TARGET!r}) raised {described(error)}"


def clean_up():
    for delete, name, keywords in reversed(CREATED):
        try:
            getattr(client, delete)(name, **keywords)
        except Exception as error:
            if (delete, name) not in REFUSED:
                print(f"cleanup: {delete}({name!r}) raised {described(error)}")


def first_of(problems):
    """The first judgement that found something, in the order the check judges."""
    return next((problem for problem in problems if problem), None)


def each(outcomes, judge, labels=()):
    """``judge`` on every outcome; the first problem, with which call it was (and its label)."""
    for number, outcome in enumerate(outcomes, 1):
        problem = judge(outcome)
        if problem:
            label = labels[number - 1] if number <= len(labels) else None
            where = f"call {number} of {len(outcomes)}" if len(outcomes) > 1 else ""
            where += f" ({label})" if label else ""
            return f"{where.strip()}: {problem}" if where else problem
    return None


def is_mlflow_error(error):
    return isinstance(error, MlflowException) or any(
        cls.__name__ in ("MlflowException", "HTTPError") for cls in type(error).__mro__
    )


def must_raise(outcome, code=None):
    if outcome.error is None:
        return f"the call {outcome}"
    if not is_mlflow_error(outcome.error):
        return f"the call {outcome}, not MlflowException"
    found = getattr(outcome.error, "error_code", None)
    if code is not None and found != code:
        return f"the call {outcome} with error_code {found!r}"
    return None


def must_return(outcome):
    return None if outcome.error is None else f"the call {outcome}"


def all_return(outcomes):
    problems = [f"call {i + 1} {o}" for i, o in enumerate(outcomes) if o.error is not None]
    return "; ".join(problems) or None


def named_dict(outcome, name):
    if outcome.error is not None:
        return f"the call {outcome}"
    value = outcome.value
    if not isinstance(value, dict):
        return f"it returned {type(value).__name__} {short(value)}, not a dict"
    if value.get("name") != name:
        return f"it returned name {value.get('name')!r} for {name!r}"
    return None


def has_key(outcome, key):
    if outcome.error is not None:
        return f"the call {outcome}"
    if not isinstance(outcome.value, dict) or key not in outcome.value:
        return f"it returned {short(outcome.value)}, without {key!r}"
    return None


def update_result(outcome):
    if outcome.error is not None:
        return f"the call {outcome}"
    if outcome.value is None:
        return "it returned None; `mlflow deployments update` reads ret['flavor']"
    return has_key(outcome, "flavor")


def names_in(outcome):
    """The names a listing shows, or why it is no list of dicts with 'name'."""
    if outcome.error is not None:
        return None, f"the listing {outcome}"
    value = outcome.value
    if not isinstance(value, list) or not all(isinstance(e, dict) and "name" in e for e in value):
        return None, f"the listing returned {short(value)}, not a list of dicts with 'name'"
    return [entry["name"] for entry in value], None


def lists(outcome, name):
    names, problem = names_in(outcome)
    if problem:
        return problem
    return None if name in names else f"{name!r} is not listed"


def reflects(shown, gone, name):
    names, problem = names_in(shown)
    if problem or name not in names:
        return problem or f"after its create, {name!r} is not listed"
    names, problem = names_in(gone)
    if problem or name in names:
        return problem or f"after its delete, {name!r} is still listed"
    return None


def removed(deleted, got, listed=None, name=None):
    if deleted.error is not None:
        return f"delete_deployment {deleted}"
    if got.error is None:
        return f"get_deployment after the delete {got}"
    if listed is not None:
        names, problem = names_in(listed)
        if problem or name in names:
            return problem or f"list_deployments after the delete still shows {name!r}"
    return None


def leaves_nothing(created, got, listed, name):
    if got.error is None:
        return f"after the create {created}, get_deployment({name!r}) {got} instead of raising"
    if listed.error is not None:
        return None  # a listing that raised shows nothing left behind
    names, problem = names_in(listed)
    if problem or name in names:
        return problem or f"after the create {created}, list_deployments() still shows {name!r}"
    return None


def is_response(outcome):
    if outcome.error is not None:
        return f"the call {outcome}"
    value = outcome.value
    if not isinstance(value, PredictionsResponse) and type(value).__name__ != "PredictionsResponse":
        return f"it returned {type(value).__module__}.{type(value).__qualname__}"
    if "predictions" not in value:
        return "the response has no 'predictions'"
    return None


def canonical(value):
    """``value`` as plain lists, dicts and numbers, so answers of different types compare."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, dict):
        return {canonical(k): canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    if hasattr(value, "to_dict") and hasattr(value, "columns"):
        return canonical(value.to_dict(orient="records"))
    if hasattr(value, "tolist"):
        return canonical(value.tolist())
    if isinstance(value, (set, frozenset)):
        return canonical(sorted(value, key=repr))
    return value


def same_number(left, right, tolerance=0.0):
    import math

    if math.isnan(left) or math.isnan(right):
        return math.isnan(left) and math.isnan(right)
    if tolerance == 0.0:
        return left == right and math.copysign(1.0, left) == math.copysign(1.0, right)
    return math.isclose(left, right, rel_tol=tolerance, abs_tol=tolerance)


def same_values(left, right, tolerance=0.0):
    number = (int, float)
    if isinstance(left, number) and isinstance(right, number):
        if isinstance(left, bool) or isinstance(right, bool):
            return type(left) is type(right) and left == right
        if isinstance(left, int) and isinstance(right, int):
            return left == right
        return same_number(float(left), float(right), tolerance)
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(
            same_values(left[k], right[k], tolerance) for k in left
        )
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(
            same_values(a, b, tolerance) for a, b in zip(left, right)
        )
    return type(left) is type(right) and left == right


def agree(left, right):
    """Two predictions agree: numbers to 1e-9 (a null counts as NaN), the rest as values."""
    left, right = canonical(left), canonical(right)
    flat = flat_numbers(left), flat_numbers(right)
    if flat[0] is not None and flat[1] is not None:
        return len(flat[0]) == len(flat[1]) and all(
            same_number(a, b, 1e-9) for a, b in zip(*flat)
        )
    return same_values(left, right, 1e-9)


def flat_numbers(value):
    items = value if isinstance(value, list) else [value]
    numbers = []
    for item in items:
        parts = list(item.values()) if isinstance(item, dict) else item
        for part in parts if isinstance(parts, list) else [parts]:
            if part is None:
                part = float("nan")
            if isinstance(part, bool) or not isinstance(part, (int, float)):
                return None
            numbers.append(float(part))
    return numbers


def predictions(outcome):
    value = outcome.value
    if isinstance(value, dict) and "predictions" in value:
        value = value["predictions"]
    return canonical(value)


def same_predictions(before, after):
    if before.error is not None:
        return f"the predict before {before}, so there is nothing to compare with"
    if after.error is not None:
        return f"the predict afterwards {after}"
    if not agree(predictions(before), predictions(after)):
        return f"before: {short(predictions(before))}; after: {short(predictions(after))}"
    return None


def switches_model(before, updated, after, expected):
    if updated.error is not None:
        return f"update_deployment {updated}"
    if before.error is not None:
        return f"the predict before the update {before}, so there is nothing to compare with"
    if after.error is not None:
        return f"predict after the update {after}"
    if expected is not None:
        if not agree(predictions(after), expected):
            got, want = short(predictions(after)), short(expected)
            return f"after the update predict gave {got}; the new model predicts {want}"
        return None
    if agree(predictions(after), predictions(before)):
        return f"predictions did not change after the update: {short(predictions(after))}"
    return None


def keeps_model(before, updated, after):
    if updated.error is not None:
        return f"update_deployment with only a config {updated}"
    return same_predictions(before, after)


def one_winner(outcomes, name):
    winners = [outcome for outcome in outcomes if outcome.error is None]
    if len(winners) != 1:
        ends = "; ".join(str(outcome) for outcome in outcomes)
        return f"{len(winners)} of {len(outcomes)} concurrent creates returned: {ends}"
    odd = [o for o in outcomes if o.error is not None and not is_mlflow_error(o.error)]
    return named_dict(winners[0], name) or (
        f"a losing create {odd[0]}, not MlflowException" if odd else None
    )


def json_able(outcomes):
    """What each call returned can be written as JSON by the standard library."""
    import json

    for method, outcome in outcomes:
        if outcome.error is None:
            try:
                json.dumps(outcome.value, allow_nan=False)
            except (TypeError, ValueError) as error:
                return f"what {method} returned cannot be written as JSON: {error}"
    return None


def json_able_output(outcome):
    from conformance.api._predictions import to_jsonable_bytes

    if outcome.error is not None:
        return f"the call {outcome}"
    try:
        to_jsonable_bytes(outcome.value)
    except MlflowException as error:
        return f"it returned {type(outcome.value).__name__}: {error.message}"
    return None


def yields_dicts(outcome):
    if outcome.error is not None:
        return f"the call {outcome}"
    chunks = outcome.value
    if not chunks:
        return "predict_stream yielded nothing"
    odd = [chunk for chunk in chunks if not isinstance(chunk, dict)]
    return f"it yielded {type(odd[0]).__name__} {short(odd[0])}" if odd else None


def attempt(description, function, *args):
    """``function(*args)``: its value, or what it raised as the problem."""
    try:
        return function(*args), None
    except Exception as error:
        return None, f"{description} raised {described(error)}"


def response_of(outcome):
    problem = is_response(outcome)
    return (None, f"predict: {problem}") if problem else (outcome.value, None)


def formats(outcome):
    import numpy as np
    import pandas as pd

    value, problem = response_of(outcome)
    if problem:
        return problem
    frame, problem = attempt("get_predictions('dataframe')", value.get_predictions, "dataframe")
    if problem or not isinstance(frame, pd.DataFrame):
        return problem or f"get_predictions('dataframe') returned {type(frame).__name__}"
    array, problem = attempt("get_predictions('ndarray')", value.get_predictions, "ndarray")
    if problem or not isinstance(array, np.ndarray):
        return problem or f"get_predictions('ndarray') returned {type(array).__name__}"
    dtype = "float64" if array.dtype.kind in "biuf" else "object"
    typed, problem = attempt(
        f"get_predictions('ndarray', {dtype!r})", value.get_predictions, "ndarray", dtype
    )
    if problem or not isinstance(typed, np.ndarray) or typed.dtype != np.dtype(dtype):
        return problem or f"get_predictions('ndarray', {dtype!r}) returned {short(typed)}"
    return None


def unknown_format_raises(outcome):
    value, problem = response_of(outcome)
    if problem:
        return problem
    try:
        result = value.get_predictions("no-such-format")
    except Exception as error:
        if not is_mlflow_error(error):
            return f"get_predictions('no-such-format') raised {described(error)}"
        return None
    return f"get_predictions('no-such-format') returned {type(result).__name__}"


def json_text(value):
    text, problem = attempt("to_json()", value.to_json)
    if problem:
        return None, problem
    if isinstance(text, bytes):
        text = text.decode()
    if not isinstance(text, str):
        return None, f"to_json() returned {type(text).__name__}, not a str"
    return text, None


def survives(original, restored):
    try:
        if restored == original:
            return True
    except Exception:
        pass  # numpy or pandas values refuse a truth value: compare them as values
    try:
        return same_values(canonical(dict(original)), canonical(dict(restored)))
    except Exception:
        return False


def round_trip(value):
    text, problem = json_text(value)
    if problem:
        return problem
    restored, problem = attempt("from_json(to_json())", type(value).from_json, text)
    if problem:
        return problem
    if not survives(value, restored):
        return f"from_json(to_json()) gives {short(dict(restored))} for {short(dict(value))}"
    return None


def json_round_trip(outcome):
    value, problem = response_of(outcome)
    return problem or round_trip(value)


def to_json_path(outcome):
    import os
    import tempfile

    value, problem = response_of(outcome)
    text, problem = (None, problem) if problem else json_text(value)
    if problem:
        return problem
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "predictions.json")
        returned, problem = attempt("to_json(path)", value.to_json, path)
        if problem or returned is not None:
            return problem or f"to_json(path) returned {type(returned).__name__}, not None"
        if not os.path.isfile(path):
            return "to_json(path) wrote no file"
        with open(path) as written:
            if written.read() != text:
                return "to_json(path) wrote different JSON than to_json() returns"
    return None


def strict_json(outcome):
    import json

    def reject(token):
        raise ValueError(f"the token {token} is not standard JSON")

    value, problem = response_of(outcome)
    text, problem = (None, problem) if problem else json_text(value)
    if problem:
        return problem
    try:
        json.JSONDecoder(parse_constant=reject).decode(text)
    except ValueError as error:
        return f"to_json() wrote non-standard JSON: {error}"
    return None


def class_round_trips(outcome, example):
    """The response's class, holding the example hypothesis shrank to, round-trips."""
    value, problem = response_of(outcome)
    if problem:
        return problem
    original, problem = attempt(
        "building the response", type(value), {"predictions": example}
    )
    return problem or round_trip(original)


def input_unchanged(name, make_input, keywords):
    given, pristine = make_input(), make_input()
    outcome = call("predict", name, given, **keywords)
    if outcome.error is not None:
        return f"predict {outcome}"
    if not same_input(given, pristine):
        return f"predict changed its input: {short(given)}; it was {short(pristine)}"
    return None


def same_input(left, right):
    if hasattr(left, "equals") and hasattr(left, "dtypes"):
        return (
            left.equals(right)
            and list(left.columns) == list(right.columns)
            and list(left.dtypes) == list(right.dtypes)
        )
    return same_values(canonical(left), canonical(right))


def second_client_sees(name):
    try:
        second = get_deploy_client(TARGET)
    except Exception as error:
        return f"a second client could not be built: {described(error)}"
    try:
        listing = Outcome(value=second.list_deployments())
    except Exception as error:
        listing = Outcome(error=error)
    names, problem = names_in(listing)
    if problem or name not in names:
        return problem or f"a second client does not see {name!r}: state lives on the client"
    return None


def hostile_names(shared, attempts, inputs):
    problems = [problem for args, kwargs in attempts if (problem := hostile_kept(args, kwargs))]
    names, _ = names_in(call("list_deployments"))
    if names is not None and shared not in names:
        problems.append(f"the deployment {shared!r}, which was not touched, disappeared")
    after = call("predict", shared, inputs)
    if after.error is not None:
        problems.append(f"the other deployment broke: predict {after}")
    return "; ".join(problems) or None


def hostile_kept(args, kwargs):
    """None when the plugin refused the name with MlflowException or kept it exactly."""
    name = args[0]
    created = call("create_deployment", *args, **kwargs)
    if created.error is not None:
        call("delete_deployment", name)
        if not is_mlflow_error(created.error):
            return f"{short(name)} was refused with {described(created.error)}, not MlflowException"
        return None
    try:
        problem = first_of(
            [
                named_dict(created, name),
                named_dict(call("get_deployment", name), name),
                lists(call("list_deployments"), name),
            ]
        )
    finally:
        call("delete_deployment", name)
    return f"{short(name)} was accepted but not kept exactly: {problem}" if problem else None


def endpoint_deleted(deleted, got, again):
    if deleted.error is not None:
        return f"delete_endpoint {deleted}"
    if got.error is None:
        return f"get_endpoint after the delete {got}"
    if again.error is not None:
        return f"delete_endpoint again {again}"
    return None


def refused_unchanged(before, updated, after):
    problem = must_raise(updated)
    if problem:
        return problem
    if before.error is None and after.error is None and before.value != after.value:
        was, now = short(before.value), short(after.value)
        return f"the refused update changed the endpoint: {was} became {now}"
    return None


def no_dangling(endpoint, deployment):
    """delete_endpoint while the deployment is under it: refused and nothing changed, or
    nothing names the endpoint afterwards."""
    deleted = call("delete_endpoint", endpoint)
    if deleted.error is not None:
        if not is_mlflow_error(deleted.error):
            return f"delete_endpoint {deleted}, not MlflowException"
        if call("get_endpoint", endpoint).error is not None:
            return "delete_endpoint raised, yet the endpoint is gone"
        return lists(call("list_deployments", endpoint=endpoint), deployment)
    dangling = []
    names, _ = names_in(call("list_deployments", endpoint=endpoint))
    if names and deployment in names:
        dangling.append(f"list_deployments(endpoint={endpoint!r}) still shows {deployment!r}")
    listing = call("list_deployments")
    for entry in listing.value if isinstance(listing.value, list) else []:
        if isinstance(entry, dict) and (entry.get("name"), entry.get("endpoint")) == (
            deployment,
            endpoint,
        ):
            dangling.append(f"list_deployments() shows {deployment!r} under {endpoint!r}")
    got = call("get_deployment", deployment)
    if got.error is None and isinstance(got.value, dict) and got.value.get("endpoint") == endpoint:
        dangling.append(f"get_deployment({deployment!r}) names endpoint {endpoint!r}")
    return "; ".join(dangling) or None


def contract(steps, expected):
    """Each step of a sequence, judged against what the contract says it must do."""
    deployed, seen = {}, {}
    pool = {name for _, name, _, _ in steps if name is not None}
    for number, (method, name, uri, outcome) in enumerate(steps, 1):
        problem = contract_step(method, name, uri, outcome, deployed, pool)
        if problem is None and method == "predict" and name in deployed:
            want = expected.get(deployed[name])
            if want is None:
                want = seen.setdefault(deployed[name], predictions(outcome))
            if not agree(predictions(outcome), want):
                problem = (
                    f"predict({name!r}) gave {short(predictions(outcome))}, but its model "
                    f"{deployed[name]!r} predicts {short(want)}"
                )
        if problem:
            return f"step {number} of {len(steps)}: {problem}"
    return None


def contract_step(method, name, uri, outcome, deployed, pool):
    ok = outcome.error is None
    if method == "create_deployment":
        if name in deployed:
            return f"create_deployment({name!r}) returned, but it exists" if ok else None
        if not ok:
            return f"create_deployment({name!r}) {outcome}"
        deployed[name] = uri
        return named_dict(outcome, name)
    if method == "update_deployment":
        if name not in deployed:
            return f"update_deployment({name!r}) returned, but it is missing" if ok else None
        deployed[name] = uri
        return None if ok else f"update_deployment({name!r}) {outcome}"
    if method == "delete_deployment":
        deployed.pop(name, None)
        return None if ok else f"delete_deployment({name!r}) {outcome}"
    if method == "get_deployment":
        if name in deployed:
            return named_dict(outcome, name)
        return f"get_deployment({name!r}) found a deleted deployment" if ok else None
    if method == "list_deployments":
        names, problem = names_in(outcome)
        shown = set(names or ()) & pool
        if problem or shown != set(deployed):
            expected = sorted(deployed)
            return problem or f"list_deployments() shows {sorted(shown)}; expected {expected}"
        return None
    if method == "predict":
        if name not in deployed:
            return f"predict({name!r}) returned on a missing deployment" if ok else None
        return None if ok else f"predict({name!r}) {outcome}"
    return None


def target_help_text():
    from conformance.api import load_target_module

    module = load_target_module(TARGET)
    text, problem = attempt("target_help()", module.target_help)
    if problem or not isinstance(text, str) or not text.strip():
        return problem or f"target_help() returned {short(text)}, not help text"
    return None


def run_local_signature():
    import inspect

    from conformance.api import load_target_module

    run_local = load_target_module(TARGET).run_local
    try:
        signature = inspect.signature(run_local)
    except (TypeError, ValueError):
        return None  # a builtin: nothing to read
    parameters = list(signature.parameters.values())
    if parameters and parameters[0].name == "target":
        return f"run_local{signature} takes 'target' first; MLflow passes the name there"
    try:
        signature.bind("name", "model-uri", None, {})
    except TypeError as error:
        convention = "run_local(name, model_uri, flavor, config)"
        return f"run_local{signature} cannot be called as {convention}: {error}"
    return None


def shape_of(value):
    if isinstance(value, dict):
        return "dict[" + ", ".join(sorted(str(key) for key in list(value)[:20])) + "]"
    return type(value).__name__


def same_as_in_the_run(outcomes, recorded):
    now = [
        ("returned " + shape_of(o.value) if o.error is None else type(o.error).__name__)
        for o in outcomes
    ]
    if now == recorded:
        return "every call ended as in the failing run: " + ", ".join(recorded)
    return None


def holdings():
    """What the target lists now: kind -> name -> the fields its owner chose (as reprs)."""
    watched = {"deployment": ("name", "model_uri", "flavor"), "endpoint": ("name",)}
    held = {}
    for kind, fields in watched.items():
        try:
            listed = within_time(getattr(client, f"list_{kind}s"))
        except Exception:  # a target without endpoints, or a listing that fails: not compared
            continue
        if isinstance(listed, list):
            held[kind] = {
                entry["name"]: {key: repr(entry[key]) for key in fields if key in entry}
                for entry in listed
                if isinstance(entry, dict) and isinstance(entry.get("name"), str)
            }
    return held


def make_bystanders(creator, token):
    """Another user's endpoint (where the target has endpoints) and deployment."""
    try:
        creator.create_endpoint(f"team-{token}-ep")
    except Exception as error:
        print(f"bystander endpoint not made: {described(error)}")
    try:
        creator.create_deployment(f"team-{token}-scorer", MODEL_URI, FLAVOR, CONFIG)
    except Exception as error:
        print(f"bystander deployment not made: {described(error)}")
    return 0


def bystanders():
    """What the replay must leave alone: deployments and endpoints of another user, made from
    another process as another session of the plugin would (from a second client in this
    process when the target is not shared between processes), and, with --include-existing,
    what the target held before. Refuses (exit 2) a target holding resources of others
    without --include-existing: the violation being replayed deletes or changes them."""
    import os
    import subprocess

    existing = holdings()
    count = sum(len(named) for named in existing.values())
    if count and "--include-existing" not in sys.argv:
        print(
            f"{CHECK}: not run: the target already holds {count} deployment(s) or "
            "endpoint(s) this script did not create, and replaying this violation may delete "
            "or change them. Point TARGET at a test target, or run the script again with "
            "--include-existing to watch them too, at their risk."
        )
        sys.exit(2)
    names = {"endpoint": f"team-{TOKEN}-ep", "deployment": f"team-{TOKEN}-scorer"}
    for kind, name in names.items():  # the endpoint first, so it is deleted last
        CREATED.append((f"delete_{kind}", name, {}))
    script = os.path.abspath(__file__)
    subprocess.run(
        [sys.executable, script, "--make-bystanders", TOKEN], timeout=3 * TIMEOUT + 60
    )
    made = holdings()
    if names["deployment"] not in made.get("deployment", {}):
        print("bystanders made in another process are not seen here: made from a second client")
        make_bystanders(get_deploy_client(TARGET), TOKEN)
        made = holdings()
    if names["deployment"] not in made.get("deployment", {}):
        print(f"{CHECK}: not run: the bystander deployment {names['deployment']!r} is not listed")
        sys.exit(2)
    for kind, name in names.items():
        if name not in made.get(kind, {}):  # no endpoints here: nothing to tidy up
            REFUSED.add((f"delete_{kind}", name))
    # What was there before is watched as it was before: making the bystanders writes too.
    return {kind: {**made.get(kind, {}), **existing.get(kind, {})} for kind in made}


def replay_writes():
    """The calls of the run that write, on a deployment and an endpoint of the script's own:
    create, update, delete and delete again."""
    name, endpoint = f"mdc-{TOKEN}-foreign-probe-1", f"mdc-{TOKEN}-foreign-probe-ep-1"
    if call("create_deployment", name, MODEL_URI, FLAVOR, CONFIG).error is None:
        if UPDATED_MODEL_URI:
            call("update_deployment", name, UPDATED_MODEL_URI)
    call("delete_deployment", name)
    call("delete_deployment", name)
    if call("create_endpoint", endpoint).error is None:
        call("delete_endpoint", endpoint)
        call("delete_endpoint", endpoint)


def still_there(kind, name, after):
    """Listed, or (a listing may page or lag) found by name."""
    if name in after.get(kind, {}):
        return True
    try:
        return isinstance(within_time(lambda: getattr(client, f"get_{kind}")(name)), dict)
    except Exception:
        return False


def kept(before, after):
    gone = [
        f"{kind} {name}"
        for kind, named in before.items()
        for name in named
        if not still_there(kind, name, after)
    ]
    if gone:
        return f"{len(gone)} resource(s) the replay never touched are gone: {', '.join(gone)}"
    return None


def unchanged(before, after):
    changes = []
    for kind, named in before.items():
        for name, fields in named.items():
            now = after.get(kind, {}).get(name)
            if now is None:
                continue  # gone, not changed: resources.foreign-kept's to judge
            moved = [
                f"{key} {fields[key]} -> {now.get(key)}"
                for key in fields
                if now.get(key) != fields[key]
            ]
            if moved:
                changes.append(f"{kind} {name}: {', '.join(moved)}")
    if changes:
        return f"{len(changes)} resource(s) the replay never touched changed: {'; '.join(changes)}"
    return None
'''

# Every script has these, whatever its test.
_ALWAYS = ("short", "Outcome", "described", "call", "within_time", "connect", "clean_up")


@functools.cache
def _helper_sources() -> dict[str, tuple[str, set[str]]]:
    """Each helper's source and the names it uses (worked out once: every script needs it)."""
    tree = ast.parse(_HELPERS)
    lines = _HELPERS.splitlines(keepends=True)
    found: dict[str, tuple[str, set[str]]] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
            # Whole lines: helpers start at the margin and have no decorators.
            source = "".join(lines[node.lineno - 1 : node.end_lineno]).rstrip("\n")
            found[node.name] = (source, used)
    return found


def _helpers_for(source: str) -> str:
    """The helpers ``source`` uses, with the ones they use, in the order they are written."""
    helpers = _helper_sources()
    wanted = set(_ALWAYS)
    pending = [name for name in helpers if re.search(rf"\b{name}\b", source)] + list(_ALWAYS)
    while pending:
        name = pending.pop()
        wanted.add(name)
        pending.extend(n for n in helpers[name][1] if n in helpers and n not in wanted)
    return "\n\n\n".join(helpers[name][0] for name in helpers if name in wanted)


def _call_line(variable: str, call: Call, token: str) -> str:
    arguments = [_literal(a, token) for a in call.args] + [
        f"{k}={_literal(v, token)}" for k, v in call.kwargs.items()
    ]
    if call.copies > 1:
        return f"{variable} = race({call.copies}, {call.method!r}, {', '.join(arguments)})"
    return f"{variable} = call({', '.join([repr(call.method), *arguments])})"


def _recorded_end(call: Call) -> str:
    return f"returned {call.shape}" if call.error is None else type(call.error).__name__


# Checks judged from generated sequences, each of whose names carries the sequence's prefix
# ("...-s0003-..."); hypothesis replays the shrunk failing sequence last.
_GENERATED_SEQUENCES = {"stateful.lifecycle", "names.dns-labels-round-trip"}
_SEQUENCE = re.compile(r"-s[0-9a-f]{4}-")


def _last_sequence(calls: list[Call]) -> tuple[list[Call], str, list[Call]]:
    """The calls of the last generated sequence (the shrunk failing one), a note, and the
    writes that ended the sequence before it (its teardown: the target's state at the start)."""
    tagged = [
        (index, found.group())
        for index, call in enumerate(calls)
        for argument in call.args[:1]
        if isinstance(argument, str) and (found := _SEQUENCE.search(argument))
    ]
    if not tagged:
        return calls, "", []
    last = tagged[-1][1]
    start = next(index for index, tag in tagged if tag == last)
    lead_in = start
    while lead_in > 0 and calls[lead_in - 1].method in WRITES and calls[lead_in - 1].copies == 1:
        lead_in -= 1
    note = (
        f"The script replays the last generated sequence (its names carry {last.strip('-')!r}),"
        " the shrunk example hypothesis failed on last."
    )
    if lead_in < start:
        note += (
            f" It first makes the {start - lead_in} write(s) that ended the sequence before it "
            "in the run, unjudged: the target's state at the start can decide the failure."
        )
    return calls[start:], note, calls[lead_in:start]


def _stand_ins(sequence: list[Call], token: str) -> list[Call]:
    """Creates, like the sequence's first, of the run's own deployments (of other scenarios)
    that the sequence's fullest listing showed. Only the run's names: another owner's
    deployment is on the target already, or is not the script's to make (nor to delete)."""
    creates = [c for c in sequence if c.method == "create_deployment" and c.args]
    own = {c.args[0] for c in creates}
    others = max(
        (
            [name for name in c.listed if token in name and name not in own]
            for c in sequence
            if c.method == "list_deployments"
        ),
        key=len,
        default=[],
    )
    if not creates:
        return []
    first = creates[0]
    return [
        Call(
            seq=first.seq,
            method="create_deployment",
            args=(name, *first.args[1:]),
            kwargs=dict(first.kwargs),
            made_for=first.made_for,
        )
        for name in others
    ]


# Checks that judge loading the plugin: what get_deploy_client refuses.
_LOADING = {"module.loads", "module.one-client-class", "module.has-run-local-and-target-help"}
_LOADING_BLOCKER = re.compile(r"see (module\.[a-z-]+)")


def loading_owner(check_id: str, message: str) -> str | None:
    """The loading check whose reproducer stands for ``check_id``'s, or None.

    When the plugin does not load, every check that needs it is blocked by the one check that
    judged the loading; they all share that check's reproducer, since loading is all any of
    them could replay.
    """
    found = _LOADING_BLOCKER.search(message)
    if found is not None and found.group(1) in _LOADING:
        return found.group(1)
    return check_id if check_id in _LOADING else None


def reproducer_name(check_id: str, message: str) -> str:
    """The file name (without ``.py``) of the reproducer of ``check_id``, failed with ``message``:
    its own id, or the id of the loading check it shares its reproducer with."""
    return loading_owner(check_id, message) or check_id


def _blocking_check(message: str) -> str | None:
    """The check a could-not-check message points to ("...; see deployment.create...")."""
    found = re.findall(r"see ([a-z_]+(?:\.[a-z0-9-]+)+)", message)
    return found[-1] if found else None


def _named_call(calls: list[Call], message: str) -> int | None:
    """The last call whose exception the failure message quotes."""
    from conformance._verdicts import describe

    for index in range(len(calls) - 1, -1, -1):
        error = calls[index].error
        if error is not None and calls[index].copies == 1 and describe(error) in message:
            return index
    return None


def _judgement(
    check: Check,
    calls: list[Call],
    message: str,
    token: str,
    expected: Callable[[str], Any],
    notes: tuple[str, ...],
) -> tuple[str, str, list[int], str]:
    """What the script expects, its test, the calls to replay, and a note on how it judges."""
    blocker = _blocking_check(message)
    # A check that could not judge because another check's clause is broken first is judged
    # by its own rule, which finds what blocked it (a malformed listing, say) a problem too;
    # without a rule of its own, by the blocking check's.
    rule = RULES.get(check.id) or (RULES.get(blocker) if blocker is not None else None)
    if check.id in _LOADING or blocker in _LOADING:
        # get_deploy_client enforces what these checks judge: loading is the test.
        return "the plugin module loads and its client can be built", "None", [], ""
    if NO_MODEL in message:
        return (
            "not judged: the run had no model to deploy",
            f"CANNOT_JUDGE  # re-run the kit with --deployment-model-uri, then -k {check.id}",
            [],
            f"{check.id} did not run: the kit's run had no model to deploy to this target "
            "(the kit makes its own models for the memory target, and for others only with "
            "MLflow installed). Re-run the kit with --deployment-model-uri twice (the primary "
            "model, then the model to update to) or with the kit's mlflow extra. The script "
            "has nothing to replay: it exits 2 once the plugin loads.",
        )
    if check.id in _BEYOND_A_SCRIPT:
        return _cannot_judge(check, _BEYOND_A_SCRIPT[check.id])
    if rule is not None:
        judged = _by_rule(rule, calls, message, token, expected, notes)
        if judged is not None:
            return judged
    named = _named_call(calls, message)
    if named is not None:
        variable = f"outcome_{named + 1}"
        keep = list(range(named + 1))
        if "expected MlflowException" in message:
            return "the call raises MlflowException", f"must_raise({variable})", keep, ""
        return (
            f"{calls[named].method} returns instead of raising",
            f"must_return({variable})",
            keep,
            "",
        )
    if not calls:
        return _cannot_judge(check, "judges what no plugin call of the client shows")
    recorded = [_recorded_end(call) for call in calls]
    names = [f"outcome_{i + 1}" for i, call in enumerate(calls) if call.copies == 1]
    recorded = [end for end, call in zip(recorded, calls, strict=True) if call.copies == 1]
    why = (
        "the calls it relied on do not show what it judges"
        if rule is None
        else "the calls its judgement reads were not recorded in this run"
    )
    note = (
        f"This check's own judgement is not written out here ({why}): the script replays the "
        "calls it made and reports whether the plugin still ends each call as in the failing "
        "run. A change is not proof of a fix: re-run the kit on the check to be sure."
    )
    return (
        "a different outcome than in the failing run",
        f"same_as_in_the_run([{', '.join(names)}], {recorded!r})",
        list(range(len(calls))),
        note,
    )


@dataclass(frozen=True)
class Deploying:
    """How the run deployed: a script that deploys on its own does it the same way."""

    model_uri: str
    updated_model_uri: str | None
    flavor: str | None
    config: dict[str, Any]


# The foreign-resource checks compare what the target held before the run with what it holds
# after. Replaying the run against a target with others' resources would repeat the harm, so
# their scripts make bystanders of their own first and watch those (and existing resources
# only when asked to): what each expects, and its test.
_FOREIGN_TESTS = {
    "resources.foreign-kept": (
        "every deployment and endpoint that was on the target before the replay is still there",
        "kept(before, holdings())",
    ),
    "resources.foreign-unchanged": (
        "every deployment that was on the target before the replay keeps its model_uri and flavor",
        "unchanged(before, holdings())",
    ),
}
_FOREIGN_NOTE = (
    "The run's harm was to resources the kit did not create. To show it without repeating it "
    "on anyone's resources, the script makes bystanders of its own first (a deployment and, "
    "where the target has endpoints, an endpoint), from another process as another session "
    "of the plugin would; then it replays the calls of the run that write (a deployment's "
    "create, update, delete and delete again, an endpoint's create and deletes) and compares. "
    "A target that already holds others' resources is refused (exit 2) unless the script is "
    "run with --include-existing, which watches those too. A harm that only some other call "
    "does (a predict, say) does not show here: re-run the kit with -k to see it."
)

# Checks whose judgement a script cannot replay, and why.
_BEYOND_A_SCRIPT = {
    check_id: (
        "compares what the target held before the run with what it holds after, and this "
        "run had no model the script could deploy to make resources of its own to watch"
    )
    for check_id in _FOREIGN_TESTS
}


def _cannot_judge(check: Check, why: str) -> tuple[str, str, list[int], str]:
    return (
        "this check cannot be judged outside the kit",
        f"CANNOT_JUDGE  # re-run the kit with -k {check.id}",
        [],
        f"{check.id} {why}, so the script has nothing to replay: it exits 2 once the plugin "
        f"loads. Re-run the kit with -k {check.id} to see whether it is fixed.",
    )


def _by_rule(
    rule: Rule,
    calls: list[Call],
    message: str,
    token: str,
    expected: Callable[[str], Any],
    notes: tuple[str, ...],
) -> tuple[str, str, list[int], str] | None:
    """The rule's judgement of ``calls``; None when the calls it judges are not there."""
    picked = rule.pick(calls)
    if not picked and rule.replays != 0:
        return None
    replayed = picked if rule.replays is None else picked[: rule.replays]
    judged = Judged(
        names=[f"outcome_{i + 1}" for i in picked],
        calls=[calls[i] for i in picked],
        literal=lambda value: _literal(value, token),
        expected=expected,
        message=message,
        notes=notes,
    )
    try:
        test = rule.test(judged)
    except (_Unwritable, IndexError):  # the calls are not all there: replayed instead
        return None
    if not test:
        return None
    return rule.expected, test, list(range(max(replayed) + 1)) if replayed else [], ""


def reproducer_script(
    check: Check,
    calls: list[Call],
    message: str,
    *,
    target: str,
    plugin: str | None,
    token: str,
    notes: list[str] | None = None,
    expected: Callable[[str], Any] | None = None,
    timeout: float = 60.0,
    deploying: Deploying | None = None,
    meanwhile: Callable[[int, int, list[Call]], list[Call]] | None = None,
) -> str:
    """The reproducer of ``check``, which failed with ``message`` after making ``calls``.

    A check blocked because the plugin did not load gets the loading check's reproducer, the
    same script word for word (so the run writes it once, whichever check writes it).
    ``expected`` gives the exact predictions of a model URI on the sample input where the kit
    knows them (None where it does not). ``deploying`` is how the run deployed, for checks
    whose script deploys on its own (the foreign-resource checks, which cannot judge without).
    ``meanwhile(after, before, own)`` gives the writes other scenarios made between two of the
    check's calls: the script replays them before a call that failed in the run.
    """
    replay_note = ""
    owner = loading_owner(check.id, message)
    if owner is not None:
        from conformance._catalogue import by_id

        check, calls, message, notes = by_id(owner), [], "", []
        replay_note = (
            "Every check that could not run because the plugin did not load shares this "
            f"script: fix what {owner} reports and they can run. Running it prints why "
            "get_deploy_client refuses the plugin."
        )
    lead_in: list[Call] = []
    if check.id in _GENERATED_SEQUENCES:
        # Where the kit does not know a model's predictions in advance, the sequences compare
        # with what the model predicted first in the run, maybe in an earlier sequence.
        expected = _or_first_seen(expected or _unknown, _first_predictions(calls))
        calls, replay_note, lead_in = _last_sequence(calls)
        stand_ins = _stand_ins(calls, token)
        if stand_ins:
            calls = stand_ins + calls
            replay_note += (
                f" It first creates stand-ins for the {len(stand_ins)} deployment(s) of the "
                "run's other scenarios that the sequence's listings showed "
                f"({', '.join(repr(c.args[0]) for c in stand_ins)}), as the run had them: "
                "what a listing shows can depend on them."
            )
    foreign = _FOREIGN_TESTS.get(check.id) if deploying is not None else None
    if foreign is not None:
        expected_text, test_source = foreign
        replayed: list[int] = []
        note = _FOREIGN_NOTE
    else:
        expected_text, test_source, replayed, note = _judgement(
            check, calls, message, token, expected or _unknown, tuple(notes or ())
        )
    note = " ".join(part for part in (replay_note, note) if part)
    lines: list[str] = ["before = bystanders()", "replay_writes()"] if foreign else []
    for number, write in enumerate(lead_in, 1):
        with contextlib.suppress(_Unwritable):
            lines.append(_call_line(f"before_sequence_{number}", write, token))
    unwritable: list[str] = []
    others: list[Call] = []
    for index in replayed:
        current = calls[index]
        if meanwhile is not None and index > 0 and current.error is not None:
            # In the run, other scenarios may have written to the target since the check's
            # previous call, just before this one failed.
            since = calls[index - 1].seq
            for number, other in enumerate(meanwhile(since, current.seq, calls), 1):
                with contextlib.suppress(_Unwritable):
                    lines.append(_call_line(f"meanwhile_{index + 1}_{number}", other, token))
                    others.append(other)
        try:
            lines.append(_call_line(f"outcome_{index + 1}", current, token))
        except _Unwritable as error:
            unwritable.append(f"call {index + 1} ({current.method}): {error}")
            lines.append(f"outcome_{index + 1} = Outcome(error=RuntimeError('not replayed'))")
    if others:
        shown = ", ".join(f"{c.method}({_one_line(repr(c.args[0]), 60)})" for c in others[:4])
        more = f" and {len(others) - 4} more" if len(others) > 4 else ""
        extra = (
            "Before each call that failed in the run, the script also makes the writes the "
            f"run's other scenarios made just before it ({shown}{more}), under its own names: "
            "the failure may be their doing."
        )
        note = f"{note} {extra}" if note else extra
    sources = "\n".join(lines)
    uses_pandas = "pd." in sources + test_source
    uses_numpy = "np." in sources + test_source
    data_imports = "\n".join(
        line
        for line, used in (("import numpy as np", uses_numpy), ("import pandas as pd", uses_pandas))
        if used
    )
    from conformance.api._targets import parse_target_uri

    target_name = parse_target_uri(target)
    register = f"register_target({target_name!r}, PLUGIN_MODULE)  # as --deployment-plugin did"
    header = [f"Reproduces {check.id} ({check.level}): {_one_line(check.clause)}"]
    if message:
        header += ["", f"The run reported: {_one_line(message, 400)}"]
    if note:
        header += ["", *textwrap.wrap(note, 92)]
    if unwritable:
        header += ["", "Not replayed (their arguments cannot be written inline):", *unwritable]
    for extra in notes or []:
        header += ["", *extra.splitlines()]
    header += [
        "",
        "Exits 1 while the plugin breaks the clause, 0 once it keeps it. Uses only the plugin and",
        "conformance.api; run it with the plugin importable, as the kit's run had it.",
    ]
    docstring = "\n".join(header).replace('"""', "'''").replace("\\", "\\\\")
    body = [
        "#!/usr/bin/env python",
        f'"""{docstring}\n"""',
        "",
        "from __future__ import annotations",
        _OPENING.replace(
            "__REGISTER_IMPORT__", "from conformance.api import register_target" if plugin else ""
        )
        .replace("__DATA_IMPORTS__", data_imports)
        .rstrip(),
        "",
        "",
        _helpers_for(sources + "\n" + test_source),
        "",
        "",
        f"CHECK = {check.id!r}",
        f"EXPECTED = {expected_text!r}",
        f"TARGET = {target!r}",
        f"TIMEOUT = {timeout:g}  # seconds a plugin call may take, as in the run",
    ]
    if foreign is not None and deploying is not None:
        body += [
            f"MODEL_URI = {deploying.model_uri!r}",
            f"UPDATED_MODEL_URI = {deploying.updated_model_uri!r}",
            f"FLAVOR = {deploying.flavor!r}",
            f"CONFIG = {_literal(deploying.config)}",
        ]
    if plugin:
        body += [f"PLUGIN_MODULE = {plugin!r}", register]
    if foreign is not None:
        body += [
            "",
            'if sys.argv[1:2] == ["--make-bystanders"]:  # the other process bystanders() starts',
            "    sys.exit(make_bystanders(get_deploy_client(TARGET), sys.argv[2]))",
            "",
        ]
    cannot_judge = test_source.startswith("CANNOT_JUDGE")
    body += [
        "client, problem = connect()",
        "if problem is None:",
        "    try:",
        textwrap.indent(sources or "pass", "        "),
        textwrap.indent(f"problem = {'None' if cannot_judge else test_source}", "        "),
        "    finally:",
        "        clean_up()",
        "",
    ]
    if cannot_judge:
        body += [
            "if problem is None:",
            '    print(f"{CHECK}: {EXPECTED}; the plugin loads")',
            "    sys.exit(2)",
        ]
    body += [
        "if problem:",
        '    print(f"{CHECK}: FAILED")',
        '    print(f"  expected: {EXPECTED}")',
        '    print(f"  actual:   {problem}")',
        "    sys.exit(1)",
        'print(f"{CHECK}: passed")',
        'print(f"  expected: {EXPECTED}")',
    ]
    if check.id in _GENERATED_SEQUENCES:
        body.append(f"print({_ALONE_CAVEAT!r})")
    body += ["sys.exit(0)", ""]
    return _clean("\n".join(body))


# A sequence replayed alone can pass where, in the run, it failed because of what the run's
# other scenarios held at that moment (a listing's first page, say): say so on a pass.
_ALONE_CAVEAT = (
    "  note: this replays the sequence without the run's other scenarios, which were working "
    "on the target at the same time. If the kit still reports the check, re-run it with -k to "
    "see it fail there."
)


def _or_first_seen(known: Callable[[str], Any], first_seen: dict[str, Any]) -> Callable[[str], Any]:
    def expected(model_uri: str) -> Any:
        exact = known(model_uri)
        return exact if exact is not None else first_seen.get(model_uri)

    return expected


def _first_predictions(calls: list[Call]) -> dict[str, Any]:
    """What each model URI predicted first among ``calls``, followed through their creates,
    updates and deletes; a deployment's model as created counts before one it was updated to
    (a plugin that ignores updates would otherwise teach the script the wrong predictions)."""
    deployed: dict[Any, tuple[str, bool]] = {}  # name -> (model URI, whether it was created so)
    first: dict[tuple[str, bool], Any] = {}
    for call in calls:
        if call.error is not None or call.copies > 1:
            continue
        if call.method in ("create_deployment", "update_deployment"):
            uri = _keyword(call, "model_uri", 1)
            if isinstance(uri, str):
                deployed[_name(call)] = (uri, call.method == "create_deployment")
        elif call.method == "delete_deployment":
            deployed.pop(_name(call), None)
        elif call.method == "predict" and call.predictions is not None:
            model = deployed.get(_name(call))
            if model is not None:
                first.setdefault(model, call.predictions)
    uris = {uri for uri, _ in first}
    return {uri: first.get((uri, True), first.get((uri, False))) for uri in uris}


def _unknown(model_uri: str) -> Any:
    """No model's predictions are known in advance."""
    del model_uri
    return None


def _clean(source: str) -> str:
    return re.sub(r"\n{3,}", "\n\n\n", source)


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 3] + "..."
