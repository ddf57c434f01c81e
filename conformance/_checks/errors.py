"""Error codes: the errors the contract asks for should carry the code that names the problem."""

from __future__ import annotations

from conformance._checks import check
from conformance._checks._support import expect_code
from conformance._checks.create import conflict_error
from conformance._checks.lifecycle import flavor_only_error
from conformance._checks.read import missing_get_error
from conformance._context import Context


@check("errors.already-exists-code")
def already_exists_code(context: Context) -> None:
    expect_code(
        conflict_error(context), "RESOURCE_ALREADY_EXISTS", "the conflicting create_deployment"
    )


@check("errors.does-not-exist-code")
def does_not_exist_code(context: Context) -> None:
    expect_code(
        missing_get_error(context), "RESOURCE_DOES_NOT_EXIST", "get_deployment of a missing name"
    )


@check("errors.invalid-parameter-code")
def invalid_parameter_code(context: Context) -> None:
    expect_code(
        flavor_only_error(context), "INVALID_PARAMETER_VALUE", "update_deployment(name, flavor=…)"
    )
