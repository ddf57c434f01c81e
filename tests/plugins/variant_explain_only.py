"""A correct plugin that supports explain but neither predict_stream nor endpoints."""

from __future__ import annotations

import good
from good import run_local, target_help  # noqa: F401

import conformance.api as api


class Client(good.Client):
    predict_stream = api.BaseDeploymentClient.predict_stream
    create_endpoint = api.BaseDeploymentClient.create_endpoint
    update_endpoint = api.BaseDeploymentClient.update_endpoint
    delete_endpoint = api.BaseDeploymentClient.delete_endpoint
    list_endpoints = api.BaseDeploymentClient.list_endpoints
    get_endpoint = api.BaseDeploymentClient.get_endpoint
