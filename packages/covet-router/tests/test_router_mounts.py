"""Router.mount: prefixes, nested routers, and how mounts and routes share paths."""

from __future__ import annotations

import pytest

from covet.router import (
    DuplicateRouteNameError,
    InvalidPathError,
    MethodNotAllowed,
    MountMatch,
    NotFound,
    RedirectSlash,
    RouteConflictError,
    RouteMatch,
    Router,
    RouterError,
)


class App:
    """Stands for any mounted app: the router never calls it."""

    def __init__(self, label: str) -> None:
        self.label = label

    def __repr__(self) -> str:
        return f"App({self.label!r})"


def mounted_app(result: object) -> object:
    assert isinstance(result, MountMatch), result
    return result.mount.app


class TestPrefixes:
    @pytest.mark.parametrize(
        ("given", "normalised"), [("/api", "/api"), ("/api/", "/api"), ("/", ""), ("", "")]
    )
    def test_prefix_is_normalised(self, given: str, normalised: str) -> None:
        assert Router().mount(given, App("a")).path == normalised

    @pytest.mark.parametrize(
        ("prefix", "problem"),
        [
            ("api", "it must start with '/'"),
            ("/users/{id}", "mount prefixes are static, so no {parameters}"),
            ("/a}", "mount prefixes are static"),
            ("/\ud800", "cannot be encoded as UTF-8"),
        ],
    )
    def test_invalid_prefixes(self, prefix: str, problem: str) -> None:
        with pytest.raises(InvalidPathError) as info:
            Router().mount(prefix, App("a"))
        assert str(info.value).startswith(f"invalid mount prefix {prefix!r}: ")
        assert problem in str(info.value)

    def test_the_same_prefix_twice_is_a_conflict_naming_both(self) -> None:
        router = Router()
        router.mount("/api", App("first"), name="v1")
        with pytest.raises(RouteConflictError) as info:
            router.mount("/api/", App("second"), name="v2")
        assert str(info.value) == (
            "mount '/api' -> App('second') (name='v2') conflicts with "
            "mount '/api' -> App('first') (name='v1'): the same prefix cannot be mounted twice"
        )

    def test_a_router_cannot_contain_itself(self) -> None:
        outer, inner = Router(), Router()
        with pytest.raises(RouterError, match="would contain itself"):
            outer.mount("/me", outer)
        outer.mount("/inner", inner)
        with pytest.raises(RouterError, match="would contain itself"):
            inner.mount("/outer", outer)


class TestOpaqueApps:
    @pytest.fixture
    def router(self) -> Router:
        router = Router()
        router.mount("/static", App("static"), name="static")
        return router

    @pytest.mark.parametrize(
        ("path", "child_path"),
        [("/static", "/"), ("/static/", "/"), ("/static/css/a.css", "/css/a.css")],
    )
    def test_child_and_root_path(self, router: Router, path: str, child_path: str) -> None:
        result = router.match("GET", path)
        assert isinstance(result, MountMatch)
        assert (result.root_path, result.child_path) == ("/static", child_path)

    def test_only_whole_segments_match_the_prefix(self, router: Router) -> None:
        assert router.match("GET", "/staticfiles") == NotFound()

    def test_any_method(self, router: Router) -> None:
        assert isinstance(router.match("BREW", "/static/pot"), MountMatch)

    def test_longest_prefix_wins_whatever_the_order(self) -> None:
        router = Router()
        router.mount("/api", App("api"))
        router.mount("/api/v2/admin", App("admin"))
        router.mount("/api/v2", App("v2"))
        assert mounted_app(router.match("GET", "/api/v2/admin/x")).label == "admin"  # type: ignore[attr-defined]
        assert mounted_app(router.match("GET", "/api/v2/x")).label == "v2"  # type: ignore[attr-defined]
        assert mounted_app(router.match("GET", "/api/v3")).label == "api"  # type: ignore[attr-defined]

    def test_root_mount_takes_what_nothing_else_takes(self) -> None:
        router = Router()
        router.add_route("/health", "health")
        router.mount("/", App("spa"))
        result = router.match("GET", "/app/page")
        assert result == MountMatch(router.routes[1], "/app/page", "")  # type: ignore[arg-type]
        assert isinstance(router.match("GET", "/health"), RouteMatch)

    def test_routes_come_before_mounts(self) -> None:
        router = Router()
        router.mount("/api", App("api"))
        router.add_route("/api/health", "health")
        assert isinstance(router.match("GET", "/api/health"), RouteMatch)
        assert isinstance(router.match("GET", "/api/other"), MountMatch)

    def test_a_mount_takes_a_request_a_route_only_half_matched(self) -> None:
        # As in Starlette: a route with the wrong method does not stop the search.
        router = Router()
        router.add_route("/login", "login", methods=["POST"])
        router.mount("/", App("spa"))
        assert isinstance(router.match("GET", "/login"), MountMatch)


class TestNestedRouters:
    @pytest.fixture
    def api(self) -> Router:
        api = Router()
        api.add_route("/", "api_root", name="root")
        api.add_route("/users/{user_id:int}", "user", name="user")
        api.add_route("/users/", "create", methods=["POST"], name="create")
        return api

    def test_nested_router_is_transparent(self, api: Router) -> None:
        router = Router()
        router.mount("/api", api, name="api")
        result = router.match("GET", "/api/users/7")
        assert isinstance(result, RouteMatch)
        assert result.route.endpoint == "user"
        assert result.params == {"user_id": 7}
        assert router.match("GET", "/api") == router.match("GET", "/api/")
        assert isinstance(router.match("GET", "/api"), RouteMatch)

    def test_nested_405_and_union_with_the_outer_routes(self, api: Router) -> None:
        router = Router()
        router.mount("/api", api)
        router.add_route("/api/users/", "outer", methods=["PUT"])
        assert router.match("DELETE", "/api/users/") == MethodNotAllowed(("POST", "PUT"))

    def test_redirect_decided_by_the_outer_router(self, api: Router) -> None:
        router = Router()
        router.mount("/api", api)
        assert router.match("GET", "/api/users/7/") == RedirectSlash("/api/users/7")
        assert router.match("POST", "/api/users") == RedirectSlash("/api/users/")
        strict = Router(redirect_slashes=False)
        strict.mount("/api", api)
        assert strict.match("GET", "/api/users/7/") == NotFound()

    def test_inner_miss_falls_back_to_a_shorter_mount(self, api: Router) -> None:
        router = Router()
        router.mount("/api", api)
        router.mount("", App("fallback"))
        assert mounted_app(router.match("GET", "/api/nothing")).label == "fallback"  # type: ignore[attr-defined]

    def test_root_path_is_the_whole_prefix_through_nested_routers(self) -> None:
        files = App("files")
        level2 = Router()
        level2.mount("/files", files)
        level1 = Router()
        level1.mount("/v1", level2)
        router = Router()
        router.mount("/api", level1)
        assert router.match("GET", "/api/v1/files/a/b") == MountMatch(
            level2.routes[0],  # type: ignore[arg-type]
            child_path="/a/b",
            root_path="/api/v1/files",
        )

    def test_names_in_an_unnamed_mounted_router_must_stay_unique(self, api: Router) -> None:
        router = Router()
        router.add_route("/user", "mine", name="user")
        with pytest.raises(DuplicateRouteNameError, match="the name 'user' of mount '/api'"):
            router.mount("/api", api)
        other = Router()
        other.mount("/api", api)
        with pytest.raises(DuplicateRouteNameError, match=r"already used by .*'user'"):
            other.add_route("/me", "me", name="user")

    def test_a_named_mount_keeps_inner_names_apart(self, api: Router) -> None:
        router = Router()
        router.add_route("/user", "mine", name="user")
        router.mount("/api", api, name="api")  # "api:user" is not "user"
        assert router.url_for("user") == "/user"
        assert router.url_for("api:user", user_id=1) == "/api/users/1"
