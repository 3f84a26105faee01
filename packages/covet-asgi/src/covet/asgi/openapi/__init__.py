"""OpenAPI 3.1: the document built from the routes, and the docs page that shows it."""

from covet.asgi.openapi.docs import add_docs_routes
from covet.asgi.openapi.document import openapi_document

__all__ = ["add_docs_routes", "openapi_document"]
