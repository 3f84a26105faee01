"""Property-based tests: any input gives a result, and url_for and match agree."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import unquote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from covet.router import (
    MethodNotAllowed,
    MountMatch,
    NotFound,
    RedirectSlash,
    Route,
    RouteMatch,
    Router,
)

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def build_router() -> tuple[Router, dict[Route, str]]:
    """A realistic table, and the url_for name of each route (nested ones qualified)."""
    api = Router()
    router = Router()
    names: dict[Route, str] = {}

    def add(target: Router, pattern: str, name: str, prefix: str = "", **kw: Any) -> None:
        names[target.add_route(pattern, name, name=name, **kw)] = prefix + name

    add(router, "/", "home")
    add(router, "/users/me", "me")
    add(router, "/users/{user_id:int}", "user")
    add(router, "/users/{username}", "user_create", methods=["POST"])
    add(router, "/users/{username}/profile", "profile")
    add(router, "/prices/{amount:float}", "price")
    add(router, "/things/{thing:uuid}", "thing")
    add(router, "/tags/{tag}/", "tag")
    add(router, "/files/{file:path}", "file")
    add(api, "/items/{item_id:int}/{slug}", "item", prefix="api:")
    add(api, "/items/", "items", prefix="api:")
    router.mount("/api", api, name="api")
    router.mount("/static", object(), name="static")
    return router, names


ROUTER, NAMES = build_router()
RESULT_TYPES = (RouteMatch, MountMatch, MethodNotAllowed, RedirectSlash, NotFound)

# Text that can fill one segment and survive quote/unquote: no "/", no lone surrogates.
segment_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="/"), min_size=1
)
any_method = st.sampled_from(["GET", "HEAD", "POST", "PUT", "DELETE"]) | st.text(max_size=8)
known_segments = st.sampled_from(
    [
        "",
        "users",
        "me",
        "profile",
        "prices",
        "things",
        "tags",
        "files",
        "api",
        "items",
        "static",
        "42",
        "007",
        "1.50",
        "9" * 30,
        str(uuid.UUID(int=3)).upper(),
        "%2F",
        "..",
    ]
)
random_path = st.lists(known_segments | segment_text, max_size=6).map(
    lambda parts: "/" + "/".join(parts)
)
# Values that some converter accepts, so that route-shaped paths often match.
segment_value = st.one_of(
    known_segments,
    segment_text,
    st.from_regex(r"[0-9]{1,25}", fullmatch=True),
    st.from_regex(r"[0-9]{1,20}\.[0-9]{1,20}", fullmatch=True),
    st.uuids().map(str),
    st.uuids().map(lambda value: str(value).upper()),
)
templates = st.sampled_from(
    [
        "/users/{}",
        "/users/{}/profile",
        "/prices/{}",
        "/things/{}",
        "/tags/{}/",
        "/files/{}",
        "/files/{}/{}",
        "/api/items/{}/{}",
        "/api/items/{}",
        "/static/{}",
        "/{}",
    ]
)
route_shaped_path = st.builds(
    lambda template, values, toggle: (
        _toggle(template.format(*values)) if toggle else (template.format(*values))
    ),
    templates,
    st.lists(segment_value, min_size=2, max_size=2),
    st.sampled_from([False, False, False, True]),  # sometimes toggle the trailing slash
)
built_path = random_path | route_shaped_path


def _toggle(path: str) -> str:
    return path[:-1] if path.endswith("/") else path + "/"


def check_result(method: str, path: str) -> None:
    result = ROUTER.match(method, path)
    assert isinstance(result, RESULT_TYPES)
    if isinstance(result, RouteMatch):
        assert method in result.route.methods
        assert set(result.params) == set(result.route.param_names)
    elif isinstance(result, MountMatch):
        assert result.child_path.startswith("/")
        assert result.root_path + result.child_path in (path, path + "/")
    elif isinstance(result, MethodNotAllowed):
        assert method not in result.allowed
        assert list(result.allowed) == sorted(set(result.allowed))
    elif isinstance(result, RedirectSlash):
        assert result.path in (path + "/", path[:-1])
        assert not result.path.startswith("//")


@SETTINGS
@given(method=any_method, path=st.text())
def test_any_text_gives_a_result(method: str, path: str) -> None:
    check_result(method, path)
    check_result(method, "/" + path)


@SETTINGS
@given(method=any_method, path=built_path)
def test_any_built_path_gives_a_result(method: str, path: str) -> None:
    check_result(method, path)


PARAMS_FOR: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "home": st.just({}),
    "me": st.just({}),
    "user": st.fixed_dictionaries({"user_id": st.integers(min_value=0, max_value=10**40)}),
    "profile": st.fixed_dictionaries({"username": segment_text}),
    "price": st.fixed_dictionaries(
        {"amount": st.floats(min_value=0, allow_nan=False, allow_infinity=False)}
    ),
    "thing": st.fixed_dictionaries({"thing": st.uuids()}),
    "tag": st.fixed_dictionaries({"tag": segment_text}),
    "file": st.fixed_dictionaries({"file": st.text(st.characters(blacklist_categories=("Cs",)))}),
    "api:item": st.fixed_dictionaries({"item_id": st.integers(min_value=0), "slug": segment_text}),
    "api:items": st.just({}),
}


@st.composite
def name_and_params(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    name = draw(st.sampled_from(sorted(PARAMS_FOR)))
    return name, draw(PARAMS_FOR[name])


def test_every_named_route_has_a_strategy() -> None:
    assert set(PARAMS_FOR) == set(NAMES.values()) - {"user_create"}


@SETTINGS
@given(name_and_params())
def test_url_for_then_match_gives_the_route_and_params_back(
    case: tuple[str, dict[str, Any]],
) -> None:
    name, params = case
    route = next(route for route, qualified in NAMES.items() if qualified == name)
    method = sorted(route.methods)[0]
    result = ROUTER.match(method, unquote(ROUTER.url_for(name, **params)))
    assert isinstance(result, RouteMatch), result
    assert result.route is route
    assert result.params == params


@SETTINGS
@given(method=st.sampled_from(["GET", "POST"]), path=route_shaped_path)
def test_match_then_url_for_gives_the_same_match(method: str, path: str) -> None:
    first = ROUTER.match(method, path)
    if not isinstance(first, RouteMatch):
        return
    url = ROUTER.url_for(NAMES[first.route], **first.params)
    again = ROUTER.match(method, unquote(url))
    assert isinstance(again, RouteMatch), (path, url, again)
    assert again.route is first.route
    assert again.params == first.params
