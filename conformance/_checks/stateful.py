"""Random sequences of operations, each step compared with a model of the contract.

The sequences also judge ``names.dns-labels-round-trip``: each sequence names its deployments
with generated DNS labels, so the names are checked at every create, get and list without a
deployment of their own. A sequence that stops because a name was not kept is that check's
failure; any other stop is ``stateful.lifecycle``'s.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from conformance import _catalogue as catalogue
from conformance._checks import check
from conformance._checks._support import (
    CREATE_CHECK,
    GET_CHECK,
    expect_named_dict,
    listed_names,
    matches,
    predictions_of,
)
from conformance._context import Context
from conformance._scenarios import scenario
from conformance._verdicts import CheckFailed, NameChanged, PreconditionFailed

# Names each sequence draws from. A quick run's sequence creates one deployment; a thorough
# one may hold more deployments at once than a first page of a paged listing shows, on its own
# (the run's other scenarios may have deleted theirs by then).
POOL_SIZE = {"quick": 3, "thorough": 6}
# Updates and deletes a quick run's sequence may make: on a slow target each waits, and the
# sequence is the run's longest chain but for it.
QUICK_WRITES = 3
NAMES_CHECK = catalogue.known_id("names.dns-labels-round-trip")
SEQUENCES_CHECK = catalogue.known_id("stateful.lifecycle")


@dataclass(frozen=True)
class Sequences:
    """What the generated sequences found."""

    failure: Exception | None  # what stopped them, or None when every sequence agreed
    names_kept: int  # generated names that get or list gave back unchanged


def contract_machine(
    context: Context,
    create_budget: int | None,
    kept: set[str] | None = None,
    write_budget: int | None = None,
) -> type:
    """A state machine class that drives the target through ``context``'s tracked client.

    Every sequence starts with one deployment and draws its names (generated DNS labels) from a
    pool of its own, under a prefix no other sequence uses, so what one sequence leaves behind
    (a delete that failed, say) cannot confuse the next. ``create_budget`` caps the creates of
    the whole run, so a target is not asked for more deployments than a run may cost, and
    ``write_budget`` its updates and deletes, so it waits on a slow target no longer than the
    run's other scenarios. Names
    that get_deployment or list_deployments gave back unchanged are added to ``kept``.
    """
    from hypothesis import strategies as st
    from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule

    from conformance._checks.properties import dns_names

    client, models = context.client, context.models()
    uris = [models.primary] + ([models.secondary] if models.secondary else [])
    flavor, config = context.profile.flavor, context.create_config
    seen: dict[str, Any] = {}  # what each model predicted first, when not known in advance
    creates = {"left": create_budget}
    writes = {"left": write_budget}

    def may_write(_: Any = None) -> bool:
        return writes["left"] is None or writes["left"] > 0

    def write() -> None:
        if writes["left"] is not None:
            writes["left"] -= 1

    # Fixed width, so every sequence's names have the same room and a replay draws the same.
    sequence_prefixes = (f"{context.namer.prefix}-s{number:04x}" for number in itertools.count())
    names_kept: set[str] = kept if kept is not None else set()

    pool_size = POOL_SIZE[context.profile.hypothesis]
    slots = st.integers(min_value=0, max_value=pool_size - 1)
    model_uris = st.sampled_from(uris)

    class ContractMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.deployed: dict[str, str] = {}  # name -> model URI
            self.prefix = next(sequence_prefixes)
            self.pool: list[str] = []

        @initialize(data=st.data(), slot=slots, uri=model_uris)
        def first_deployment(self, data: Any, slot: int, uri: str) -> None:
            names = st.lists(
                dns_names(self.prefix), min_size=pool_size, max_size=pool_size, unique=True
            )
            self.pool = data.draw(names, label="names")
            self.create(slot, uri)
            # Read the first deployment back at once, so even a run's one short sequence judges
            # its generated name and what the deployment predicts.
            self.get(slot)
            self.list_all()
            self.predict(slot)

        @precondition(lambda _: creates["left"] is None or creates["left"] > 0)
        @rule(slot=slots, uri=model_uris)
        def create(self, slot: int, uri: str) -> None:
            name = self.pool[slot]
            if creates["left"] is not None:
                creates["left"] -= 1
            outcome = client.attempt("create_deployment", name, uri, flavor, config)
            if name in self.deployed:
                if outcome.ok:
                    raise CheckFailed(f"create_deployment({name!r}) succeeded, but it exists")
                return
            if not outcome.ok:
                raise CheckFailed(f"create_deployment({name!r}) failed: {outcome.error}")
            expect_named_dict(outcome.value, name, f"create_deployment({name!r})", CREATE_CHECK)
            self.deployed[name] = uri

        @precondition(may_write)
        @rule(slot=slots, uri=model_uris)
        def update(self, slot: int, uri: str) -> None:
            name = self.pool[slot]
            write()
            outcome = client.attempt("update_deployment", name, uri)
            if name not in self.deployed:
                if outcome.ok:
                    raise CheckFailed(f"update_deployment({name!r}) succeeded, but it is missing")
                return
            if not outcome.ok:
                raise CheckFailed(f"update_deployment({name!r}) failed: {outcome.error}")
            self.deployed[name] = uri

        # Aimed at what exists, so sequences often switch a live deployment's model and then
        # read it back: the bugs single-call checks may miss.
        @precondition(lambda machine: bool(machine.deployed) and may_write())
        @rule(data=st.data(), uri=model_uris)
        def update_existing(self, data: Any, uri: str) -> None:
            name = data.draw(st.sampled_from(sorted(self.deployed)), label="deployed name")
            self.update(self.pool.index(name), uri)
            self.predict(self.pool.index(name))

        @precondition(may_write)
        @rule(slot=slots)
        def delete(self, slot: int) -> None:
            name = self.pool[slot]
            write()
            outcome = client.attempt("delete_deployment", name)
            if not outcome.ok:
                raise CheckFailed(f"delete_deployment({name!r}) failed: {outcome.error}")
            self.deployed.pop(name, None)

        @rule(slot=slots)
        def get(self, slot: int) -> None:
            name = self.pool[slot]
            outcome = client.attempt("get_deployment", name)
            if name in self.deployed:
                if not outcome.ok:
                    raise CheckFailed(f"get_deployment({name!r}) failed: {outcome.error}")
                expect_named_dict(outcome.value, name, f"get_deployment({name!r})", GET_CHECK)
                names_kept.add(name)
            elif outcome.ok:
                raise CheckFailed(f"get_deployment({name!r}) found a deleted deployment")

        @rule()
        def list_all(self) -> None:
            listed = set(listed_names(client.list_deployments(), "list_deployments()"))
            shown = listed & set(self.pool)
            if shown == set(self.deployed):
                names_kept.update(shown)
                return
            strangers = sorted(
                name
                for name in listed - shown
                if isinstance(name, str) and name.startswith(f"{self.prefix}-")
            )
            if strangers:
                raise NameChanged(
                    f"list_deployments() shows {strangers}, which were never created; the "
                    f"deployments created were {sorted(self.deployed)}"
                )
            raise CheckFailed(
                f"list_deployments() shows {sorted(shown)}; expected {sorted(self.deployed)}"
            )

        @rule(slot=slots)
        def predict(self, slot: int) -> None:
            name = self.pool[slot]
            outcome = client.attempt("predict", name, context.sample_input())
            if name not in self.deployed:
                if outcome.ok:
                    raise CheckFailed(f"predict({name!r}) succeeded on a missing deployment")
                return
            if not outcome.ok:
                raise CheckFailed(f"predict({name!r}) failed: {outcome.error}")
            uri = self.deployed[name]
            got = predictions_of(outcome.value, f"predict({name!r})")
            expected = context.expected_predictions(uri)
            if expected is None:
                expected = seen.setdefault(uri, got)
            if not matches(got, expected):
                raise CheckFailed(
                    f"predict({name!r}) gave {got!r}, but the deployed model {uri!r} predicts "
                    f"{expected!r}"
                )

        def teardown(self) -> None:
            for name in list(self.deployed):
                client.attempt("delete_deployment", name)

    return ContractMachine


def _run_sequences(context: Context) -> Sequences:
    from hypothesis.stateful import run_state_machine_as_test

    from conformance._checks.properties import is_slow, settings_for

    quick = context.profile.hypothesis == "quick"
    # A quick run's one sequence is short whatever the target's speed, so it needs no latency.
    steps = 8 if quick or is_slow(context) else 20
    settings = settings_for(
        context, SEQUENCES_CHECK, creates_per_example=2, stateful_step_count=steps
    )
    kept: set[str] = set()
    machine = contract_machine(
        context,
        create_budget=1 if quick else None,
        kept=kept,
        write_budget=QUICK_WRITES if quick else None,
    )
    try:
        run_state_machine_as_test(machine, settings=settings)
    except Exception as failure:  # judged by the two checks below
        return Sequences(failure, len(kept))
    return Sequences(None, len(kept))


# A quick run's sequence creates one deployment, makes at most QUICK_WRITES updates and
# deletes, and deletes what is left.
STATEFUL = scenario(catalogue.STATEFUL, creates=1, waits=QUICK_WRITES + 2)(_run_sequences)


def sequences(context: Context) -> Sequences:
    """The generated sequences, run once per process."""
    return STATEFUL.result(context)


@check(SEQUENCES_CHECK)
def lifecycle(context: Context) -> None:
    found = sequences(context)
    if isinstance(found.failure, NameChanged):
        raise PreconditionFailed(
            f"the sequences stopped at a name that was not kept ({found.failure}); see "
            f"{NAMES_CHECK}"
        )
    if found.failure is not None:
        raise found.failure


@check(NAMES_CHECK)
def dns_labels_round_trip(context: Context) -> None:
    found = sequences(context)
    if isinstance(found.failure, NameChanged):
        raise found.failure
    if not found.names_kept:
        reason = found.failure or "no sequence created a deployment"
        raise PreconditionFailed(
            f"no generated name was created and read back ({reason}); see {SEQUENCES_CHECK}"
        )
