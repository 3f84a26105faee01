"""covet.asgi: the CovetPy application and everything a request touches.

Reading order: ``types`` -> ``headers`` -> ``queryparams`` -> ``url`` -> ``state``
-> ``requests`` -> ``responses`` -> ``params`` -> ``handlers`` -> ``middleware``
-> ``lifespan`` -> ``app`` -> ``testing``. The package README walks through them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from covet.asgi.__about__ import __version__
from covet.asgi.app import CovetPy
from covet.asgi.background import BackgroundTask, BackgroundTasks
from covet.asgi.exceptions import ClientDisconnect, HTTPException, RequestValidationError
from covet.asgi.headers import Headers, MutableHeaders
from covet.asgi.middleware import Middleware
from covet.asgi.queryparams import QueryParams
from covet.asgi.requests import Request
from covet.asgi.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from covet.asgi.signature import Body, Depends, HandlerSignatureError, Header, Query
from covet.asgi.state import State
from covet.asgi.types import ASGIApp, Message, Receive, Scope, Send
from covet.asgi.url import URL, Address

if TYPE_CHECKING:
    # Type checkers see these as the plain imports they stand for; at run time they load
    # on first access (see __getattr__ below).
    from covet.asgi.fileresponse import FileResponse
    from covet.asgi.forms import FormData
    from covet.asgi.middleware.cors import CORSMiddleware
    from covet.asgi.middleware.gzip import GZipMiddleware
    from covet.asgi.middleware.httpsredirect import HTTPSRedirectMiddleware
    from covet.asgi.middleware.request_id import RequestIDMiddleware, get_request_id
    from covet.asgi.middleware.trustedhost import TrustedHostMiddleware
    from covet.asgi.sse import EventSourceResponse, ServerSentEvent, last_event_id
    from covet.asgi.staticfiles import StaticFiles
    from covet.asgi.uploads import UploadFile

# Names loaded on first access, and the module each lives in. Every application imports
# covet.asgi on start-up, but few use all of it: forms and uploads (with tempfile), static
# files, server-sent events and the optional middleware are about a sixth of the package's
# import time. ``from covet.asgi import StaticFiles`` works as usual; it just imports
# staticfiles.py at that moment instead of at start-up.
_LAZY: dict[str, str] = {
    "FileResponse": "covet.asgi.fileresponse",
    "StaticFiles": "covet.asgi.staticfiles",
    "FormData": "covet.asgi.forms",
    "UploadFile": "covet.asgi.uploads",
    "EventSourceResponse": "covet.asgi.sse",
    "ServerSentEvent": "covet.asgi.sse",
    "last_event_id": "covet.asgi.sse",
    "RequestIDMiddleware": "covet.asgi.middleware.request_id",
    "get_request_id": "covet.asgi.middleware.request_id",
    "CORSMiddleware": "covet.asgi.middleware.cors",
    "GZipMiddleware": "covet.asgi.middleware.gzip",
    "TrustedHostMiddleware": "covet.asgi.middleware.trustedhost",
    "HTTPSRedirectMiddleware": "covet.asgi.middleware.httpsredirect",
}

__all__ = [
    "__version__",
    # the application
    "CovetPy",
    "Middleware",
    # what a handler can ask for
    "Depends",
    "Query",
    "Header",
    "Body",
    # requests and what they carry
    "Request",
    "Headers",
    "MutableHeaders",
    "QueryParams",
    "URL",
    "Address",
    "State",
    "FormData",
    "UploadFile",
    # responses
    "Response",
    "JSONResponse",
    "HTMLResponse",
    "PlainTextResponse",
    "RedirectResponse",
    "StreamingResponse",
    "FileResponse",
    "StaticFiles",
    "BackgroundTask",
    "BackgroundTasks",
    # server-sent events
    "EventSourceResponse",
    "ServerSentEvent",
    "last_event_id",
    # errors
    "HTTPException",
    "RequestValidationError",
    "ClientDisconnect",
    "HandlerSignatureError",
    # the ASGI types, for annotating middleware
    "Scope",
    "Message",
    "Receive",
    "Send",
    "ASGIApp",
    # middleware shipped with covet-asgi
    "RequestIDMiddleware",
    "get_request_id",
    "CORSMiddleware",
    "GZipMiddleware",
    "TrustedHostMiddleware",
    "HTTPSRedirectMiddleware",
]


def __getattr__(name: str) -> object:
    """Import the module behind a name of ``_LAZY`` on first access (PEP 562).

    Python calls this only for names missing from the module's globals; the value is then
    stored there, so later accesses do not come back here.
    """
    try:
        module_name = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value: object = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The lazy names too, so ``dir(covet.asgi)`` and completion show the whole API."""
    return sorted({*globals(), *_LAZY})
