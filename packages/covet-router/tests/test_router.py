"""Router registration and matching of routes (mounts: test_router_mounts.py)."""

from __future__ import annotations

from typing import Any

import pytest

from covet.router import (
    Converter,
    ConverterError,
    DuplicateRouteNameError,
    InvalidPathError,
    MethodNotAllowed,
    NotFound,
    RedirectSlash,
    RouteConflictError,
    RouteMatch,
    Router,
    RouterError,
)


def get_user() -> None:
    pass


def get_user_by_pk() -> None:
    pass


def endpoint_of(result: Any) -> Any:
    assert isinstance(result, RouteMatch), result
    return result.route.endpoint


class TestMethods:
    def test_default_is_get_and_head(self) -> None:
        assert Router().add_route("/", "home").methods == {"GET", "HEAD"}

    def test_upper_cased_and_head_added_to_get(self) -> None:
        router = Router()
        assert router.add_route("/a", "a", methods=["get", "post"]).methods == {
            "GET",
            "HEAD",
            "POST",
        }
        assert router.add_route("/b", "b", methods=["DELETE"]).methods == {"DELETE"}

    def test_a_bare_string_is_refused(self) -> None:
        with pytest.raises(TypeError, match=r"must be a list such as \['GET'\], not a str"):
            Router().add_route("/", "home", methods="GET")

    def test_empty_and_non_string_methods_are_refused(self) -> None:
        with pytest.raises(RouterError, match="methods for '/' is empty"):
            Router().add_route("/", "home", methods=[])
        with pytest.raises(TypeError, match="must be non-empty strings, got 3"):
            Router().add_route("/", "home", methods=[3])  # type: ignore[list-item]
        with pytest.raises(TypeError, match="must be non-empty strings, got ' '"):
            Router().add_route("/", "home", methods=[" "])


class TestRegistration:
    def test_routes_lists_routes_and_mounts_in_order(self) -> None:
        router = Router()
        first = router.add_route("/a", "a")
        mount = router.mount("/m", "app")
        last = router.add_route("/{x}", "x")
        assert router.routes == [first, mount, last]
        router.routes.clear()  # a copy: the table itself is unchanged
        assert len(router.routes) == 3
        assert repr(router) == "<Router: 3 routes and mounts>"

    def test_same_shape_and_overlapping_methods_is_a_conflict_naming_both(self) -> None:
        router = Router()
        router.add_route("/users/{user_id:int}", get_user, name="get_user")
        with pytest.raises(RouteConflictError) as info:
            router.add_route(
                "/users/{pk:int}", get_user_by_pk, methods=["GET", "PUT"], name="by_pk"
            )
        message = str(info.value)
        assert f"'/users/{{pk:int}}' -> {__name__}.get_user_by_pk (name='by_pk')" in message
        assert f"'/users/{{user_id:int}}' -> {__name__}.get_user (name='get_user')" in message
        assert "can never match" in message
        assert "answers GET, HEAD" in message

    def test_a_refused_route_leaves_the_table_unchanged(self) -> None:
        router = Router()
        router.add_route("/a", "first")
        with pytest.raises(RouteConflictError):
            router.add_route("/a", "second", name="second")
        assert len(router.routes) == 1
        router.add_route("/b", "b", name="second")  # the name was not taken
        assert endpoint_of(router.match("GET", "/a")) == "first"

    def test_static_duplicates_conflict(self) -> None:
        router = Router()
        router.add_route("/about", "a", methods=["GET"])
        with pytest.raises(RouteConflictError, match="'/about'"):
            router.add_route("/about", "b", methods=["GET"])

    def test_same_shape_with_disjoint_methods_is_fine(self) -> None:
        router = Router()
        router.add_route("/users/{id}", "read", methods=["GET"])
        router.add_route("/users/{user_id}", "write", methods=["POST", "PUT"])
        assert endpoint_of(router.match("PUT", "/users/a")) == "write"
        assert router.match("PUT", "/users/a").params == {"user_id": "a"}  # type: ignore[union-attr]
        assert router.match("GET", "/users/a").params == {"id": "a"}  # type: ignore[union-attr]

    def test_overlap_on_implicit_head_is_explained(self) -> None:
        router = Router()
        router.add_route("/page", "page", methods=["GET"])
        with pytest.raises(RouteConflictError, match="HEAD is added automatically"):
            router.add_route("/page", "head", methods=["HEAD"])

    def test_different_converters_do_not_conflict(self) -> None:
        router = Router()
        router.add_route("/f/{x:int}", "int")
        router.add_route("/f/{x}", "str")
        router.add_route("/f/{x:path}", "path")
        router.add_route("/f/x", "static")
        assert len(router.routes) == 4

    def test_duplicate_names_name_both_entries(self) -> None:
        router = Router()
        router.add_route("/a", get_user, name="user")
        with pytest.raises(DuplicateRouteNameError) as info:
            router.add_route("/b", get_user_by_pk, name="user")
        message = str(info.value)
        assert message == (
            f"the name 'user' of GET,HEAD '/b' -> {__name__}.get_user_by_pk (name='user') "
            f"is already used by GET,HEAD '/a' -> {__name__}.get_user (name='user')"
        )

    def test_duplicate_names_across_routes_and_mounts(self) -> None:
        router = Router()
        router.add_route("/a", "a", name="static")
        with pytest.raises(DuplicateRouteNameError, match="mount '/static'"):
            router.mount("/static", "files", name="static")
        router.mount("/assets", "files", name="assets")
        with pytest.raises(DuplicateRouteNameError, match="already used by mount '/assets'"):
            router.add_route("/b", "b", name="assets")

    @pytest.mark.parametrize("name", ["", "api:users", 5])
    def test_invalid_names(self, name: Any) -> None:
        with pytest.raises(RouterError, match="a name is a non-empty str without ':'"):
            Router().add_route("/", "home", name=name)

    def test_invalid_pattern_is_reported(self) -> None:
        with pytest.raises(InvalidPathError, match="a parameter must fill a whole segment"):
            Router().add_route("/files/{name}.{ext}", "file")


class Slug(Converter):
    regex = "[a-z]+(-[a-z]+)*"


class TestLocalConverters:
    def test_only_the_router_that_has_it_sees_it(self) -> None:
        router = Router(converters={"slug": Slug()})
        route = router.add_route("/posts/{slug:slug}", "post")
        assert router.match("GET", "/posts/a-b") == RouteMatch(route, {"slug": "a-b"})
        with pytest.raises(InvalidPathError, match="unknown converter 'slug'"):
            Router().add_route("/posts/{slug:slug}", "post")

    def test_local_converter_beats_str_and_the_global_ones_come_first(self) -> None:
        router = Router(converters={"slug": Slug()})
        router.add_route("/p/{name}", "str")
        router.add_route("/p/{slug:slug}", "slug")
        router.add_route("/p/{n:int}", "int")
        assert endpoint_of(router.match("GET", "/p/abc")) == "slug"
        assert endpoint_of(router.match("GET", "/p/42")) == "int"
        assert endpoint_of(router.match("GET", "/p/ABC")) == "str"

    def test_a_local_converter_can_replace_a_global_name(self) -> None:
        class Hex(Converter):
            regex = "[0-9a-f]+"

            def to_python(self, value: str) -> int:
                return int(value, 16)

        router = Router(converters={"int": Hex()})
        router.add_route("/h/{n:int}", "hex")
        assert router.match("GET", "/h/ff").params == {"n": 255}  # type: ignore[union-attr]

    def test_local_converters_are_checked(self) -> None:
        with pytest.raises(ConverterError, match="not a valid identifier"):
            Router(converters={"no good": Slug()})
        with pytest.raises(TypeError, match="must be an instance"):
            Router(converters={"slug": "[a-z]+"})  # type: ignore[dict-item]


class TestMatching:
    @pytest.fixture
    def router(self) -> Router:
        router = Router()
        router.add_route("/", "home")
        router.add_route("/users/{name}", "by_name")
        router.add_route("/users/{user_id:int}", "by_id")
        router.add_route("/users/me", "me")
        router.add_route("/users/{name}", "create", methods=["POST"])
        router.add_route("/users/{user_id:int}/posts/{slug}", "post")
        router.add_route("/users/{name}/settings", "settings", methods=["GET", "PATCH"])
        router.add_route("/docs/{page:path}", "docs")
        return router

    def test_static_routes(self, router: Router) -> None:
        assert router.match("GET", "/") == RouteMatch(router.routes[0], {})  # type: ignore[arg-type]
        assert endpoint_of(router.match("GET", "/users/me")) == "me"

    def test_static_beats_parameters_registered_earlier(self, router: Router) -> None:
        assert endpoint_of(router.match("GET", "/users/me")) == "me"

    def test_int_beats_str_and_str_still_gets_the_rest(self, router: Router) -> None:
        result = router.match("GET", "/users/42")
        assert endpoint_of(result) == "by_id"
        assert result.params == {"user_id": 42}  # type: ignore[union-attr]
        assert router.match("GET", "/users/bob").params == {"name": "bob"}  # type: ignore[union-attr]

    def test_backtracking_to_a_less_specific_branch(self, router: Router) -> None:
        # "42" first goes down {user_id:int}, which has no "settings": back up, try {name}.
        result = router.match("PATCH", "/users/42/settings")
        assert endpoint_of(result) == "settings"
        assert result.params == {"name": "42"}  # type: ignore[union-attr]

    def test_method_decides_between_branches(self, router: Router) -> None:
        result = router.match("POST", "/users/42")
        assert endpoint_of(result) == "create"
        assert result.params == {"name": "42"}  # type: ignore[union-attr]

    def test_several_params(self, router: Router) -> None:
        result = router.match("GET", "/users/7/posts/hello")
        assert result.params == {"user_id": 7, "slug": "hello"}  # type: ignore[union-attr]

    def test_path_param_takes_the_rest(self, router: Router) -> None:
        assert router.match("GET", "/docs/a/b/c.html").params == {"page": "a/b/c.html"}  # type: ignore[union-attr]
        assert router.match("GET", "/docs/").params == {"page": ""}  # type: ignore[union-attr]

    def test_head_is_served_by_get_routes(self, router: Router) -> None:
        assert endpoint_of(router.match("HEAD", "/users/me")) == "me"

    def test_405_lists_the_union_of_every_route_matching_the_path(self, router: Router) -> None:
        assert router.match("DELETE", "/users/42") == MethodNotAllowed(("GET", "HEAD", "POST"))
        assert router.match("PUT", "/users/me") == MethodNotAllowed(("GET", "HEAD", "POST"))
        assert router.match("POST", "/users/x/settings") == MethodNotAllowed(
            ("GET", "HEAD", "PATCH")
        )

    def test_405_on_a_static_route(self) -> None:
        router = Router()
        router.add_route("/login", "form", methods=["POST"])
        assert router.match("GET", "/login") == MethodNotAllowed(("POST",))
        assert router.match("HEAD", "/login") == MethodNotAllowed(("POST",))

    def test_methods_are_compared_exactly(self, router: Router) -> None:
        assert isinstance(router.match("get", "/users/me"), MethodNotAllowed)

    def test_the_decoded_path_is_not_decoded_again(self, router: Router) -> None:
        assert router.match("GET", "/users/a%2Fb").params == {"name": "a%2Fb"}  # type: ignore[union-attr]
        assert router.match("GET", "/users/caf\u00e9").params == {"name": "caf\u00e9"}  # type: ignore[union-attr]

    @pytest.mark.parametrize("path", ["", "users", "*", "/nothing", "/users", "/users/x/y/z"])
    def test_not_found(self, router: Router, path: str) -> None:
        assert router.match("GET", path) == NotFound()


class TestRedirectSlashes:
    @pytest.fixture
    def router(self) -> Router:
        router = Router()
        router.add_route("/", "home")
        router.add_route("/about", "about")
        router.add_route("/items/", "items")
        router.add_route("/items/{n:int}", "item")
        router.add_route("/upload/", "upload", methods=["POST"])
        return router

    @pytest.mark.parametrize(
        ("path", "target"),
        [
            ("/about/", "/about"),
            ("/items", "/items/"),
            ("/items/3/", "/items/3"),
            ("/upload", "/upload/"),  # the target allows POST only: any method counts
        ],
    )
    def test_redirect_in_both_directions(self, router: Router, path: str, target: str) -> None:
        assert router.match("GET", path) == RedirectSlash(target)

    def test_never_for_the_root_or_a_real_miss(self, router: Router) -> None:
        assert router.match("GET", "/nothing/") == NotFound()
        assert router.match("GET", "/items/x/") == NotFound()
        empty = Router()
        assert empty.match("GET", "/") == NotFound()

    def test_no_redirect_when_the_path_matched_with_another_method(self, router: Router) -> None:
        router.add_route("/about/", "about-form", methods=["POST"])
        assert router.match("GET", "/about/") == MethodNotAllowed(("POST",))

    def test_never_to_a_protocol_relative_url(self) -> None:
        # "//evil.example/" in a Location header would send the browser to another host.
        router = Router()
        router.add_route("//{host}/", "odd")
        assert endpoint_of(router.match("GET", "//evil.example/")) == "odd"
        assert router.match("GET", "//evil.example") == NotFound()

    def test_strict_router_does_not_redirect(self, router: Router) -> None:
        strict = Router(redirect_slashes=False)
        strict.add_route("/about", "about")
        assert strict.match("GET", "/about/") == NotFound()
        assert strict.redirect_slashes is False
