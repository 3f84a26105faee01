from __future__ import annotations

import pytest

from covet.router import (
    ConverterError,
    DuplicateRouteNameError,
    InvalidPathError,
    RouteConflictError,
    RouterError,
    URLBuildError,
)


@pytest.mark.parametrize(
    ("error", "also"),
    [
        (InvalidPathError, ValueError),
        (RouteConflictError, RouterError),
        (DuplicateRouteNameError, RouterError),
        (ConverterError, ValueError),
        (URLBuildError, LookupError),
    ],
)
def test_every_error_is_a_router_error(error: type[Exception], also: type[Exception]) -> None:
    assert issubclass(error, RouterError)
    assert issubclass(error, also)
    assert issubclass(RouterError, Exception)
