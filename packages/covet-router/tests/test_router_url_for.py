"""Router.url_for: reversing names into quoted paths, through mounts."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import unquote

import pytest

from covet.router import RouteMatch, Router, URLBuildError


class AppWithUrlFor:
    """A mounted non-Router app that builds its own URLs (as a mounted CovetPy app does)."""

    def url_for(self, name: str, /, **params: Any) -> str:
        if name != "page":
            raise URLBuildError(f"no route named {name!r}")
        return f"/pages/{params['n']}"


@pytest.fixture
def router() -> Router:
    api = Router()
    api.add_route("/users/{user_id:int}", "user", name="user")
    api.add_route("/", "api_root", name="root")
    v2 = Router()
    v2.add_route("/things/{thing:uuid}", "thing", name="thing")
    api.mount("/v2", v2, name="v2")
    router = Router()
    router.add_route("/", "home", name="home")
    router.add_route("/users/{name}", "user", name="user")
    router.add_route("/files/{file:path}", "file", name="file")
    router.add_route("/prices/{amount:float}", "price", name="price")
    router.add_route("/search/{name}", "search", name="search_by_name")
    router.mount("/api", api, name="api")
    router.mount("/static", object(), name="static")
    router.mount("/site", AppWithUrlFor(), name="site")
    return router


def test_plain_routes(router: Router) -> None:
    assert router.url_for("home") == "/"
    assert router.url_for("user", name="bob") == "/users/bob"
    assert router.url_for("price", amount=1e21) == "/prices/1000000000000000000000"


def test_values_are_quoted(router: Router) -> None:
    assert router.url_for("user", name="a b/c?") == "/users/a%20b%2Fc%3F"
    assert router.url_for("file", file="dir/a b.txt") == "/files/dir/a%20b.txt"
    assert router.url_for("user", name="caf\u00e9") == "/users/caf%C3%A9"


def test_a_parameter_may_be_called_name(router: Router) -> None:
    assert router.url_for("search_by_name", name="x") == "/search/x"


def test_nested_names_get_the_mount_prefix(router: Router) -> None:
    assert router.url_for("api:user", user_id=3) == "/api/users/3"
    assert router.url_for("api:root") == "/api/"
    value = uuid.UUID(int=10)
    assert router.url_for("api:v2:thing", thing=value) == f"/api/v2/things/{value}"


def test_a_mount_name_gives_its_prefix_or_a_path_below(router: Router) -> None:
    assert router.url_for("api") == "/api"
    assert router.url_for("static", path="/css/app.css") == "/static/css/app.css"


def test_mount_prefixes_are_quoted_too() -> None:
    inner = Router()
    inner.add_route("/menu", "menu", name="menu")
    router = Router()
    router.mount("/caf\u00e9 bar", inner, name="cafe")
    router.mount("/caf\u00e9 club", AppWithUrlFor(), name="club")
    unnamed = Router()
    unnamed.mount("/caf\u00e9", inner)
    assert router.url_for("cafe:menu") == "/caf%C3%A9%20bar/menu"
    assert router.url_for("club:page", n=1) == "/caf%C3%A9%20club/pages/1"
    assert unnamed.url_for("menu") == "/caf%C3%A9/menu"
    assert router.url_for("cafe") == "/caf%C3%A9%20bar"


def test_unnamed_mounted_routers_share_the_namespace() -> None:
    users = Router()
    users.add_route("/{user_id:int}", "user", name="user_detail")
    router = Router()
    router.mount("/users", users)
    assert router.url_for("user_detail", user_id=5) == "/users/5"


def test_delegates_to_a_mounted_app_with_url_for(router: Router) -> None:
    assert router.url_for("site:page", n=2) == "/site/pages/2"
    with pytest.raises(URLBuildError, match="no route named 'other'"):
        router.url_for("site:other")


def test_mounted_app_without_url_for(router: Router) -> None:
    with pytest.raises(URLBuildError) as info:
        router.url_for("static:logo")
    assert str(info.value) == (
        "cannot build static:logo: the app mounted at '/static' is not a Router and has no url_for"
    )


def test_unknown_names_suggest_close_ones(router: Router) -> None:
    with pytest.raises(URLBuildError) as info:
        router.url_for("usr", name="x")
    assert str(info.value) == "no route named 'usr'; did you mean 'user'?"
    with pytest.raises(URLBuildError, match=r"no route named 'api:usr'; did you mean 'api:user'"):
        router.url_for("api:usr")
    with pytest.raises(URLBuildError, match=r"did you mean 'api:v2:thing'"):
        router.url_for("api:v2:thin")


def test_unknown_names_without_suggestions(router: Router) -> None:
    with pytest.raises(URLBuildError) as info:
        router.url_for("zzzzzzzz")
    assert str(info.value) == "no route named 'zzzzzzzz'"
    with pytest.raises(URLBuildError, match="no route named 'nope:user'"):
        router.url_for("nope:user")
    with pytest.raises(URLBuildError, match="no route named 'home:x'"):
        router.url_for("home:x")  # "home" is a route, not a mount


def test_param_errors_come_through_nested_routers(router: Router) -> None:
    with pytest.raises(URLBuildError, match=r"route 'user' \('/users/\{user_id:int\}'\): missing"):
        router.url_for("api:user")
    with pytest.raises(URLBuildError, match=r"'int' converter refuses user_id=-1 \(int\)"):
        router.url_for("api:user", user_id=-1)
    with pytest.raises(URLBuildError, match="unexpected 'extra'"):
        router.url_for("home", extra=1)


def test_url_for_round_trips_through_match(router: Router) -> None:
    path = router.url_for("api:v2:thing", thing=uuid.UUID(int=7))
    result = router.match("GET", unquote(path))
    assert isinstance(result, RouteMatch)
    assert result.route.name == "thing"
    assert result.params == {"thing": uuid.UUID(int=7)}


def test_url_build_error_is_a_lookup_error(router: Router) -> None:
    with pytest.raises(LookupError):
        router.url_for("missing")
