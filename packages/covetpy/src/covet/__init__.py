"""CovetPy: the async Python web framework to learn framework internals from.

This module is the facade behind ``from covet import CovetPy``. It does two things:

1. It keeps the ``covet`` namespace open. The component distributions (covet-router,
   covet-asgi, ...) each install a *portion* of ``covet`` without a ``covet/__init__.py``
   (PEP 420). This file is the one regular ``covet/__init__.py``; left alone it would hide
   every portion that lives in another directory, so it extends ``__path__`` to all of them.
2. It re-exports the public names of the component packages *lazily*: ``import covet`` costs
   almost nothing, and ``covet.CovetPy`` imports ``covet.asgi`` on first access (PEP 562).

The table ``_EXPORTS`` below is the whole facade: one line per name, saying where it lives.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING

from covet.__about__ import __version__

# A regular package gets a one-entry __path__: the directory of this file. In a wheel
# install every portion shares that directory, but in an editable (development) install
# each distribution's ``src/covet`` is a separate directory on sys.path. extend_path adds
# every ``covet`` directory found on sys.path, so ``import covet.router`` finds its portion
# wherever it was installed. This is the documented way for a regular package to coexist
# with namespace portions.
__path__ = pkgutil.extend_path(__path__, __name__)

if TYPE_CHECKING:
    # Type checkers and IDEs see the real objects; at run time __getattr__ provides them.
    from covet.asgi import (
        BackgroundTasks,
        Body,
        CovetPy,
        Depends,
        FileResponse,
        Header,
        HTMLResponse,
        HTTPException,
        JSONResponse,
        Middleware,
        PlainTextResponse,
        Query,
        RedirectResponse,
        Request,
        Response,
        StreamingResponse,
    )
    from covet.router import Mount, Route, Router

# Public name -> the module that defines it. Reading this table tells where every name
# of ``from covet import ...`` comes from; nothing else in this file adds names.
_EXPORTS: dict[str, str] = {
    # the application
    "CovetPy": "covet.asgi",
    "Middleware": "covet.asgi",
    "BackgroundTasks": "covet.asgi",
    # what a handler can ask for
    "Depends": "covet.asgi",
    "Query": "covet.asgi",
    "Header": "covet.asgi",
    "Body": "covet.asgi",
    # request and responses
    "Request": "covet.asgi",
    "Response": "covet.asgi",
    "JSONResponse": "covet.asgi",
    "HTMLResponse": "covet.asgi",
    "PlainTextResponse": "covet.asgi",
    "RedirectResponse": "covet.asgi",
    "StreamingResponse": "covet.asgi",
    "FileResponse": "covet.asgi",
    # errors
    "HTTPException": "covet.asgi",
    # routing
    "Router": "covet.router",
    "Route": "covet.router",
    "Mount": "covet.router",
}

# Spelled out (not computed from _EXPORTS) so that linters and type checkers read it
# statically; a test checks that the two agree.
__all__ = [
    "__version__",
    # the application
    "CovetPy",
    "Middleware",
    "BackgroundTasks",
    # what a handler can ask for
    "Depends",
    "Query",
    "Header",
    "Body",
    # request and responses
    "Request",
    "Response",
    "JSONResponse",
    "HTMLResponse",
    "PlainTextResponse",
    "RedirectResponse",
    "StreamingResponse",
    "FileResponse",
    # errors
    "HTTPException",
    # routing
    "Router",
    "Route",
    "Mount",
]


def __getattr__(name: str) -> object:
    """Import the module behind a facade name on first access (PEP 562).

    Python calls this only for names not found in the module's globals, so after the
    first access the cached global answers directly and this function is not called again.
    """
    try:
        module_name = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value: object = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """List the lazy names too, so ``dir(covet)`` and completion show the whole facade."""
    return sorted({*globals(), *_EXPORTS})
