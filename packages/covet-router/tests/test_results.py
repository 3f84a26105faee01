from __future__ import annotations

import dataclasses

import pytest

from covet.router import (
    MatchResult,
    MethodNotAllowed,
    MountMatch,
    NotFound,
    RedirectSlash,
    RouteMatch,
    Router,
)


def describe(result: MatchResult) -> str:
    """The way an ASGI layer consumes results: one match statement, one case per outcome."""
    match result:
        case RouteMatch(route, params):
            return f"call {route.endpoint} with {params}"
        case MountMatch(mount, child_path, root_path):
            return f"hand {child_path} to {mount.app} under {root_path}"
        case MethodNotAllowed(allowed):
            return f"405 Allow: {', '.join(allowed)}"
        case RedirectSlash(path):
            return f"redirect to {path}"
        case NotFound():
            return "404"
    raise AssertionError(result)  # pragma: no cover - every case returns


def test_results_support_pattern_matching() -> None:
    router = Router()
    router.add_route("/items/{n:int}", "item")
    router.add_route("/items/", "items", methods=["POST"])
    router.mount("/files", "files-app")
    assert describe(router.match("GET", "/items/3")) == "call item with {'n': 3}"
    assert describe(router.match("GET", "/files/a")) == "hand /a to files-app under /files"
    assert describe(router.match("GET", "/items/")) == "405 Allow: POST"
    assert describe(router.match("POST", "/items")) == "redirect to /items/"
    assert describe(router.match("GET", "/nothing")) == "404"


def test_results_are_frozen_values() -> None:
    assert RedirectSlash("/a") == RedirectSlash("/a")
    assert NotFound() == NotFound()
    with pytest.raises(dataclasses.FrozenInstanceError):
        MethodNotAllowed(("GET",)).allowed = ()  # type: ignore[misc]
