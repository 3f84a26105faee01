"""``/openapi.json`` and the ``/docs`` page, served by the application itself.

The docs page is Swagger UI. Its JavaScript and CSS come from the
``swagger-ui-bundle-v2`` package (the ``docs`` extra) and are served from
``/docs/assets/...`` by the app, never from a CDN: the page works offline and
loads nothing from a third party.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from covet.asgi.exceptions import HTTPException
from covet.asgi.extras import install_command
from covet.asgi.openapi.document import openapi_document
from covet.asgi.requests import Request
from covet.asgi.responses import HTMLResponse, JSONResponse, Response

if TYPE_CHECKING:
    from covet.asgi.app import CovetPy

__all__ = ["add_docs_routes", "swagger_ui_directory"]

# Only these files are served: the assets route is not a general file server.
_ASSETS = frozenset({"swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"})

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="stylesheet" href="{assets}/swagger-ui.css">
<link rel="icon" type="image/png" href="{assets}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({{url: {openapi_url}, dom_id: "#swagger-ui"}});
</script>
</body>
</html>
"""

_MISSING_EXTRA = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>API documentation</h1>
<p>The interactive page needs Swagger UI's files (the <code>docs</code> extra):
<code>{install}</code>.</p>
<p>The OpenAPI document itself is at <a href="{openapi_href}">{openapi_href}</a>.</p>
</body></html>
"""


def swagger_ui_directory() -> Path | None:
    """Where Swagger UI's files are installed, or ``None`` without the ``docs`` extra."""
    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:
        return None
    return Path(str(swagger_ui_path))


async def openapi_json(request: Request) -> JSONResponse:
    """The OpenAPI document of the application that received the request."""
    app = request.app
    return JSONResponse(
        openapi_document(app, title=app.title, version=app.version, description=app.description)
    )


async def swagger_ui(request: Request) -> HTMLResponse:
    """The Swagger UI page, pointing at the app's document and its own copy of the assets."""
    # Imported here, when the page is asked for: html loads html.entities, a table that
    # holds about half a megabyte in every process that imports it.
    import html

    app = request.app
    root = request.scope.get("root_path", "")
    openapi_url = root + app.openapi_url
    if swagger_ui_directory() is None:
        page = _MISSING_EXTRA.format(
            title=html.escape(app.title),
            openapi_href=html.escape(openapi_url),
            install=html.escape(install_command("docs")),
        )
        return HTMLResponse(page, status_code=501)
    return HTMLResponse(
        _PAGE.format(
            title=html.escape(app.title),
            assets=html.escape(root + app.docs_url.rstrip("/") + "/assets"),
            # "<" escaped so no URL can close the <script> element early.
            openapi_url=json.dumps(openapi_url).replace("<", "\\u003c"),
        )
    )


async def swagger_ui_asset(name: str) -> Response:
    """One of Swagger UI's files, from the installed package; nothing else."""
    # Imported here: every application registers this route, few ever serve it.
    from covet.asgi.fileresponse import FileResponse

    directory = swagger_ui_directory()
    if directory is None or name not in _ASSETS:
        raise HTTPException(404)
    return FileResponse(directory / name)


def add_docs_routes(app: CovetPy) -> None:
    """Register the document and the docs page at the app's ``openapi_url``/``docs_url``.

    Either is left out when its URL is ``None`` (the page needs the document).
    """
    if app.openapi_url is None:
        return
    app.add_route(app.openapi_url, openapi_json, include_in_schema=False)
    if app.docs_url is None:
        return
    app.add_route(app.docs_url, swagger_ui, include_in_schema=False)
    assets = app.docs_url.rstrip("/") + "/assets/{name}"
    app.add_route(assets, swagger_ui_asset, include_in_schema=False)
