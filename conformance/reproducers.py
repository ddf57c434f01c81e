"""Reproducer scripts: a failed check, replayed outside the kit in a few lines of Python.

A reproducer loads the plugin the way the run did, replays the plugin calls the check made or
relied on (with fresh names and the inputs written inline), judges the call the check judged
the way the check judges it, prints the check id with what was expected and what happened,
deletes what it created, and exits 1 while the violation is there and 0 once it is gone.

How a check is judged is written down per check in :data:`RULES` for the checks that judge one
call (or a few). Any other check whose failure names a call that raised is judged by that call:
it must return (or, where the check wanted MlflowException, raise one). What is left replays
the calls and says whether the plugin still behaves as in the failing run: a change, not proof
of a fix, and the script says so.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conformance.catalogue import Check
from conformance.recording import Call

__all__ = ["RULES", "Rule", "loading_owner", "reproducer_name", "reproducer_script"]

_MAX_LITERAL = 20_000


@dataclass(frozen=True)
class Rule:
    """How a check judges its calls: which calls, what it expects, and the script's test.

    ``pick`` returns the indices of the judged calls; ``test`` returns a Python expression,
    given the judged calls' outcome variables, the calls themselves and a function that writes a
    value as source, that evaluates to None
    when the clause is kept and to a description of what happened otherwise.
    """

    expected: str
    pick: Callable[[list[Call]], list[int]]
    test: Callable[[list[str], list[Call], Callable[[Any], str]], str]


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


def _raises(code: str | None = None) -> Callable[..., str]:
    return lambda names, calls, literal: f"must_raise({names[0]}, {code!r})"


def _flavor_only(call: Call) -> bool:
    return call.kwargs.get("model_uri") is None and bool(call.kwargs.get("flavor"))


def _last_predict_and_the_one_before_the_conflict(calls: list[Call]) -> list[int]:
    creates = _indices(calls, "create_deployment")
    predicts = _indices(calls, "predict")
    if len(creates) < 2 or len(predicts) < 2:
        return []
    before = [i for i in predicts if i < creates[-1]]
    after = [i for i in predicts if i > creates[-1]]
    return [before[-1], after[-1]] if before and after else []


def _delete_then_get(calls: list[Call]) -> list[int]:
    deletes = _indices(calls, "delete_deployment")
    if not deletes:
        return []
    gets = [i for i in _indices(calls, "get_deployment") if i > deletes[0]]
    return [deletes[0], gets[0]] if gets else []


RULES: dict[str, Rule] = {
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
        lambda names, calls, literal: f"same_predictions({names[0]}, {names[1]})",
    ),
    "deployment.create.returns-name": Rule(
        "create_deployment returns a dict whose 'name' is the name asked for",
        _first("create_deployment"),
        lambda names, calls, literal: f"named_dict({names[0]}, {literal(calls[0].args[0])})",
    ),
    "deployment.create.returns-flavor": Rule(
        "create_deployment returns a dict with a 'flavor' key",
        _first("create_deployment"),
        lambda names, calls, literal: f"has_key({names[0]}, 'flavor')",
    ),
    "deployment.create.bad-model-raises": Rule(
        "creating a deployment of a model URI the target cannot resolve raises MlflowException",
        _first("create_deployment"),
        _raises(),
    ),
    "deployment.get.returns-name": Rule(
        "get_deployment returns a dict whose 'name' is the name asked for",
        _last("get_deployment"),
        lambda names, calls, literal: f"named_dict({names[0]}, {literal(calls[0].args[0])})",
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
    "predict.missing-raises": Rule(
        "predicting with a deployment that does not exist raises MlflowException",
        _last("predict"),
        _raises(),
    ),
    "predict.returns-response": Rule(
        "predict returns a PredictionsResponse holding 'predictions'",
        _last("predict"),
        lambda names, calls, literal: f"is_response({names[0]})",
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
        lambda names, calls, literal: f"update_result({names[0]})",
    ),
    "deployment.delete.idempotent": Rule(
        "every delete_deployment returns, also for a deleted or never-created name",
        _every("delete_deployment"),
        lambda names, calls, literal: f"all_return([{', '.join(names)}])",
    ),
    "deployment.delete.removes": Rule(
        "after delete_deployment returns, get_deployment of the name raises",
        _delete_then_get,
        lambda names, calls, literal: f"removed({names[0]}, {names[1]})",
    ),
    "deployment.list.returns-dicts": Rule(
        "list_deployments returns a list of dicts that each have 'name', the deployment among them",
        lambda calls: _first("create_deployment")(calls) + _last("list_deployments")(calls),
        lambda names, calls, literal: f"lists({names[1]}, {literal(calls[0].args[0])})",
    ),
}


# -- literals -------------------------------------------------------------------------------------


class _Unwritable(Exception):
    """A value the script cannot spell inline."""


def _string(text: str, token: str) -> str:
    """``text`` as source; the run's token in it becomes the script's own, so names are fresh."""
    if token and token in text:
        parts = [repr(part) for part in text.split(token)]
        return " + TOKEN + ".join(parts).replace("'' + ", "").replace(" + ''", "")
    return repr(text)


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

_PRELUDE = '''
import sys
import threading

from conformance.api import MlflowException, PredictionsResponse, get_deploy_client
__REGISTER_IMPORT__
__DATA_IMPORTS__


def fresh_token():
    """Six lowercase letters and digits, so names look like the run's (and its sweep's)."""
    import secrets
    import string

    while True:
        token = "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in "123456")
        if any(c.isdigit() for c in token) and any(c.isalpha() for c in token):
            return token


TOKEN = fresh_token()
CREATED = []  # (method that deletes it, name, keywords), deleted at the end


def short(value):
    text = " ".join(repr(value).split())
    return text if len(text) <= 160 else text[:157] + "..."


class Outcome:
    def __init__(self, value=None, error=None):
        self.value, self.error = value, error

    def __str__(self):
        if self.error is None:
            return f"returned {short(self.value)}"
        lines = str(self.error).splitlines() or [""]
        return f"raised {type(self.error).__name__}: {lines[0]}"


def call(method, *args, **kwargs):
    """One plugin call, as the kit made it; what it returned or raised."""
    if method in ("create_deployment", "create_endpoint") and args:
        delete = "delete_deployment" if method == "create_deployment" else "delete_endpoint"
        keywords = {"endpoint": kwargs["endpoint"]} if kwargs.get("endpoint") else {}
        if (delete, args[0], keywords) not in CREATED:
            CREATED.append((delete, args[0], keywords))
    try:
        value = getattr(client, method)(*args, **kwargs)
        if method == "predict_stream":
            value = list(value)
        if method in ("delete_deployment", "delete_endpoint"):
            CREATED[:] = [entry for entry in CREATED if entry[:2] != (method, args[0])]
        return Outcome(value=value)
    except Exception as error:  # the judgement below decides what the exception means
        return Outcome(error=error)


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


def is_response(outcome):
    if outcome.error is not None:
        return f"the call {outcome}"
    value = outcome.value
    if not isinstance(value, PredictionsResponse) and type(value).__name__ != "PredictionsResponse":
        return f"it returned {type(value).__module__}.{type(value).__qualname__}"
    if "predictions" not in value:
        return "the response has no 'predictions'"
    return None


def plain(value):
    """Predictions as plain lists and numbers, so two answers compare."""
    if hasattr(value, "to_dict") and hasattr(value, "columns"):
        return plain(value.to_dict(orient="records"))
    if hasattr(value, "tolist"):
        return plain(value.tolist())
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def agree(left, right):
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        if left != left or right != right:
            return left != left and right != right
        return abs(left - right) <= 1e-9 * max(1.0, abs(left), abs(right))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(agree(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(agree(a, b) for a, b in zip(left, right))
    return left == right


def predictions(outcome):
    value = outcome.value
    if isinstance(value, dict) and "predictions" in value:
        value = value["predictions"]
    return plain(value)


def same_predictions(before, after):
    if before.error is not None:
        return f"the predict before {before}, so there is nothing to compare with"
    if after.error is not None:
        return f"the predict afterwards {after}"
    if not agree(predictions(before), predictions(after)):
        return f"before: {short(predictions(before))}; after: {short(predictions(after))}"
    return None


def removed(deleted, got):
    if deleted.error is not None:
        return f"delete_deployment {deleted}"
    if got.error is None:
        return f"get_deployment after the delete {got}"
    return None


def lists(outcome, name):
    if outcome.error is not None:
        return f"the call {outcome}"
    value = outcome.value
    if not isinstance(value, list) or not all(isinstance(e, dict) and "name" in e for e in value):
        return f"it returned {short(value)}, not a list of dicts with 'name'"
    if name not in [e["name"] for e in value]:
        return f"{name!r} is not listed"
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


def connect():
    """The client, built as MLflow builds it; or why it could not be."""
    try:
        return get_deploy_client(TARGET), None
    except Exception as error:
        lines = str(error).splitlines() or [""]
        return None, f"get_deploy_client({TARGET!r}) raised {type(error).__name__}: {lines[0]}"


def clean_up():
    for delete, name, keywords in reversed(CREATED):
        try:
            getattr(client, delete)(name, **keywords)
        except Exception as error:
            print(f"cleanup: {delete}({name!r}) raised {type(error).__name__}: {error}")
'''


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


def _last_sequence(calls: list[Call]) -> tuple[list[Call], str]:
    """The calls of the last generated sequence (the shrunk failing one), and a note."""
    tagged = [
        (index, found.group())
        for index, call in enumerate(calls)
        for argument in call.args[:1]
        if isinstance(argument, str) and (found := _SEQUENCE.search(argument))
    ]
    if not tagged:
        return calls, ""
    last = tagged[-1][1]
    start = next(index for index, tag in tagged if tag == last)
    return calls[start:], (
        f"The script replays the last generated sequence (its names carry {last.strip('-')!r}),"
        " the shrunk example hypothesis failed on last."
    )


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
    from conformance.verdicts import describe

    for index in range(len(calls) - 1, -1, -1):
        error = calls[index].error
        if error is not None and calls[index].copies == 1 and describe(error) in message:
            return index
    return None


def _judgement(
    check: Check, calls: list[Call], message: str, token: str
) -> tuple[str, str, list[int], str]:
    """What the script expects, its test, the calls to replay, and a note on how it judges."""
    rule = RULES.get(check.id)
    blocker = _blocking_check(message)
    if blocker is not None and blocker != check.id:
        # The check could not judge because another check's clause is broken first: that
        # clause is what the script judges, and fixing it unblocks this check.
        rule = RULES.get(blocker, rule)
    if check.id in _LOADING or blocker in _LOADING:
        # get_deploy_client enforces what these checks judge: loading is the test.
        return "the plugin module loads and its client can be built", "None", [], ""
    if rule is not None:
        picked = rule.pick(calls)
        if picked:
            names = [f"outcome_{i + 1}" for i in picked]
            try:
                test = rule.test(
                    names, [calls[i] for i in picked], lambda value: _literal(value, token)
                )
            except _Unwritable:
                test = ""
            if test:
                return rule.expected, test, list(range(max(picked) + 1)), ""
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
        return (
            "(this check cannot be judged outside the kit)",
            f"CANNOT_JUDGE  # re-run the kit with -k {check.id}",
            [],
            f"{check.id} judges what no plugin call of the client shows (the module's "
            "functions, or the kit's own view of the run), so there is nothing to replay: the "
            "script exits 2. Re-run the kit on this check to see whether it is fixed.",
        )
    recorded = [_recorded_end(call) for call in calls]
    names = [f"outcome_{i + 1}" for i, call in enumerate(calls) if call.copies == 1]
    recorded = [end for end, call in zip(recorded, calls, strict=True) if call.copies == 1]
    note = (
        "This check's own judgement is not written out here: the script replays the calls it "
        "made and reports whether the plugin still ends each call as in the failing run. A "
        "change is not proof of a fix: re-run the kit on the check to be sure."
    )
    return (
        "a different outcome than in the failing run",
        f"same_as_in_the_run([{', '.join(names)}], {recorded!r})",
        list(range(len(calls))),
        note,
    )


def reproducer_script(
    check: Check,
    calls: list[Call],
    message: str,
    *,
    target: str,
    plugin: str | None,
    token: str,
    notes: list[str] | None = None,
) -> str:
    """The reproducer of ``check``, which failed with ``message`` after making ``calls``.

    A check blocked because the plugin did not load gets the loading check's reproducer, the
    same script word for word (so the run writes it once, whichever check writes it).
    """
    replay_note = ""
    owner = loading_owner(check.id, message)
    if owner is not None:
        from conformance.catalogue import by_id

        check, calls, message, notes = by_id(owner), [], "", []
        replay_note = (
            "Every check that could not run because the plugin did not load shares this "
            f"script: fix what {owner} reports and they can run. Running it prints why "
            "get_deploy_client refuses the plugin."
        )
    if check.id in _GENERATED_SEQUENCES:
        calls, replay_note = _last_sequence(calls)
    expected, test_source, replayed, note = _judgement(check, calls, message, token)
    note = " ".join(part for part in (replay_note, note) if part)
    lines: list[str] = []
    unwritable: list[str] = []
    for index in replayed:
        try:
            lines.append(_call_line(f"outcome_{index + 1}", calls[index], token))
        except _Unwritable as error:
            unwritable.append(f"call {index + 1} ({calls[index].method}): {error}")
            lines.append(f"outcome_{index + 1} = Outcome(error=RuntimeError('not replayed'))")
    sources = "\n".join(lines)
    uses_pandas = "pd." in sources
    uses_numpy = "np." in sources
    data_imports = "\n".join(
        line
        for line, used in (("import numpy as np", uses_numpy), ("import pandas as pd", uses_pandas))
        if used
    )
    from conformance.api.targets import parse_target_uri

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
        _PRELUDE.replace(
            "__REGISTER_IMPORT__", "from conformance.api import register_target" if plugin else ""
        )
        .replace("__DATA_IMPORTS__", data_imports)
        .rstrip(),
        "",
        "",
        f"CHECK = {check.id!r}",
        f"EXPECTED = {expected!r}",
        f"TARGET = {target!r}",
    ]
    if plugin:
        body += [f"PLUGIN_MODULE = {plugin!r}", register]
    cannot_judge = test_source.startswith("CANNOT_JUDGE")
    body += [
        "client, problem = connect()",
        "if problem is None:",
        "    try:",
        textwrap.indent(sources or "pass", "        "),
        f"        problem = {'None' if cannot_judge else test_source}",
        "    finally:",
        "        clean_up()",
        "",
    ]
    if cannot_judge:
        body += [
            "if problem is None:",
            '    print(f"{CHECK}: cannot be judged outside the kit; the plugin loads")',
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
        "sys.exit(0)",
        "",
    ]
    return _clean("\n".join(body))


def _clean(source: str) -> str:
    return re.sub(r"\n{3,}", "\n\n\n", source)


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 3] + "..."
