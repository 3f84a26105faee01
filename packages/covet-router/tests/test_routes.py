from __future__ import annotations

import dataclasses

import pytest

from covet.router import Mount, Route, Router, URLBuildError
from covet.router.routes import describe_endpoint


async def list_users() -> None:
    """An endpoint; the router never calls it."""


class UserView:
    pass


@pytest.fixture
def route() -> Route:
    return Router().add_route("/users/{user_id:int}", list_users, methods=["get"], name="user")


def test_route_fields(route: Route) -> None:
    assert route.path == "/users/{user_id:int}"
    assert route.endpoint is list_users
    assert route.methods == frozenset({"GET", "HEAD"})
    assert route.name == "user"
    assert route.param_names == ("user_id",)


def test_route_is_frozen_and_compared_by_identity(route: Route) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        route.path = "/other"  # type: ignore[misc]
    twin = dataclasses.replace(route)
    assert twin != route
    assert route == route


def test_route_url_path(route: Route) -> None:
    assert route.url_path(user_id=7) == "/users/7"
    with pytest.raises(URLBuildError, match=r"cannot build route 'user' .*missing 'user_id'"):
        route.url_path()


def test_route_describe_names_methods_pattern_endpoint_and_name(route: Route) -> None:
    assert route.describe() == (
        f"GET,HEAD '/users/{{user_id:int}}' -> {__name__}.list_users (name='user')"
    )


def test_describe_endpoint() -> None:
    assert describe_endpoint(UserView) == f"{__name__}.UserView"
    assert describe_endpoint(UserView()).startswith(f"<{__name__}.UserView object at")
    assert describe_endpoint("users") == "'users'"

    class NoModule:
        __qualname__ = "Odd"
        __module__ = None  # type: ignore[assignment]

    assert describe_endpoint(NoModule) == "Odd"


class TestMount:
    def test_url_path_is_the_prefix(self) -> None:
        assert Mount("/static", object(), "static").url_path() == "/static"
        assert Mount("", object(), "root").url_path() == "/"

    def test_url_path_appends_a_path_below(self) -> None:
        mount = Mount("/static", object(), "static")
        assert mount.url_path(path="css/a b.css") == "/static/css/a%20b.css"
        assert mount.url_path(path="/css/app.css") == "/static/css/app.css"
        assert Mount("", object(), None).url_path(path="x") == "/x"

    def test_url_path_errors(self) -> None:
        mount = Mount("/static", object(), "static")
        with pytest.raises(URLBuildError, match=r"unexpected 'file' \(a mount takes only 'path'\)"):
            mount.url_path(file="x")
        with pytest.raises(URLBuildError, match="path must be a str, got int"):
            mount.url_path(path=3)
        with pytest.raises(URLBuildError, match="'static': path="):
            mount.url_path(path="\udc80")

    def test_describe(self) -> None:
        assert Mount("", UserView, "root").describe() == (
            f"mount '/' -> {__name__}.UserView (name='root')"
        )
