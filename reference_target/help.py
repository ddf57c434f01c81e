"""``target_help``: what ``mlflow deployments help -t memory`` prints."""

from __future__ import annotations

from reference_target.models import MAX_LINEAR_WEIGHTS
from reference_target.names import (
    DEFAULT_STREAM_CHUNK_SIZE,
    MAX_MODEL_URI_LENGTH,
    MAX_NAME_LENGTH,
    SUPPORTED_FLAVORS,
)
from reference_target.server import (
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_PORT,
    DEFAULT_READ_TIMEOUT_SECONDS,
    DEFAULT_WORKERS,
)
from reference_target.store.sqlite import BUSY_TIMEOUT_SECONDS
from reference_target.uri import DEFAULT_NAMESPACE, MAX_LATENCY_SECONDS

__all__ = ["target_help"]

_READ_TIMEOUT = DEFAULT_READ_TIMEOUT_SECONDS  # a shorter name keeps its help line short

_HELP = f"""\
The memory target keeps deployments in this Python process, or durably in an SQLite file.
It is the reference that the deployment conformance kit checks itself against, and a quick
target to try plugins with.

Target URIs
  memory                        the default namespace ({DEFAULT_NAMESPACE!r}), in this process
  memory:/<namespace>           a namespace of its own, such as memory:/team-a, in this process
  memory:///<absolute path>     a durable store in that SQLite file: 'memory://' and then the
                                path, so three slashes, as in memory:///tmp/deployments.db
  ...?latency=<seconds>         creates, updates and deletes wait that long before they
                                complete, like a slow real target (memory:/slow?latency=1);
                                at most {MAX_LATENCY_SECONDS:g} seconds
  Clients of one namespace share one store, as clients of one server would; the latency
  option does not change which store a URI names.

Durable stores (memory:///<absolute path>)
  The file is created on first use (its directory must exist and be writable) and keeps
  every deployment and endpoint across restarts. Any number of processes may use one file
  at once: each call is one SQLite transaction (WAL journal, busy timeout
  {BUSY_TIMEOUT_SECONDS:g} s), so of concurrent creates of one name exactly one wins.
  The file keeps model URIs, not models: each process loads a model when it first scores
  it. Percent-encode a space (%20) or a '?' (%3F) in the path, and quote the URI in a
  shell when it has options: -t 'memory:///tmp/deployments.db?latency=1'.

Names (deployments and endpoints)
  Any str of 1 to {MAX_NAME_LENGTH} characters without control characters (such as a newline
  or NUL) or lone surrogates. Everything else, '../x', spaces and any Unicode included, is
  kept exactly as given: names are never used as file paths. Deployment names are unique
  in a namespace, whatever their endpoint.

Flavors
  {", ".join(SUPPORTED_FLAVORS)} (the default, also chosen when the flavor is None).
  update_deployment takes a flavor only together with a model_uri.

Model URIs
  reference:/constant?value=V             V for every row (a number when it reads as one)
  reference:/linear?weights=w1,w2&bias=b  numeric columns, in order, dotted with the weights,
                                          plus b; one numeric column per weight
  reference:/echo                         the input rows, as records
  reference:/shaped?output=K&weights=..   linear's scores (or b for every row, without
                                          weights) in a pyfunc-like container K: array,
                                          matrix, scalars, series or frame
  With MLflow installed, any other URI (a local path, file:, runs:/, models:/) is loaded
  with mlflow.pyfunc.load_model; without it, install the 'mlflow' extra first.
  A model URI has at most {MAX_MODEL_URI_LENGTH} characters, a linear model at most
  {MAX_LINEAR_WEIGHTS} weights; echo needs unique column labels, all strings or all integers.

Config keys
  stream_chunk_size   predictions per predict_stream chunk (default {DEFAULT_STREAM_CHUNK_SIZE})
  port                run_local only: the port on 127.0.0.1 (default {DEFAULT_PORT}; 0 = any)
  max_body_bytes      run_local only: the largest body (default {DEFAULT_MAX_BODY_BYTES})
  workers             run_local only: threads serving connections (default {DEFAULT_WORKERS})
  read_timeout        run_local only: seconds for a request's head, then its body
                      (default {_READ_TIMEOUT:g})
  Any other JSON-able key is kept and returned as given; NaN and infinity are refused.
  update_deployment and update_endpoint merge the keys they are given into the existing
  config.

Deployments
  create_deployment returns once the model serves; a name in use raises
  RESOURCE_ALREADY_EXISTS and leaves that deployment as it was. update_deployment returns
  the updated deployment's dict (MLflow documents None, but its CLI reads the flavor from
  the result). delete_deployment of a missing name is no error. list_deployments gives
  each deployment's summary (name, flavor, model_uri, endpoint, state); get_deployment
  gives the whole deployment, config included. predict accepts a DataFrame, Series,
  ndarray, list, dict of columns, or a scoring payload (dataframe_split,
  dataframe_records, instances, inputs). explain works for linear and constant models;
  predict_stream yields {{"predictions": [...]}} chunks.

Endpoints
  create_endpoint, get_endpoint, list_endpoints, update_endpoint (returns the endpoint)
  and delete_endpoint. Deployments join an endpoint with create_deployment(...,
  endpoint=...). An endpoint that still holds deployments is not deleted: delete its
  deployments first.

run_local
  mlflow deployments run-local -t memory --name NAME -m MODEL_URI [-C port=5001]
  serves the scoring protocol (/ping, /health, /version, /invocations) on 127.0.0.1
  until Ctrl+C.
"""


def target_help() -> str:
    """The target's help: URIs, name policy, flavors, model URIs, config keys, endpoints."""
    return _HELP
