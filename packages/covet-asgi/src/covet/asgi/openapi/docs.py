"""``/openapi.json`` and the ``/docs`` page, served by the application itself.

The docs page is Swagger UI. Its JavaScript and CSS come from the
``swagger-ui-bundle-v2`` package (the ``docs`` extra) and are served from
``/docs/assets/...`` by the app, never from a CDN: the page works offline and
loads nothing from a third party.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from covet.asgi.exceptions import HTTPException
from covet.asgi.fileresponse import FileResponse
from covet.asgi.openapi.document import openapi_document
from covet.asgi.requests import Request
from covet.asgi.responses import HTMLResponse, JSONResponse

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
<p>The interactive page needs Swagger UI's files: <code>pip install 'covet-asgi[docs]'</code>.</p>
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


def add_docs_routes(
    app: CovetPy,
    *,
    openapi_url: str | None,
    docs_url: str | None,
    title: str,
    version: str,
    description: str | None,
) -> None:
    """Register the document route and the docs page (each can be switched off with None)."""
    if openapi_url is None:
        return

    async def openapi_json(request: Request) -> JSONResponse:
        document = openapi_document(
            request.app, title=title, version=version, description=description
        )
        return JSONResponse(document)

    app.add_route(openapi_url, openapi_json, name="openapi_json", include_in_schema=False)
    if docs_url is None:
        return
    assets_url = docs_url.rstrip("/") + "/assets"

    async def docs_page(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        if swagger_ui_directory() is None:
            page = _MISSING_EXTRA.format(
                title=html.escape(title), openapi_href=html.escape(root + openapi_url)
            )
            return HTMLResponse(page, status_code=501)
        return HTMLResponse(
            _PAGE.format(
                title=html.escape(title),
                assets=html.escape(root + assets_url),
                # "<" escaped so no URL can close the <script> element early.
                openapi_url=json.dumps(root + openapi_url).replace("<", "\\u003c"),
            )
        )

    async def docs_asset(name: str) -> Any:
        directory = swagger_ui_directory()
        if directory is None or name not in _ASSETS:
            raise HTTPException(404)
        return FileResponse(directory / name)

    app.add_route(docs_url, docs_page, name="swagger_ui", include_in_schema=False)
    app.add_route(
        assets_url + "/{name}", docs_asset, name="swagger_ui_asset", include_in_schema=False
    )
