"""The Router: register routes and mounts, match requests, build URLs.

Three structures do the work:

* ``_static``: fully static patterns, ``path -> routes`` (one dict lookup);
* ``_tree``: patterns with parameters, in a segment tree (``tree.py``);
* ``_mounts``: ``prefix -> Mount``; a path has few prefixes, so the longest mount is found
  with a handful of dict lookups, from the longest prefix down.

``match`` tries routes first, then mounts from the longest prefix. Registration checks the
table as it grows: a route that could never be reached, a prefix mounted twice, or a name used
twice is an error at once, naming both entries.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from covet.router.converters import Converter, registered_converters, validate_converter
from covet.router.errors import (
    DuplicateRouteNameError,
    InvalidPathError,
    RouteConflictError,
    RouterError,
    URLBuildError,
)
from covet.router.paths import PathPattern, compile_path, quote_static
from covet.router.results import (
    MatchResult,
    MethodNotAllowed,
    MountMatch,
    NotFound,
    RedirectSlash,
    RouteMatch,
)
from covet.router.routes import Mount, Route
from covet.router.tree import Node

__all__ = ["Router"]


class Router:
    """A table of routes and mounts.

    ``redirect_slashes=True`` (the default) answers a miss with :class:`RedirectSlash` when
    the same path with its trailing slash added or removed would match a route; ``False``
    makes trailing slashes strict. A mounted Router follows the setting of the router that
    ``match`` is called on. ``converters`` adds converters (name -> Converter) that only
    this router sees; other names come from the global registry.
    """

    def __init__(
        self,
        redirect_slashes: bool = True,
        converters: Mapping[str, Converter] | None = None,
    ) -> None:
        self.redirect_slashes = redirect_slashes
        self._converters: dict[str, Converter] = {}
        for name, converter in (converters or {}).items():
            validate_converter(name, converter)
            self._converters[name] = converter
        self._entries: list[Route | Mount] = []
        self._static: dict[str, list[Route]] = {}
        self._tree = Node()
        self._shapes: dict[tuple[str, ...], list[Route]] = {}
        self._mounts: dict[str, Mount] = {}
        self._names: dict[str, Route | Mount] = {}

    @property
    def routes(self) -> list[Route | Mount]:
        """Routes and mounts in registration order (a copy: register through the methods)."""
        return list(self._entries)

    # --- registration

    def add_route(
        self,
        path: str,
        endpoint: Any,
        methods: Iterable[str] | None = None,
        name: str | None = None,
    ) -> Route:
        """Register ``endpoint`` for ``path`` and ``methods`` (default GET and HEAD).

        Raises InvalidPathError for a bad pattern, RouteConflictError when an existing route
        with the same shape already answers one of the methods, DuplicateRouteNameError
        when ``name`` is taken.
        """
        pattern = self.compile(path)
        route = Route(path, endpoint, _normalise_methods(methods, path), name, pattern)
        self._check_name(route)
        same_shape = self._shapes.setdefault(pattern.shape, [])
        for other in same_shape:
            if other.methods & route.methods:
                raise RouteConflictError(_conflict_message(other, route))
        same_shape.append(route)
        if pattern.is_static:
            self._static.setdefault(path, []).append(route)
        else:
            self._tree.insert(pattern.segments, route)
        self._register(route)
        return route

    def compile(self, path: str) -> PathPattern:
        """Parse ``path`` with this router's converters, without registering anything.

        An application uses it to learn a pattern's parameter names before it
        builds the endpoint it will register.
        """
        # Global converters first (their registration order is their priority), then ours;
        # one of ours with a global name takes that name's place.
        table = {**registered_converters(), **self._converters}
        return compile_path(path, table)

    def mount(self, path: str, app: Any, name: str | None = None) -> Mount:
        """Send every request under the static prefix ``path`` to ``app``.

        ``app`` may be a Router (matching then descends into it, and ``url_for`` reaches its
        routes as ``"mount_name:route_name"``, or by their own names when the mount has no
        name) or any other object, returned in a :class:`MountMatch`.
        """
        prefix = _normalise_prefix(path)
        mount = Mount(prefix, app, name)
        if isinstance(app, Router) and app._reaches(self):
            raise RouterError(f"cannot mount {path!r}: the router would contain itself")
        self._check_name(mount)
        if prefix in self._mounts:
            raise RouteConflictError(
                f"{mount.describe()} conflicts with {self._mounts[prefix].describe()}: "
                "the same prefix cannot be mounted twice"
            )
        self._mounts[prefix] = mount
        self._register(mount)
        return mount

    def _register(self, entry: Route | Mount) -> None:
        self._entries.append(entry)
        if entry.name is not None:
            self._names[entry.name] = entry

    def _check_name(self, entry: Route | Mount) -> None:
        new_names: list[str] = []
        if entry.name is not None:
            if not isinstance(entry.name, str) or not entry.name or ":" in entry.name:
                raise RouterError(
                    f"invalid name {entry.name!r} for {entry.describe()}: a name is a non-empty "
                    "str without ':' (the colon joins a mount name to a name inside it)"
                )
            new_names.append(entry.name)
        if isinstance(entry, Mount) and entry.name is None and isinstance(entry.app, Router):
            new_names.extend(entry.app._url_names())  # reachable by their own names
        for new_name in new_names:
            existing = self._find_named(new_name)
            if existing is not None:
                raise DuplicateRouteNameError(
                    f"the name {new_name!r} of {entry.describe()} is already used by "
                    f"{existing.describe()}"
                )

    def _reaches(self, router: Router) -> bool:
        """True when ``router`` is this router or is mounted somewhere inside it."""
        return self is router or any(
            isinstance(mount.app, Router) and mount.app._reaches(router)
            for mount in self._mounts.values()
        )

    # --- matching

    def match(self, method: str, path: str) -> MatchResult:
        """Find what handles ``method`` on ``path`` (the decoded path, as in an ASGI scope).

        Never raises for any path or method: every outcome is a value (see ``results.py``).
        """
        result = self._match(method, path)
        if isinstance(result, NotFound) and self.redirect_slashes and len(path) > 1:
            other = path[:-1] if path.endswith("/") else path + "/"
            # A Location starting with "//" would send the client to another host.
            if not other.startswith("//") and isinstance(
                self._match(method, other), RouteMatch | MethodNotAllowed
            ):
                return RedirectSlash(other)
        return result

    def _match(self, method: str, path: str) -> MatchResult:
        if not path.startswith("/"):
            return NotFound()
        allowed: set[str] = set()
        found = self._match_routes(method, path, allowed)
        if found is not None:
            return found
        for mount, child_path in self._mounts_for(path):
            if not isinstance(mount.app, Router):
                return MountMatch(mount, child_path, mount.path)
            inner = mount.app._match(method, child_path)
            if isinstance(inner, RouteMatch):
                return inner
            if isinstance(inner, MountMatch):
                return MountMatch(inner.mount, inner.child_path, mount.path + inner.root_path)
            if isinstance(inner, MethodNotAllowed):
                allowed.update(inner.allowed)
        if allowed:
            return MethodNotAllowed(tuple(sorted(allowed)))
        return NotFound()

    def _match_routes(self, method: str, path: str, allowed: set[str]) -> RouteMatch | None:
        """The first route for ``method`` on ``path``; records the methods of all others."""
        static_routes = self._static.get(path)
        if static_routes is not None:
            for route in static_routes:
                if method in route.methods:
                    return RouteMatch(route, {})
                allowed.update(route.methods)
        found = self._tree.find(path[1:].split("/"), method, allowed)
        if found is None:
            return None
        route, values = found
        # One value per parameter name, since the tree walked exactly the route's segments:
        # zip(strict=True) would check that again on every match. Even ``strict=False`` is
        # left out: passing a keyword to zip costs about 0.15 us a match (CPython parses
        # it), and a plain zip does the same thing. ``route.pattern.param_names``, not the
        # ``route.param_names`` property: calling the property cost more than the zip.
        return RouteMatch(route, dict(zip(route.pattern.param_names, values)))  # noqa: B905

    def _mounts_for(self, path: str) -> Iterator[tuple[Mount, str]]:
        """Mounts whose prefix matches ``path``, longest first, with the child path."""
        if not self._mounts:
            return
        end = len(path)
        while True:
            mount = self._mounts.get(path[:end])
            if mount is not None:
                yield mount, path[end:] or "/"
            if end == 0:
                return
            end = path.rfind("/", 0, end)  # the next shorter prefix ends before a "/"

    # --- reversing

    def url_for(self, name: str, /, **params: Any) -> str:
        """The quoted path of the route called ``name``, e.g. ``url_for("user", id=1)``.

        ``"api:users"`` is the route ``users`` inside the mount ``api``; the mount prefix is
        prepended. A mount's own name gives its prefix (``path=...`` appends below it).
        Raises URLBuildError naming the problem.
        """
        url = self._build(name, params)
        if url is None:
            # Imported here, on this error path only: difflib holds ~0.2 MB in every
            # process that imports it, and a program that builds valid URLs never needs it.
            import difflib

            message = f"no route named {name!r}"
            close = difflib.get_close_matches(name, self._url_names(), n=3)
            if close:
                message += "; did you mean " + " or ".join(map(repr, close)) + "?"
            raise URLBuildError(message)
        return url

    def _build(self, name: str, params: dict[str, Any]) -> str | None:
        """Build the URL for ``name``, or None when no route or mount has that name."""
        entry = self._names.get(name)
        if entry is not None:
            return entry.url_path(**params)
        mount_name, colon, inner_name = name.partition(":")
        mount = self._names.get(mount_name) if colon else None
        if isinstance(mount, Mount):
            return self._build_inside(mount, inner_name, params)
        for mount in self._mounts.values():  # unnamed mounted routers share our names
            if mount.name is None and isinstance(mount.app, Router):
                url = mount.app._build(name, params)
                if url is not None:
                    return quote_static(mount.path) + url
        return None

    @staticmethod
    def _build_inside(mount: Mount, name: str, params: dict[str, Any]) -> str | None:
        if isinstance(mount.app, Router):
            url = mount.app._build(name, params)
            return None if url is None else quote_static(mount.path) + url
        app_url_for = getattr(mount.app, "url_for", None)
        if not callable(app_url_for):
            raise URLBuildError(
                f"cannot build {mount.name}:{name}: the app mounted at {mount.path or '/'!r} "
                "is not a Router and has no url_for"
            )
        return quote_static(mount.path) + str(app_url_for(name, **params))

    def _url_names(self) -> list[str]:
        """Every name url_for accepts here, nested ones included (for suggestions)."""
        names: list[str] = []
        for entry in self._entries:
            if isinstance(entry, Mount) and isinstance(entry.app, Router):
                inner = entry.app._url_names()
                if entry.name is None:
                    names.extend(inner)
                else:
                    names.extend(f"{entry.name}:{inner_name}" for inner_name in inner)
            if entry.name is not None:
                names.append(entry.name)
        return names

    def _find_named(self, name: str) -> Route | Mount | None:
        """The entry url_for would use for a plain ``name`` (nested unnamed mounts too)."""
        entry = self._names.get(name)
        if entry is not None:
            return entry
        for mount in self._mounts.values():
            if mount.name is None and isinstance(mount.app, Router):
                found = mount.app._find_named(name)
                if found is not None:
                    return found
        return None

    def __repr__(self) -> str:
        return f"<Router: {len(self._entries)} routes and mounts>"


def _normalise_methods(methods: Iterable[str] | None, path: str) -> frozenset[str]:
    if methods is None:
        return frozenset({"GET", "HEAD"})
    if isinstance(methods, str):
        raise TypeError(f"methods for {path!r} must be a list such as [{methods!r}], not a str")
    normalised = set()
    for method in methods:
        if not isinstance(method, str) or not method.strip():
            raise TypeError(f"methods for {path!r} must be non-empty strings, got {method!r}")
        normalised.add(method.strip().upper())
    if not normalised:
        raise RouterError(f"methods for {path!r} is empty: the route could never match")
    if "GET" in normalised:
        normalised.add("HEAD")
    return frozenset(normalised)


def _normalise_prefix(path: str) -> str:
    if not isinstance(path, str) or (path and not path.startswith("/")):
        raise InvalidPathError(f"invalid mount prefix {path!r}: it must start with '/'")
    if "{" in path or "}" in path:
        raise InvalidPathError(
            f"invalid mount prefix {path!r}: mount prefixes are static, so no {{parameters}}; "
            "use a route, or a parameter in the mounted router's own routes"
        )
    try:
        path.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidPathError(
            f"invalid mount prefix {path!r}: it cannot be encoded as UTF-8 ({exc.reason})"
        ) from None
    return path.rstrip("/")


def _conflict_message(existing: Route, new: Route) -> str:
    shared = ", ".join(sorted(existing.methods & new.methods))
    message = (
        f"{new.describe()} can never match: {existing.describe()} was registered first "
        f"with the same shape and answers {shared} for every path it matches"
    )
    if shared == "HEAD":
        message += " (HEAD is added automatically to routes that allow GET)"
    return message
