"""The errors every store raises for the same broken rule, built in one place."""

from __future__ import annotations

import conformance.api as api

__all__ = [
    "deployment_exists",
    "endpoint_exists",
    "endpoint_in_use",
    "no_deployment",
    "no_endpoint",
]


def deployment_exists(namespace: str, name: str) -> api.MlflowException:
    """The error for a deployment name already in use."""
    return api.MlflowException(
        f"A deployment named {name!r} already exists in memory namespace {namespace!r}. "
        "Choose another name, or change that one with update_deployment().",
        api.RESOURCE_ALREADY_EXISTS,
    )


def endpoint_exists(namespace: str, name: str) -> api.MlflowException:
    """The error for an endpoint name already in use."""
    return api.MlflowException(
        f"An endpoint named {name!r} already exists in memory namespace {namespace!r}. "
        "Choose another name, or change that one with update_endpoint().",
        api.RESOURCE_ALREADY_EXISTS,
    )


def no_deployment(namespace: str, name: str, endpoint: str | None) -> api.MlflowException:
    """The error for a deployment that is not there (under ``endpoint`` when given)."""
    where = f"under endpoint {endpoint!r} " if endpoint is not None else ""
    return api.MlflowException(
        f"No deployment named {name!r} {where}in memory namespace {namespace!r}. "
        "Create it with create_deployment(), or see list_deployments() for the ones there.",
        api.RESOURCE_DOES_NOT_EXIST,
    )


def no_endpoint(namespace: str, name: str) -> api.MlflowException:
    """The error for an endpoint that is not there."""
    return api.MlflowException(
        f"No endpoint named {name!r} in memory namespace {namespace!r}. Create it with "
        "create_endpoint(), or see list_endpoints() for the ones there.",
        api.RESOURCE_DOES_NOT_EXIST,
    )


def endpoint_in_use(namespace: str, name: str, members: list[str]) -> api.MlflowException:
    """The refusal to delete an endpoint that still holds deployments."""
    shown = ", ".join(repr(member) for member in members[:5])
    more = ", …" if len(members) > 5 else ""
    return api.MlflowException(
        f"Endpoint {name!r} in memory namespace {namespace!r} still holds {len(members)} "
        f"deployment(s) ({shown}{more}). Delete its deployments first, then the endpoint.",
        api.INVALID_PARAMETER_VALUE,
    )
