"""covet.asgi: the CovetPy application and everything a request touches.

Reading order: ``types`` -> ``datastructures`` -> ``requests`` ->
``responses`` -> ``params`` -> ``handlers`` -> ``middleware`` -> ``lifespan``
-> ``app`` -> ``testing``. The package README walks through them.
"""

from covet.asgi.__about__ import __version__
from covet.asgi.app import CovetPy
from covet.asgi.background import BackgroundTask, BackgroundTasks
from covet.asgi.datastructures import URL, Address, Headers, MutableHeaders, QueryParams, State
from covet.asgi.exceptions import ClientDisconnect, HTTPException, RequestValidationError
from covet.asgi.fileresponse import FileResponse
from covet.asgi.forms import FormData
from covet.asgi.middleware import Middleware
from covet.asgi.middleware.cors import CORSMiddleware
from covet.asgi.middleware.gzip import GZipMiddleware
from covet.asgi.middleware.httpsredirect import HTTPSRedirectMiddleware
from covet.asgi.middleware.request_id import RequestIDMiddleware, get_request_id
from covet.asgi.middleware.trustedhost import TrustedHostMiddleware
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
from covet.asgi.sse import EventSourceResponse, ServerSentEvent, last_event_id
from covet.asgi.staticfiles import StaticFiles
from covet.asgi.types import ASGIApp, Message, Receive, Scope, Send
from covet.asgi.uploads import UploadFile

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
