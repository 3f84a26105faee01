"""Route and Mount: the two kinds of entries in a router's table.

A :class:`Route` maps one path pattern and a set of HTTP methods to an endpoint. A
:class:`Mount` hands every path under a prefix to another app, or to another
:class:`~covet.router.Router`. Both are made by :meth:`Router.add_route` and
:meth:`Router.mount`, which compile and check them; the endpoint and the app are opaque
here: the router never calls or inspects them, that is the job of the ASGI layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from covet.router.errors import URLBuildError
from covet.router.paths import PathPattern, quote_static

__all__ = ["Route", "Mount", "describe_endpoint"]


@dataclass(frozen=True, slots=True, eq=False)
class Route:
    """A path pattern plus the methods it answers, mapped to an opaque ``endpoint``.

    ``methods`` is upper-case and always contains ``HEAD`` when it contains ``GET``
    (a HEAD request is a GET without the body, as in every mainstream framework).
    """

    path: str
    endpoint: Any
    methods: frozenset[str]
    name: str | None
    pattern: PathPattern = field(repr=False)

    @property
    def param_names(self) -> tuple[str, ...]:
        """The parameter names in the order they appear in ``path``."""
        return self.pattern.param_names

    def url_path(self, **params: Any) -> str:
        """The quoted path for these parameter values, e.g. ``"/users/123"``."""
        return self.pattern.build(params, label=f"route {self.name or self.path!r}")

    def describe(self) -> str:
        """One line for error messages: methods, pattern, endpoint and name."""
        methods = ",".join(sorted(self.methods))
        return f"{methods} {self.path!r} -> {describe_endpoint(self.endpoint)} (name={self.name!r})"


@dataclass(frozen=True, slots=True, eq=False)
class Mount:
    """Every path equal to ``path`` or below ``path + "/"`` goes to ``app``, for any method.

    ``path`` is the normalised prefix: ``"/api"``, never with a trailing slash; the root
    mount has the prefix ``""``. When ``app`` is a Router, matching descends into it.
    """

    path: str
    app: Any
    name: str | None

    def url_path(self, **params: Any) -> str:
        """The mount's own URL; ``path="css/app.css"`` appends a path below it.

        This is what makes ``url_for("static", path="css/app.css")`` work for a mounted
        static-files app, as in Starlette.
        """
        unexpected = [key for key in params if key != "path"]
        if unexpected:
            raise URLBuildError(
                f"cannot build mount {self.name or self.path!r}: unexpected "
                f"{', '.join(map(repr, unexpected))} (a mount takes only 'path')"
            )
        prefix = quote_static(self.path)
        if "path" not in params:
            return prefix or "/"
        below = params["path"]
        if not isinstance(below, str):
            raise URLBuildError(
                f"cannot build mount {self.name or self.path!r}: path must be a str, "
                f"got {type(below).__name__}"
            )
        try:
            return prefix + "/" + quote(below.lstrip("/"), safe="/")
        except UnicodeEncodeError as exc:
            raise URLBuildError(
                f"cannot build mount {self.name or self.path!r}: path={below!r}: {exc}"
            ) from exc

    def describe(self) -> str:
        """One line for error messages: prefix, app and name."""
        return f"mount {self.path or '/'!r} -> {describe_endpoint(self.app)} (name={self.name!r})"


def describe_endpoint(endpoint: Any) -> str:
    """``module.qualname`` for functions and classes, ``repr()`` for anything else."""
    qualname = getattr(endpoint, "__qualname__", None)
    if isinstance(qualname, str):
        module = getattr(endpoint, "__module__", None)
        return f"{module}.{qualname}" if isinstance(module, str) else qualname
    return repr(endpoint)
