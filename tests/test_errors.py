import pytest

from legiongraph.errors import (
    ConfigError,
    LegiongraphError,
    LoadError,
    QueryError,
    ResourceNotFound,
    StoreError,
    ValidationFailed,
    exit_code_for,
    http_status_for,
)


@pytest.mark.parametrize(
    ("error", "exit_code", "status"),
    [
        (ValidationFailed("x"), 1, 422),
        (LoadError("x"), 2, 400),
        (QueryError("x"), 2, 400),
        (ConfigError("x"), 2, 500),
        (ResourceNotFound("x"), 2, 404),
        (StoreError("x"), 3, 503),
        (LegiongraphError("x"), 4, 500),
    ],
)
def test_each_error_maps_to_one_exit_code_and_one_status(error, exit_code, status):
    assert exit_code_for(error) == exit_code
    assert http_status_for(error) == status
