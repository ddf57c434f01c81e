"""Correct plugins pass: the kit must not blame a plugin for a legal way of doing things.

The plugins are in tests/plugins: ``good`` does everything right, the ``variant_*`` modules do
it differently (old signatures, fewer capabilities, strict names, extra fields, HTTP errors).
"""

from __future__ import annotations

import pytest

from conformance._catalogue import CATALOGUE, Capability

ALL_IDS = {check.id for check in CATALOGUE}


def _ids_of(*capabilities: Capability) -> set[str]:
    return {check.id for check in CATALOGUE if check.capability in capabilities}


ENDPOINT_IDS = _ids_of(Capability.ENDPOINTS)
EXPLAIN_IDS = _ids_of(Capability.EXPLAIN)
STREAM_IDS = _ids_of(Capability.STREAM)


def assert_skipped_naming(run, check_ids: set[str], capability: str) -> None:
    """Each check is not applicable, and its reason names the missing capability."""
    for check_id in check_ids:
        verdict = run.check(check_id)
        assert verdict["outcome"] == "not-applicable", verdict
        assert f"'{capability}'" in verdict["message"], verdict


def test_good_plugin_passes_every_check(run_kit_on_plugin) -> None:
    run = run_kit_on_plugin("good")
    assert run.outcomes == dict.fromkeys(ALL_IDS, "passed")
    assert run.ret == 0
    assert run.report["summary"]["conformant"] is True
    assert run.report["summary"]["leftovers"] == []
    assert all(not check["warnings"] for check in run.report["checks"])


def test_memory_reference_target_passes_every_check(run_kit_on_plugin) -> None:
    """The reference target, with the kit's own models: no failure and no skip."""
    run = run_kit_on_plugin(None, target="memory")
    assert run.outcomes == dict.fromkeys(ALL_IDS, "passed")
    assert run.ret == 0


def test_legacy_signatures_pass(run_kit_on_plugin) -> None:
    """No config or endpoint parameters anywhere, and only the deployment methods."""
    run = run_kit_on_plugin("variant_legacy_signatures")
    assert not run.failing, {i: run.check(i)["message"] for i in run.failing}
    assert run.ret == 0
    assert_skipped_naming(run, ENDPOINT_IDS, "endpoints")
    assert_skipped_naming(run, EXPLAIN_IDS, "explain")
    assert_skipped_naming(run, STREAM_IDS, "stream")
    skipped = ENDPOINT_IDS | EXPLAIN_IDS | STREAM_IDS
    assert run.with_outcome("passed") == ALL_IDS - skipped


@pytest.mark.parametrize(
    "module", ["variant_endpoints_left_to_base", "variant_endpoints_not_implemented"]
)
def test_plugins_without_endpoints_pass(run_kit_on_plugin, module: str) -> None:
    """Endpoints left to the base class, or refused with NotImplementedError: skipped."""
    run = run_kit_on_plugin(module)
    assert_skipped_naming(run, ENDPOINT_IDS, "endpoints")
    assert run.with_outcome("passed") == ALL_IDS - ENDPOINT_IDS
    assert run.ret == 0


def test_explain_without_stream_or_endpoints_passes(run_kit_on_plugin) -> None:
    run = run_kit_on_plugin("variant_explain_only")
    assert run.check("explain.returns-json-able")["outcome"] == "passed"
    assert_skipped_naming(run, STREAM_IDS, "stream")
    assert_skipped_naming(run, ENDPOINT_IDS, "endpoints")
    assert run.with_outcome("passed") == ALL_IDS - STREAM_IDS - ENDPOINT_IDS
    assert run.ret == 0


def test_names_restricted_to_dns_labels_pass(run_kit_on_plugin) -> None:
    """Refusing every hostile name with INVALID_PARAMETER_VALUE is as good as keeping it."""
    run = run_kit_on_plugin("variant_dns_names_only")
    assert run.outcomes == dict.fromkeys(ALL_IDS, "passed")
    assert run.ret == 0


def test_extra_fields_that_are_not_json_fail_only_the_json_check(run_kit_on_plugin) -> None:
    run = run_kit_on_plugin("variant_datetime_in_dicts")
    assert run.failing == {"deployment.dicts-json-able"}
    verdict = run.check("deployment.dicts-json-able")
    assert verdict["outcome"] == "failed"
    assert "datetime" in verdict["message"]
    assert run.report["summary"]["must_failures"] == []
    assert run.ret == 0
    outcomes = run.result.parseoutcomes()
    assert "xfailed" not in outcomes and outcomes.get("warnings", 0) >= 1


def test_update_returning_none_fails_only_the_cli_check(run_kit_on_plugin) -> None:
    """MLflow documents None, so every MUST passes; the CLI reads ret['flavor'], so the SHOULD
    check fails and says why.
    """
    run = run_kit_on_plugin("variant_update_returns_none")
    assert run.failing == {"deployment.update.returns-flavor"}
    assert "`mlflow deployments update`" in run.check("deployment.update.returns-flavor")["message"]
    assert run.report["summary"]["must_failures"] == []
    assert run.ret == 0


def test_http_error_for_not_found_passes_with_a_warning(run_kit_on_plugin) -> None:
    run = run_kit_on_plugin("variant_http_error_not_found")
    assert run.failing == {"errors.does-not-exist-code"}
    assert run.ret == 0
    for check_id in (
        "deployment.get.missing-raises",
        "deployment.update.missing-raises",
        "predict.missing-raises",
    ):
        verdict = run.check(check_id)
        assert verdict["outcome"] == "passed"
        assert any("HTTPError" in warning for warning in verdict["warnings"]), verdict


def test_a_model_that_predicts_nan_passes_every_must(run_kit_on_plugin) -> None:
    """NaN comes back from the round trip as NaN: every comparison of predictions takes it as
    equal. Only strict JSON, a SHOULD, may object to MLflow's NaN token."""
    from conformance.api._mlflow import mlflow_available

    run = run_kit_on_plugin("variant_predicts_nan")
    assert run.report["summary"]["must_failures"] == []
    allowed = {"predictions.strict-json"} if mlflow_available() else set()
    assert run.failing <= allowed, {i: run.check(i)["message"] for i in run.failing}
    assert run.failing == allowed
    assert run.ret == 0


def test_good_plugin_passes_with_the_kits_default_models(run_kit_on_plugin) -> None:
    """The default pyfunc models return a DataFrame and a 2-D array; a plugin whose response
    class writes them as JSON passes every check with them."""
    pytest.importorskip("mlflow", reason="the kit's default pyfunc models need MLflow")
    run = run_kit_on_plugin("good", model_uris=False)
    # A pyfunc model has no explanation, routed by endpoint or not.
    absent = EXPLAIN_IDS | {"endpoint.explain.returns-json-able"}
    assert run.with_outcome("passed") == ALL_IDS - absent, {
        i: run.check(i)["message"] for i in run.failing
    }
    assert run.ret == 0


def test_chat_target_is_conformant_from_the_command_line(run_kit_on_plugin) -> None:
    """predict takes only {"messages": [...]}: the input file's object reaches it as a dict."""
    run = run_kit_on_plugin("variant_chat_messages", "--deployment-input=chat.json")
    assert not run.failing, {i: run.check(i)["message"] for i in run.failing}
    assert run.ret == 0
    explain_ids = EXPLAIN_IDS | {"endpoint.explain.returns-json-able"}
    assert_skipped_naming(run, explain_ids, "explain")
    assert run.with_outcome("passed") == ALL_IDS - explain_ids


def test_chat_input_read_as_a_dataframe_fails_on_input(run_kit_on_plugin) -> None:
    """The CLI's way of reading the file (a one-cell DataFrame) is what such a target refuses."""
    run = run_kit_on_plugin(
        "variant_chat_messages",
        "--deployment-input=chat.json",
        "--deployment-input-format=dataframe",
        "-k",
        "predict.returns-response",
    )
    verdict = run.check("predict.returns-response")
    assert verdict["outcome"] == "failed"
    assert "takes a chat request" in verdict["message"]


def test_predict_by_name_only_leaves_routing_checks_not_applicable(run_kit_on_plugin) -> None:
    """Whether predict routes by endpoint is found out at run time: refusing it is legal."""
    run = run_kit_on_plugin("variant_predict_by_name_only")
    routing = {"endpoint.predict.returns-response", "endpoint.explain.returns-json-able"}
    assert_skipped_naming(run, routing, "endpoint routing")
    assert run.with_outcome("passed") == ALL_IDS - routing
    assert run.ret == 0


@pytest.mark.parametrize("body", ["scoring_split.json", "instances.json"])
def test_memory_takes_scoring_protocol_bodies_from_the_command_line(
    run_kit_on_plugin, body: str
) -> None:
    """The configuration page's promise: a scoring-protocol body reaches predict as a dict."""
    run = run_kit_on_plugin(None, f"--deployment-input={body}", target="memory")
    assert not run.failing, {i: run.check(i)["message"] for i in run.failing}
    assert run.with_outcome("passed") == ALL_IDS


READ_ONLY_JUDGED = {
    "endpoint.get.returns-name",
    "endpoint.get.missing-raises",
    "endpoint.list.returns-dicts",
    "endpoint.dicts-json-able",
    "endpoint.predict.returns-response",
}


def test_a_read_only_client_has_its_endpoint_reads_judged(run_kit_on_plugin) -> None:
    """With an existing endpoint named, a client that cannot create one is still judged."""
    run = run_kit_on_plugin(
        "variant_read_only_endpoint",
        "--deployment-existing-endpoint=chat",
        "--deployment-input=chat.json",
        "--conformance-capability=core=off",
    )
    assert not run.failing, {i: run.check(i)["message"] for i in run.failing}
    module_ids = _ids_of(Capability.MODULE, Capability.RUN_LOCAL)
    assert run.with_outcome("passed") == module_ids | READ_ONLY_JUDGED
    routed_explain = {"endpoint.explain.returns-json-able"}
    needs_own_endpoint = ENDPOINT_IDS - READ_ONLY_JUDGED - routed_explain
    assert_skipped_naming(run, needs_own_endpoint, "endpoints")
    assert all(
        "create_endpoint() raised NotImplementedError" in run.check(i)["message"]
        for i in needs_own_endpoint
    )
    assert_skipped_naming(run, routed_explain, "explain")
    # With core declared absent no deployment check is judged: the verdict says so.
    assert run.report["summary"]["verdict"] == "incomplete"
    assert (
        "no check of the 'core' capability was judged"
        in (run.report["summary"]["incomplete_because"])
    )


def test_without_an_existing_endpoint_a_read_only_client_is_not_judged(run_kit_on_plugin) -> None:
    run = run_kit_on_plugin(
        "variant_read_only_endpoint",
        "--deployment-input=chat.json",
        "--conformance-capability=core=off",
    )
    assert_skipped_naming(run, ENDPOINT_IDS, "endpoints")


@pytest.mark.parametrize(
    ("thread_safe", "scenarios"),
    [("on", "concurrent"), ("off", "one by one (the profile declares the client not thread-safe)")],
)
def test_a_client_bound_to_its_thread_passes_whether_scenarios_run_at_once_or_not(
    run_kit_on_plugin, thread_safe: str, scenarios: str
) -> None:
    run = run_kit_on_plugin(
        "variant_thread_bound_client", f"--conformance-thread-safe={thread_safe}"
    )

    assert run.failing == set()
    assert run.with_outcome("passed") == ALL_IDS
    assert run.report["settings"]["scenarios"] == scenarios
