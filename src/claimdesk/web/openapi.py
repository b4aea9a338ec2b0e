"""The JSON API's OpenAPI schema, served at ``GET /openapi.json`` (public: it holds no data).

Only the ``/api/`` routes are described: the HTML pages are not an API. Every error an API
route can give is declared with the one body the app sends for all of them,
``{"detail": "…"}`` (``ErrorOut``; a 409 adds who changed the claim and its current
``row_version``): 401 for every route (send a Bearer token), 403 where some roles lack the
permission, 404 where the path holds an id, 400 for a body that cannot be read, 422 where
there is a query or a body, and 503 when the database is busy. That 422 replaces FastAPI's
default (a list of pydantic errors), which this app never sends: the validation handler in
``web.errors`` says what was wrong in words.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute, iter_route_contexts

from claimdesk.core.permissions import Role, allows
from claimdesk.web.api_research import ErrorOut
from claimdesk.web.auth import Require

ERROR_SCHEMA = "ErrorOut"


_DESCRIPTIONS = {
    "400": "The body could not be read (e.g. it is not UTF-8).",
    "401": "Not signed in: send Authorization: Bearer <token>.",
    "403": "Your role may not do this.",
    "404": "There is nothing at this address (an unknown id, or one that is not a number).",
    "422": "The query or body cannot be used; detail says why, in words.",
    "503": "The database is busy; nothing was saved. Try again after Retry-After seconds.",
}


def _permissions(route: APIRoute) -> set[Any]:
    found = set()
    stack = [route.dependant]
    while stack:
        dependant = stack.pop()
        if isinstance(dependant.call, Require):
            found.add(dependant.call.permission)
        stack.extend(dependant.dependencies)
    return found


def _error_codes(route: APIRoute, operation: dict[str, Any]) -> list[str]:
    codes = ["401", "503"]
    if any(not allows(role.value, p) for p in _permissions(route) for role in Role):
        codes.append("403")
    if route.dependant.path_params:
        codes.append("404")
    has_input = route.dependant.query_params or "requestBody" in operation
    if "requestBody" in operation:
        codes.append("400")
    if has_input or route.dependant.body_params:
        codes.append("422")
    return codes


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def api_schema(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document of the ``/api/`` routes (made once, then kept)."""
    if app.openapi_schema:
        return app.openapi_schema
    routes: dict[tuple[str, str], APIRoute] = {}
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and (context.path or "").startswith("/api/"):
            for method in context.methods or ():
                routes[(context.path or "", method.lower())] = route
    spec = get_openapi(
        title="claimdesk",
        version=app.version,
        description="The claimdesk JSON API. Authenticate with an API token (made on the "
        "Tokens page) as `Authorization: Bearer <token>`. Every error answers "
        '`{"detail": "…"}`.',
        routes=app.routes,
    )
    spec["paths"] = {p: ops for p, ops in spec["paths"].items() if p.startswith("/api/")}
    components = spec.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas[ERROR_SCHEMA] = ErrorOut.model_json_schema()
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    components["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
    spec["security"] = [{"bearer": []}]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            route = routes[(path, method)]
            _summary(operation, route)
            responses = operation.setdefault("responses", {})
            codes = _error_codes(route, operation)
            for code in codes:
                declared = responses.get(code)
                content = (declared or {}).get("content", {}).get("application/json", {})
                if declared is None or content.get("schema") == _ref("HTTPValidationError"):
                    responses[code] = {
                        "description": _DESCRIPTIONS[code],
                        "content": {"application/json": {"schema": _ref(ERROR_SCHEMA)}},
                    }
            if "422" not in codes and "HTTPValidationError" in str(responses.get("422")):
                del responses["422"]  # a bad id in the path is 404, and there is nothing else
    _prune(spec)
    app.openapi_schema = spec
    return spec


def _summary(operation: dict[str, Any], route: APIRoute) -> None:
    """An operation without its own summary takes its description's first phrase."""
    if route.summary or not operation.get("description"):
        return
    first = operation["description"].strip().split("\n\n")[0].replace("\n", " ")
    for stop in (". ", "; ", ": "):
        first = first.split(stop)[0]
    if first.count("(") > first.count(")"):  # cut inside a parenthesis: leave it out
        first = first[: first.rindex(" (")]
    operation["summary"] = first.rstrip(".")


def _prune(spec: dict[str, Any]) -> None:
    """Drop the component schemas that only the HTML pages used."""
    schemas = spec["components"]["schemas"]
    prefix = "#/components/schemas/"
    keep: set[str] = set()
    todo = [spec["paths"]]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(prefix) and ref[len(prefix) :] not in keep:
                keep.add(ref[len(prefix) :])
                todo.append(schemas.get(ref[len(prefix) :], {}))
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    for name in set(schemas) - keep:
        del schemas[name]


def install(app: FastAPI) -> None:
    """Have ``app.openapi()`` describe the JSON API and serve it at ``GET /openapi.json``."""

    def openapi() -> dict[str, Any]:
        return api_schema(app)

    app.openapi = openapi  # type: ignore[method-assign]

    def openapi_json() -> JSONResponse:
        """The OpenAPI schema of the JSON API."""
        return JSONResponse(api_schema(app))

    app.add_api_route("/openapi.json", openapi_json, methods=["GET"], include_in_schema=False)
