"""The catalogue: every check's id, level, capability, clause and history, in one place.

The pytest items, the docs page, the JSON report and the certificate are all built from
:data:`CATALOGUE`; the check bodies in :mod:`conformance._checks` are looked up by id.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

__all__ = ["CATALOGUE", "Capability", "Check", "Level", "by_id", "known_id", "scenario_names"]


class Level(str, enum.Enum):
    """How binding a clause is: a MUST failure fails the run, a SHOULD failure warns."""

    MUST = "MUST"
    SHOULD = "SHOULD"

    def __str__(self) -> str:
        return self.value


class Capability(str, enum.Enum):
    """What part of the API a check needs; absent capabilities skip their checks."""

    MODULE = "module"
    CORE = "core"
    ENDPOINTS = "endpoints"
    EXPLAIN = "explain"
    STREAM = "stream"
    RUN_LOCAL = "run_local"

    def __str__(self) -> str:
        return self.value

    @property
    def methods(self) -> tuple[str, ...]:
        """The optional client methods that define this capability: a plugin that leaves them
        to the base class, or whose methods say they are not implemented, does not offer it."""
        return _OPTIONAL_METHODS.get(self, ())


_OPTIONAL_METHODS: dict[Capability, tuple[str, ...]] = {
    Capability.EXPLAIN: ("explain",),
    Capability.STREAM: ("predict_stream",),
    Capability.ENDPOINTS: (
        "create_endpoint",
        "update_endpoint",
        "delete_endpoint",
        "list_endpoints",
        "get_endpoint",
    ),
}


@dataclass(frozen=True)
class Check:
    """One clause of the contract, checked by one pytest item whose id is :attr:`id`."""

    id: str
    level: Level
    capability: Capability
    clause: str
    why: str
    broken_by: str = ""
    since: str = "0.1.0"
    # The MLflow release that brought what the clause relies on (one of the MLFLOW_* constants
    # below): under an older MLflow the clause has nothing to hold the plugin to.
    since_mlflow: str = field(kw_only=True)
    # The scenario whose result the check judges (one of the names below; the scenarios
    # themselves, with their plugin calls, are declared in conformance._checks). The kit runs
    # it once, and derives xdist grouping and ordering from it.
    scenario: str = field(kw_only=True)


# When MLflow added each part of the API the clauses rely on, from MLflow's changelog.
# 1.9: the mlflow.deployments plugin API (entry points, BaseDeploymentClient, run_local,
#      target_help, the create/update/delete/list/get commands).
MLFLOW_DEPLOYMENTS = "1.9"
# 1.12: `mlflow deployments predict`, the caller that sends a plugin's predict its inputs.
MLFLOW_PREDICT_CLI = "1.12"
# 1.19: `mlflow deployments explain`.
MLFLOW_EXPLAIN = "1.19"
# 1.26: the endpoint methods of BaseDeploymentClient and the `*-endpoint` commands.
MLFLOW_ENDPOINTS = "1.26"
# 2.0: predict answers a PredictionsResponse ({"predictions": ...}), with MLflow 2's scoring
#      protocol; before it, predict was documented as returning a DataFrame, Series or array.
MLFLOW_PREDICTIONS_RESPONSE = "2.0"
# 2.12: BaseDeploymentClient.predict_stream (2.12.1; 2.12.0 was withdrawn from PyPI).
MLFLOW_PREDICT_STREAM = "2.12"

# The scenarios checks judge (see conformance._scenarios).
PLUGIN = "plugin module"  # loading the module and building a client: no deployment
SHARED = "shared deployment"  # one deployment that many checks read
PREDICTION = "prediction"  # one predict on the shared deployment, taken apart by many checks
CONFLICT = "conflicting create"  # a second create of the shared deployment's name
BAD_MODEL = "bad model"  # a create of a model that cannot resolve
CONFIG_NONE = "config none"  # a create with config=None, then a config-only update
MISSING = "missing names"  # get, update, predict and delete of names never created
LIFECYCLE = "lifecycle"  # a race of creates, then one deployment's updates and deletes
HOSTILE = "hostile names"  # creates of hostile names
STATEFUL = "stateful sequences"  # generated sequences of operations
ENDPOINT = "endpoint life"  # an endpoint with a deployment under it
ENDPOINT_DELETE = "endpoint delete"  # an endpoint deleted twice
FOREIGN = "foreign resources"  # what was there before the run, compared at its end
RESPONSE_CLASS = "response class"  # the predictions' class, once no other scenario runs

M, S = Level.MUST, Level.SHOULD
MODULE, CORE, ENDPOINTS = Capability.MODULE, Capability.CORE, Capability.ENDPOINTS
EXPLAIN, STREAM, RUN_LOCAL = Capability.EXPLAIN, Capability.STREAM, Capability.RUN_LOCAL

CATALOGUE: tuple[Check, ...] = (
    # The plugin module
    Check(
        "module.loads",
        M,
        MODULE,
        "The target URI resolves to a plugin module that imports and whose client constructs.",
        "Nothing else can be judged until MLflow can load the plugin and build its client.",
        "Entry points that name a class instead of a module; import errors.",
        scenario=PLUGIN,
        since_mlflow=MLFLOW_DEPLOYMENTS,
    ),
    Check(
        "module.one-client-class",
        M,
        MODULE,
        "The module has exactly one subclass of BaseDeploymentClient among its members.",
        "MLflow's loader counts every client class it finds, imported ones included, and refuses "
        "a module with none or with several.",
        "Modules that import a second client class, or the base class itself, by name.",
        scenario=PLUGIN,
        since_mlflow=MLFLOW_DEPLOYMENTS,
    ),
    Check(
        "module.has-run-local-and-target-help",
        M,
        MODULE,
        "The module defines run_local and target_help at module level.",
        "MLflow refuses to load a plugin module that lacks either function.",
        "Plugins that keep run_local as a method of the client class.",
        scenario=PLUGIN,
        since_mlflow=MLFLOW_DEPLOYMENTS,
    ),
    Check(
        "module.target-help-returns-text",
        M,
        MODULE,
        "target_help() returns a non-empty string.",
        "`mlflow deployments help -t <target>` prints it: users learn the URI and config there.",
        "Helpers that return None or print instead of returning.",
        scenario=PLUGIN,
        since_mlflow=MLFLOW_DEPLOYMENTS,
    ),
    Check(
        "module.run-local-signature",
        M,
        RUN_LOCAL,
        "run_local accepts MLflow's real calling convention (name, model_uri, flavor, config).",
        "MLflow documents run_local(target, name, …) but calls run_local(name, model_uri, flavor, "
        "config); a plugin that follows the documentation receives every argument shifted by one.",
        "Plugins written from the documented signature.",
        scenario=PLUGIN,
        since_mlflow=MLFLOW_DEPLOYMENTS,
    ),
    # Create
    Check(
        "deployment.create.returns-name",
        M,
        CORE,
        "create_deployment returns a dict whose 'name' is the requested name.",
        "Callers and MLflow's CLI read the name back from the returned dict.",
        "Returning None, the raw server reply, or a sanitised name.",
        scenario=SHARED,
        since_mlflow=MLFLOW_DEPLOYMENTS,
    ),
    Check(
        "deployment.create.returns-flavor",
        S,
        CORE,
        "The dict create_deployment returns has a 'flavor' key.",
        "`mlflow deployments create` prints deployment['flavor'] and crashes with KeyError "
        "without it.",
        "Returning only {'name': …}.",
        scenario=SHARED,
        since_mlflow=MLFLOW_DEPLOYMENTS,
    ),
    Check(
        "deployment.create.blocks-until-ready",
        M,
        CORE,
        "When create_deployment returns, predict on the new deployment works.",
        "Create is blocking by default: scripts predict right after it.",
        "Returning as soon as the request is accepted.",
        scenario=SHARED,
        since_mlflow=MLFLOW_PREDICTIONS_RESPONSE,
    ),
    Check(
        "deployment.create.conflict-raises",
        M,
        CORE,
        "Creating a name that is in use raises.",
        "A silent redeploy replaces a model somebody else is serving.",
        "Plugins that overwrite, redeploy or bump a version instead of refusing.",
        scenario=CONFLICT,
        since_mlflow=MLFLOW_DEPLOYMENTS,
    ),
    Check(
        "deployment.create.conflict-keeps-existing",
        M,
        CORE,
        "A refused conflicting create leaves the existing deployment serving as before.",
        "A rejected call must change nothing.",
        "Plugins that tear the old deployment down before noticing the conflict.",
        scenario=CONFLICT,
        since_mlflow=MLFLOW_PREDICTIONS_RESPONSE,
    ),
    Check(
        "deployment.create.bad-model-raises",
        M,
        CORE,
        "create_deployment with a model URI that cannot resolve raises.",
        "A deployment of nothing fails later, far from its cause.",
        "Plugins that accept any string and fail at predict time.",
        scenario=BAD_MODEL,
        since_mlflow=MLFLOW_DEPLOYMENTS,
    ),
    Check(
        "deployment.create.bad-model-leaves-nothing",
        M,
        CORE,
        "A failed create leaves no deployment behind.",
        "A half-created deployment blocks the name and costs money on real targets.",
        "Plugins that register the name before loading the model.",
        scenario=BAD_MODEL,
        since_mlflow=MLFLOW_DEPLOYMENTS,
    ),
    Check(
        "deployment.create.config-none",
        M,
        CORE,
        "create_deployment works with config=None.",
        "config is optional in the API; Python callers omit it.",
        "config.get(...) on None: AttributeError or TypeError.",
        scenario=CONFIG_NONE,
        since_mlflow=MLFLOW_DEPLOYMENTS,
    ),
    # Get and list
    Check(
        "deployment.get.returns-name",
        M,
        CORE,
        "get_deployment returns a dict whose 'name' is the requested name.",
        "The API guarantees the 'name' key.",
        "Raw server JSON or boto3 dicts without 'name'; renamed deployments.",
        scenario=SHARED,
        since_mlflow=MLFLOW_DEPLOYMENTS,
    ),
    Check(
        "deployment.get.missing-raises",
        M,
        CORE,
        "get_deployment of a name that does not exist raises.",
        "Callers tell 'missing' from 'present' by the exception.",
        "Returning None or an empty dict.",
        scenario=MISSING,
        since_mlflow=MLFLOW_DEPLOYMENTS,
    ),
    Check(
        "deployment.list.returns-dicts",
        M,
        CORE,
        "list_deployments returns a list of dicts, each with a 'name'.",
        "The API guarantees a list of dicts with 'name'.",
        "Lists of plain strings, or the server's raw reply.",
        scenario=SHARED,
        since_mlflow=MLFLOW_DEPLOYMENTS,
    ),
    Check(
        "deployment.list.reflects-changes",
        M,
        CORE,
        "list_deployments shows a deployment after create and no longer after delete.",
        "Stale lists make cleanup scripts delete the wrong thing or nothing.",
        "Caches that are never refreshed.",
        scenario=LIFECYCLE,
        since_mlflow=MLFLOW_DEPLOYMENTS,
    ),
    Check(
        "deployment.dicts-json-able",
        S,
        CORE,
        "The dicts create, get and list return can be written as JSON.",
        "The CLI and most callers print or store them as JSON.",
        "Datetime objects, SDK response objects or numpy values inside the dicts.",
        scenario=SHARED,
        since_mlflow=MLFLOW_DEPLOYMENTS,
    ),
    # Update
    Check(
        "deployment.update.switches-model",
        M,
        CORE,
        "When update_deployment with a new model_uri returns, predictions come from the new model.",
        "Update is blocking by default: the next request must see the new model.",
        "Plugins that ignore model_uri, or return before the rollout completes.",
        scenario=LIFECYCLE,
        since_mlflow=MLFLOW_PREDICTIONS_RESPONSE,
    ),
    Check(
        "deployment.update.config-only-keeps-model",
        M,
        CORE,
        "update_deployment with only a config keeps the current model serving.",
        "A config change must not drop or replace the model.",
        "Plugins that crash when model_uri is None, or redeploy an empty model.",
        scenario=CONFIG_NONE,
        since_mlflow=MLFLOW_PREDICTIONS_RESPONSE,
    ),
    Check(
        "deployment.update.flavor-needs-model",
        M,
        CORE,
        "update_deployment with a flavor but no model_uri raises.",
        "The API allows a flavor change only together with a model.",
        "Plugins that silently apply the flavor to the old model.",
        scenario=LIFECYCLE,
        since_mlflow=MLFLOW_DEPLOYMENTS,
    ),
    Check(
        "deployment.update.missing-raises",
        M,
        CORE,
        "update_deployment of a name that does not exist raises.",
        "An update must not create a deployment behind the caller's back.",
        "Plugins that upsert.",
        scenario=MISSING,
        since_mlflow=MLFLOW_DEPLOYMENTS,
    ),
    Check(
        "deployment.update.returns-flavor",
        S,
        CORE,
        "update_deployment returns None or a dict, preferably a dict with 'flavor'.",
        "The API documents None, but `mlflow deployments update` reads ret['flavor'] and crashes "
        "on None; a dict with 'flavor' satisfies both.",
        "Returning None (the CLI crashes) or a string.",
        scenario=CONFIG_NONE,
        since_mlflow=MLFLOW_DEPLOYMENTS,
    ),
    # Delete
    Check(
        "deployment.delete.removes",
        M,
        CORE,
        "After delete_deployment, get raises and list no longer shows the name.",
        "A deleted deployment must stop existing.",
        "Soft deletes that leave the name listed.",
        scenario=LIFECYCLE,
        since_mlflow=MLFLOW_DEPLOYMENTS,
    ),
    Check(
        "deployment.delete.idempotent",
        M,
        CORE,
        "Deleting a deleted or never-existing name does not raise.",
        "Retries and cleanup scripts delete blindly.",
        "torchserve, redisai, tritonserver, knative and SageMaker clients raise on the second "
        "delete.",
        scenario=LIFECYCLE,
        since_mlflow=MLFLOW_DEPLOYMENTS,
    ),
    Check(
        "deployment.delete.spares-others",
        M,
        CORE,
        "Deleting one deployment leaves the others serving.",
        "A delete must touch only its target.",
        "Deletes by prefix or by shared resource.",
        scenario=LIFECYCLE,
        since_mlflow=MLFLOW_PREDICTIONS_RESPONSE,
    ),
    # Predict
    Check(
        "predict.returns-response",
        M,
        CORE,
        "predict returns a PredictionsResponse (the kit's or MLflow's) with a 'predictions' key.",
        "`mlflow deployments predict` calls result.to_json(); a dict or DataFrame crashes it.",
        "Returning a DataFrame, an ndarray, a str or a plain dict.",
        scenario=PREDICTION,
        since_mlflow=MLFLOW_PREDICTIONS_RESPONSE,
    ),
    Check(
        "predict.missing-raises",
        M,
        CORE,
        "predict on a deployment that does not exist raises.",
        "Scoring nothing must not look like success.",
        "Returning empty predictions.",
        scenario=MISSING,
        since_mlflow=MLFLOW_PREDICT_CLI,
    ),
    Check(
        "predict.input-unchanged",
        M,
        CORE,
        "predict does not modify the input it is given.",
        "Callers reuse their frames; a mutated input corrupts the next request.",
        "In-place column renames or type casts.",
        scenario=SHARED,
        since_mlflow=MLFLOW_PREDICT_CLI,
    ),
    # PredictionsResponse round trips, on the object the target returned
    Check(
        "predictions.formats",
        M,
        CORE,
        "get_predictions works as 'dataframe', as 'ndarray' and as 'ndarray' with a dtype.",
        "These are the two documented ways to read predictions.",
        "Ragged predictions, or response subclasses that override get_predictions.",
        scenario=PREDICTION,
        since_mlflow=MLFLOW_PREDICTIONS_RESPONSE,
    ),
    Check(
        "predictions.unknown-format-raises",
        M,
        CORE,
        "get_predictions with an unknown format raises.",
        "A typo must not return something plausible.",
        "Overrides that fall back to a default format.",
        scenario=PREDICTION,
        since_mlflow=MLFLOW_PREDICTIONS_RESPONSE,
    ),
    Check(
        "predictions.json-round-trip",
        M,
        CORE,
        "from_json(to_json()) gives back an equal response.",
        "Responses are written to files by the CLI and read back by scripts.",
        "numpy arrays or DataFrames inside MLflow's PredictionsResponse: to_json raises TypeError.",
        scenario=PREDICTION,
        since_mlflow=MLFLOW_PREDICTIONS_RESPONSE,
    ),
    Check(
        "predictions.to-json-path",
        M,
        CORE,
        "to_json(path) writes the same JSON as to_json() and returns None.",
        "`mlflow deployments predict --output-path` uses it.",
        "Overrides that ignore path.",
        scenario=PREDICTION,
        since_mlflow=MLFLOW_PREDICTIONS_RESPONSE,
    ),
    Check(
        "predictions.strict-json",
        S,
        CORE,
        "to_json writes standard JSON: no NaN or Infinity tokens.",
        "Most JSON parsers outside Python reject NaN and Infinity.",
        "MLflow's json.dumps-based to_json writes NaN for missing values.",
        scenario=PREDICTION,
        since_mlflow=MLFLOW_PREDICTIONS_RESPONSE,
    ),
    Check(
        "predictions.class-round-trips",
        M,
        CORE,
        "The target's PredictionsResponse class round-trips any JSON-able predictions.",
        "Numbers, strings, records and nested dicts must survive to_json and from_json.",
        "Subclasses whose to_json rounds, drops keys or coerces types.",
        scenario=RESPONSE_CLASS,
        since_mlflow=MLFLOW_PREDICTIONS_RESPONSE,
    ),
    # Optional methods, on the shared deployment: before the longer scenarios' checks, so the
    # shared deployment is released while they still run
    Check(
        "explain.returns-json-able",
        M,
        EXPLAIN,
        "When explain is supported, it returns JSON-able output for the sample input.",
        "`mlflow deployments explain` writes the result as JSON.",
        "Returning SDK objects.",
        scenario=SHARED,
        since_mlflow=MLFLOW_EXPLAIN,
    ),
    Check(
        "stream.yields-dicts",
        M,
        STREAM,
        "When predict_stream is supported, it yields dicts.",
        "Streaming callers read each chunk as a dict.",
        "Yielding raw bytes or strings.",
        scenario=SHARED,
        since_mlflow=MLFLOW_PREDICT_STREAM,
    ),
    # Errors
    Check(
        "errors.already-exists-code",
        S,
        CORE,
        "A conflicting create raises MlflowException with RESOURCE_ALREADY_EXISTS.",
        "Callers branch on the code, not on the message.",
        "Bare Exception, ValueError or HTTP errors.",
        scenario=CONFLICT,
        since_mlflow=MLFLOW_DEPLOYMENTS,
    ),
    Check(
        "errors.does-not-exist-code",
        S,
        CORE,
        "Getting a missing deployment raises MlflowException with RESOURCE_DOES_NOT_EXIST.",
        "Callers branch on the code, not on the message.",
        "KeyError, botocore or redis errors.",
        scenario=MISSING,
        since_mlflow=MLFLOW_DEPLOYMENTS,
    ),
    Check(
        "errors.invalid-parameter-code",
        S,
        CORE,
        "An update with a flavor but no model raises MlflowException with INVALID_PARAMETER_VALUE.",
        "Bad arguments are the caller's to fix, and the code says so.",
        "ValueError or INTERNAL_ERROR.",
        scenario=LIFECYCLE,
        since_mlflow=MLFLOW_DEPLOYMENTS,
    ),
    # Clients and names
    Check(
        "client.shared-state",
        S,
        CORE,
        "A second client for the same target URI sees the same deployments.",
        "Clients are cheap handles to one target, as MLflow's CLI assumes with each command.",
        "State kept on the client instance.",
        scenario=SHARED,
        since_mlflow=MLFLOW_DEPLOYMENTS,
    ),
    Check(
        "names.dns-labels-round-trip",
        M,
        CORE,
        "Generated DNS-1123 names survive create, get, list and delete byte for byte.",
        "The kit names everything it creates this way, and so do most real platforms.",
        "Plugins that sanitise or prefix names, so get(name) reports another name.",
        scenario=STATEFUL,
        since_mlflow=MLFLOW_DEPLOYMENTS,
    ),
    Check(
        "names.hostile",
        S,
        CORE,
        "Hostile names ('../x', very long, control characters) are refused with MlflowException "
        "or round-trip exactly, and touch nothing else.",
        "Names reach file paths, URLs and shell commands on real targets.",
        "Plugins that use the name as a file path and write outside their store.",
        scenario=HOSTILE,
        since_mlflow=MLFLOW_DEPLOYMENTS,
    ),
    Check(
        "concurrency.create-one-winner",
        S,
        CORE,
        "Of several concurrent creates of one name, exactly one succeeds.",
        "Two CI jobs deploying at once must not both believe they own the deployment.",
        "Check-then-act races without a lock or a conditional write.",
        scenario=LIFECYCLE,
        since_mlflow=MLFLOW_DEPLOYMENTS,
    ),
    Check(
        "stateful.lifecycle",
        M,
        CORE,
        "Random sequences of create, update, delete, get, list and predict agree with a model of "
        "the contract at every step.",
        "Bugs that only show after several operations escape single-call checks.",
        "Lists that stop at a page size; deletes that remove the wrong entry.",
        scenario=STATEFUL,
        since_mlflow=MLFLOW_PREDICTIONS_RESPONSE,
    ),
    # Endpoints
    Check(
        "endpoint.create.returns-name",
        M,
        ENDPOINTS,
        "create_endpoint returns a dict whose 'name' is the requested name.",
        "The API guarantees the 'name' key.",
        "Returning None or the raw server reply.",
        scenario=ENDPOINT,
        since_mlflow=MLFLOW_ENDPOINTS,
    ),
    Check(
        "endpoint.create.conflict-raises",
        M,
        ENDPOINTS,
        "Creating an endpoint name that is in use raises.",
        "A silent replace drops every deployment under the endpoint.",
        "Upserting endpoints.",
        scenario=ENDPOINT,
        since_mlflow=MLFLOW_ENDPOINTS,
    ),
    Check(
        "endpoint.get.returns-name",
        M,
        ENDPOINTS,
        "get_endpoint returns a dict whose 'name' is the requested name.",
        "The API guarantees the 'name' key.",
        "Returning the raw server reply.",
        scenario=ENDPOINT,
        since_mlflow=MLFLOW_ENDPOINTS,
    ),
    Check(
        "endpoint.get.missing-raises",
        M,
        ENDPOINTS,
        "get_endpoint of a name that does not exist raises.",
        "Callers tell 'missing' from 'present' by the exception.",
        "Returning None.",
        scenario=ENDPOINT,
        since_mlflow=MLFLOW_ENDPOINTS,
    ),
    Check(
        "endpoint.list.returns-dicts",
        M,
        ENDPOINTS,
        "list_endpoints returns a list of dicts with 'name', including a created endpoint.",
        "The API guarantees a list of dicts with 'name'.",
        "Lists of strings.",
        scenario=ENDPOINT,
        since_mlflow=MLFLOW_ENDPOINTS,
    ),
    Check(
        "endpoint.delete.idempotent",
        M,
        ENDPOINTS,
        "delete_endpoint removes the endpoint, and deleting it again does not raise.",
        "Retries and cleanup scripts delete blindly.",
        "Raising on the second delete.",
        scenario=ENDPOINT_DELETE,
        since_mlflow=MLFLOW_ENDPOINTS,
    ),
    Check(
        "endpoint.lists-its-deployments",
        M,
        ENDPOINTS,
        "A deployment created under an endpoint is listed by list_deployments(endpoint=…).",
        "Endpoints group deployments; the grouping must be visible.",
        "Plugins that accept endpoint= and ignore it.",
        scenario=ENDPOINT,
        since_mlflow=MLFLOW_ENDPOINTS,
    ),
    Check(
        "endpoint.update.returns",
        M,
        ENDPOINTS,
        "update_endpoint of an existing endpoint returns, and get_endpoint then still returns a "
        "dict whose 'name' is the endpoint's.",
        "`mlflow deployments update-endpoint` reports success once the call returns, and "
        "`get-endpoint` reads the endpoint's dict back right after.",
        "Updates that raise on a config-less update, or replace the endpoint by something "
        "without a name.",
        scenario=ENDPOINT,
        since_mlflow=MLFLOW_ENDPOINTS,
    ),
    Check(
        "endpoint.update.missing-raises",
        M,
        ENDPOINTS,
        "update_endpoint of a name that does not exist raises MlflowException and creates nothing.",
        "`update-endpoint` on a mistyped name must fail where the user can see it, not create a "
        "second, empty endpoint behind the caller's back.",
        "Upserting updates; KeyError or TypeError from the plugin's own lookup.",
        scenario=ENDPOINT,
        since_mlflow=MLFLOW_ENDPOINTS,
    ),
    Check(
        "endpoint.update.missing-code",
        S,
        ENDPOINTS,
        "update_endpoint of a missing name raises MlflowException with RESOURCE_DOES_NOT_EXIST.",
        "Callers tell 'no such endpoint' from 'bad arguments' by the code, as they do for "
        "deployments.",
        "INVALID_PARAMETER_VALUE or INTERNAL_ERROR for a missing endpoint.",
        scenario=ENDPOINT,
        since_mlflow=MLFLOW_ENDPOINTS,
    ),
    Check(
        "endpoint.update.bad-config-raises",
        S,
        ENDPOINTS,
        "update_endpoint with a config that is not a dict (the CLI's 'key=value' text passed "
        "as is) raises MlflowException and leaves the endpoint as it was.",
        "The CLI always builds a dict, so only Python callers send this; they catch "
        "MlflowException, and a rejected call must change nothing.",
        "dict.update() on the given value: ValueError, or a config silently replaced by a string.",
        scenario=ENDPOINT,
        since_mlflow=MLFLOW_ENDPOINTS,
    ),
    Check(
        "endpoint.update.keeps-deployments",
        M,
        ENDPOINTS,
        "Deployments under an endpoint survive update_endpoint and are still listed by "
        "list_deployments(endpoint=…).",
        "`update-endpoint` changes a live endpoint's settings; the deployments it serves must "
        "not vanish with the change.",
        "Updates that rebuild the endpoint record and drop its members.",
        scenario=ENDPOINT,
        since_mlflow=MLFLOW_ENDPOINTS,
    ),
    Check(
        "endpoint.delete.no-dangling-deployments",
        M,
        ENDPOINTS,
        "delete_endpoint of an endpoint that still holds deployments either refuses with "
        "MlflowException (both stay), or afterwards no deployment names the deleted endpoint.",
        "`mlflow deployments list --endpoint`, `get` and cleanup scripts follow a deployment's "
        "endpoint; a reference to an endpoint that is gone breaks them all.",
        "Deletes that drop the endpoint and leave its deployments pointing at it.",
        scenario=ENDPOINT,
        since_mlflow=MLFLOW_ENDPOINTS,
    ),
    Check(
        "endpoint.predict.returns-response",
        M,
        ENDPOINTS,
        "Where predict routes by endpoint (predict(None, inputs, endpoint=…) answers), it "
        "returns a PredictionsResponse with a 'predictions' key.",
        "`mlflow deployments predict --endpoint` calls predict(None, df, endpoint=…) and then "
        "result.to_json(); a plain dict crashes it.",
        "Returning the server's JSON reply as a plain dict.",
        scenario=ENDPOINT,
        since_mlflow=MLFLOW_PREDICTIONS_RESPONSE,
    ),
    Check(
        "endpoint.explain.returns-json-able",
        M,
        ENDPOINTS,
        "Where predict routes by endpoint and explain is supported, explain(None, inputs, "
        "endpoint=…) returns JSON-able output.",
        "`mlflow deployments explain --endpoint` calls explain(None, df, endpoint=…) and writes "
        "the result as JSON.",
        "explain that ignores endpoint= and fails on the missing deployment name; SDK objects.",
        scenario=ENDPOINT,
        since_mlflow=MLFLOW_ENDPOINTS,
    ),
    Check(
        "endpoint.dicts-json-able",
        S,
        ENDPOINTS,
        "The dicts create_endpoint, get_endpoint and list_endpoints return can be written as JSON.",
        "`get-endpoint` and `list-endpoints` print them, and most callers store them as JSON.",
        "Datetime values, SDK objects or pydantic models inside or instead of the dicts.",
        scenario=ENDPOINT,
        since_mlflow=MLFLOW_ENDPOINTS,
    ),
    # Foreign resources: last, so every other check has had its chance to harm them.
    Check(
        "resources.foreign-kept",
        M,
        CORE,
        "Every deployment and endpoint that existed before the run still exists after it.",
        "Users run the kit against targets that hold production deployments; a create, update "
        "or delete that loses one of them is the worst harm a plugin can do.",
        "Deletes that also remove 'orphans' or 'stale' deployments they did not create, deletes "
        "by prefix or by label selector, endpoint deletes that take their deployments along.",
        scenario=FOREIGN,
        since_mlflow=MLFLOW_DEPLOYMENTS,
    ),
    Check(
        "resources.foreign-unchanged",
        S,
        CORE,
        "The deployments that existed before the run keep their listed name, model_uri and flavor.",
        "A deployment whose model or flavor changed under its owner serves something nobody "
        "deployed.",
        "Writes that rewrite every record of the store (migrations, normalisation), updates "
        "that match deployments by model rather than by name.",
        scenario=FOREIGN,
        since_mlflow=MLFLOW_DEPLOYMENTS,
    ),
)

_BY_ID = {check.id: check for check in CATALOGUE}
if len(_BY_ID) != len(CATALOGUE):  # pragma: no cover - guards edits to the table above
    raise RuntimeError("duplicate check ids in the catalogue")


def by_id(check_id: str) -> Check:
    """The catalogue entry for ``check_id``; an unknown id raises KeyError naming it."""
    try:
        return _BY_ID[check_id]
    except KeyError:
        raise KeyError(f"no check {check_id!r} in the catalogue") from None


def known_id(check_id: str) -> str:
    """``check_id`` itself, once the catalogue is known to hold it; an unknown id raises
    KeyError naming it.

    Code that names another check (in a message, or as the owner of a defect) takes the id
    from here, once, at import: renaming or removing a check then fails loudly where it is
    named instead of leaving a message that points nowhere.
    """
    return by_id(check_id).id


def scenario_names() -> set[str]:
    """The scenarios the catalogue's checks judge."""
    return {check.scenario for check in CATALOGUE}
