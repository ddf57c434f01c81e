"""A correct plugin without endpoints: the endpoint methods are the base class's, which raise
"not supported". Deployments keep their ``endpoint`` parameters, as MLflow's base class has them.
"""

from __future__ import annotations

import good
from good import run_local, target_help  # noqa: F401

import conformance.api as api


class Client(good.Client):
    # Named through the module: a module-level alias of the base class would be a second
    # client class among the module's members.
    create_endpoint = api.BaseDeploymentClient.create_endpoint
    update_endpoint = api.BaseDeploymentClient.update_endpoint
    delete_endpoint = api.BaseDeploymentClient.delete_endpoint
    list_endpoints = api.BaseDeploymentClient.list_endpoints
    get_endpoint = api.BaseDeploymentClient.get_endpoint
