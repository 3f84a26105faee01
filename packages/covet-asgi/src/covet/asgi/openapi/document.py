"""Building the OpenAPI 3.1 document from an application's routes.

Everything comes from what the application already knows: the route table
(paths, methods, names), each handler's signature plan (parameters, their
types and where they come from, the body model), the response model and the
docstring (first line the summary, the rest the description). Nothing is
declared twice.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from covet.asgi.handlers import Handler
from covet.asgi.openapi.schemas import SchemaRegistry, converter_schema, plain_schema
from covet.asgi.signature import Binding
from covet.router import Mount, ParamSegment, Route

if TYPE_CHECKING:
    from covet.asgi.app import CovetPy

__all__ = ["openapi_document"]

_VALIDATION_ERROR = {
    "title": "ValidationError",
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["loc", "msg", "type"],
                "properties": {
                    "loc": {
                        "type": "array",
                        "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                    },
                    "msg": {"type": "string"},
                    "type": {"type": "string"},
                    "input": {},
                },
            },
        }
    },
}


# The answer to an HTTPException: {"detail": ...}. The detail is usually a sentence, but a
# handler may raise one with any JSON value, so the schema does not promise a string.
_HTTP_ERROR = {
    "title": "HTTPError",
    "type": "object",
    "required": ["detail"],
    "properties": {"detail": {"description": "What went wrong"}},
}

# Route converters that refuse some segment text: a value they refuse matches no route (404).
_NARROWING_CONVERTERS = frozenset({"int", "float", "uuid"})


def _routes(app: CovetPy, prefix: str = "") -> Iterator[tuple[str, str, Route]]:
    """(path prefix, name prefix, route) for every route, inside mounted CovetPy apps too."""
    from covet.asgi.app import CovetPy

    for entry in app.routes:
        if isinstance(entry, Route):
            yield prefix, "", entry
        elif isinstance(entry, Mount) and isinstance(entry.app, CovetPy):
            for inner_prefix, name_prefix, route in _routes(entry.app, prefix + entry.path):
                yield (
                    inner_prefix,
                    f"{entry.name}:{name_prefix}" if entry.name else name_prefix,
                    route,
                )


def _template(route: Route) -> str:
    """``/users/{user_id:int}`` -> ``/users/{user_id}``: OpenAPI has no converters."""
    parts = []
    for segment in route.pattern.segments:
        parts.append(f"{{{segment.name}}}" if isinstance(segment, ParamSegment) else segment.text)
    return "/" + "/".join(parts)


def _all_bindings(handler: Handler) -> list[Binding]:
    """The handler's bindings and those of its providers, depth first."""
    found: list[Binding] = []
    pending: list[Any] = [handler]
    while pending:
        owner = pending.pop(0)
        found.extend(owner.bindings)
        pending.extend(owner.providers.values())
    return found


def _parameters(
    route: Route, bindings: Sequence[Binding], registry: SchemaRegistry
) -> list[dict[str, Any]]:
    by_path_name = {b.key: b for b in bindings if b.source == "path"}
    parameters: list[dict[str, Any]] = []
    for segment in route.pattern.segments:
        if not isinstance(segment, ParamSegment):
            continue
        binding = by_path_name.get(segment.name)
        schema = _schema(binding, registry) if binding else converter_schema(segment.converter_name)
        if binding and segment.converter_name in _NARROWING_CONVERTERS:
            # Side by side, JSON Schema keywords all apply: {id:int} adds "minimum": 0 to
            # what the annotation says, since "-1" never reaches the handler.
            schema = {**converter_schema(segment.converter_name), **schema}
        parameters.append({"name": segment.name, "in": "path", "required": True, "schema": schema})
    seen: set[tuple[str, str]] = set()
    for binding in bindings:
        if binding.source not in ("query", "header") or (binding.source, binding.key) in seen:
            continue
        seen.add((binding.source, binding.key))
        parameter: dict[str, Any] = {
            "name": binding.key,
            "in": binding.source,
            "required": binding.required,
            "schema": _schema(binding, registry),
        }
        if binding.description:
            parameter["description"] = binding.description
        parameters.append(parameter)
    return parameters


def _schema(binding: Binding, registry: SchemaRegistry) -> dict[str, Any]:
    if binding.adapter is not None:
        return registry.schema_for(binding.annotation, binding.adapter)
    return plain_schema(binding.annotation)


def _operation(
    route: Route, name_prefix: str, method: str, handler: Handler, registry: SchemaRegistry
) -> dict[str, Any]:
    doc = inspect.getdoc(handler.func) or ""
    summary, _, description = doc.partition("\n")
    name = f"{name_prefix}{route.name or handler.func.__name__}"
    operation: dict[str, Any] = {
        "operationId": f"{name}_{method.lower()}".replace(":", "_"),
        "summary": handler.summary or summary.strip() or name.replace("_", " ").capitalize(),
    }
    if description.strip():
        operation["description"] = description.strip()
    if handler.tags:
        operation["tags"] = handler.tags
    bindings = _all_bindings(handler)
    parameters = _parameters(route, bindings, registry)
    if parameters:
        operation["parameters"] = parameters
    body = next((b for b in bindings if b.source == "body"), None)
    if body is not None:
        operation["requestBody"] = {
            "required": body.required,
            "content": {"application/json": {"schema": _schema(body, registry)}},
        }
    if any(b.source == "form" for b in bindings):
        # FormData declares no fields: the document can say only that a form is read.
        form_schema = {"type": "object", "additionalProperties": True}
        operation["requestBody"] = {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {"schema": form_schema},
                "multipart/form-data": {"schema": form_schema},
            },
        }
    status = str(handler.status_code or 200)
    response: dict[str, Any] = {"description": "Successful Response"}
    if handler.response_adapter is not None:
        schema = registry.schema_for(handler.response_model, handler.response_adapter)
        response["content"] = {"application/json": {"schema": schema}}
    responses = {status: response, **_error_responses(route, handler, body, registry)}
    if parameters or body is not None:
        registry.components["ValidationError"] = _VALIDATION_ERROR
        responses["422"] = {
            "description": "Validation Error",
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/ValidationError"}}
            },
        }
    operation["responses"] = dict(sorted(responses.items()))
    return operation


def _error_responses(
    route: Route, handler: Handler, body: Binding | None, registry: SchemaRegistry
) -> dict[str, Any]:
    """The errors CovetPy itself answers for this operation, besides 422.

    A JSON body can be malformed (400), over the size limit (413) or sent without a JSON
    ``Content-Type`` (415); a path value that a
    converter such as ``{id:int}`` refuses matches no route (404), which is also the status
    a handler raises for a missing resource.
    """
    descriptions: dict[str, str] = {}
    if body is not None:
        descriptions["400"] = "Malformed JSON body"
        if handler.max_body_size is not None:
            descriptions["413"] = f"Request body larger than {handler.max_body_size} bytes"
        descriptions["415"] = "Content-Type is not application/json or a +json type"
    if any(
        isinstance(segment, ParamSegment) and segment.converter_name in _NARROWING_CONVERTERS
        for segment in route.pattern.segments
    ):
        descriptions["404"] = "Not Found"
    if descriptions:
        registry.components["HTTPError"] = _HTTP_ERROR
    reference = {"$ref": "#/components/schemas/HTTPError"}
    return {
        status: {"description": text, "content": {"application/json": {"schema": reference}}}
        for status, text in descriptions.items()
    }


def openapi_document(
    app: CovetPy, *, title: str, version: str, description: str | None = None
) -> dict[str, Any]:
    """The OpenAPI 3.1 document for every route of ``app`` that is in the schema."""
    registry = SchemaRegistry()
    paths: dict[str, dict[str, Any]] = {}
    for prefix, name_prefix, route in _routes(app):
        handler = route.endpoint
        if not isinstance(handler, Handler) or not handler.include_in_schema:
            continue
        item = paths.setdefault(prefix + _template(route), {})
        for method in sorted(route.methods - {"HEAD"}):
            item[method.lower()] = _operation(route, name_prefix, method, handler, registry)
    info: dict[str, Any] = {"title": title, "version": version}
    if description:
        info["description"] = description
    document: dict[str, Any] = {"openapi": "3.1.0", "info": info, "paths": paths}
    if registry.components:
        document["components"] = {"schemas": registry.components}
    return document
