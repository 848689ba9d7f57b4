"""The OpenAPI document of the JSON API, assembled from what each area contributes.

An area calls `add_paths(app, paths, schemas)` in its init_app; GET /api/v1/openapi.json
serves the merged document, so no area edits another's description.
"""

from flask import Flask, current_app, jsonify

BASE_DOCUMENT = {
    "openapi": "3.0.3",
    "info": {
        "title": "算力超市 Compute Supermarket API",
        "version": "1",
        "description": "Compute offers normalized to CNY per card-hour, core-hour or 1M tokens (unified offer spec v1).",
    },
    "servers": [{"url": "/"}],
}


def add_paths(app: Flask, paths: dict, schemas: dict | None = None, security_schemes: dict | None = None) -> None:
    registry = app.extensions.setdefault("openapi", {"paths": {}, "schemas": {}, "securitySchemes": {}})
    for path, spec in paths.items():
        registry["paths"].setdefault(path, {}).update(spec)
    registry["schemas"].update(schemas or {})
    registry.setdefault("securitySchemes", {}).update(security_schemes or {})


def document() -> dict:
    registry = current_app.extensions.get("openapi", {"paths": {}, "schemas": {}})
    components = {"schemas": registry["schemas"]}
    if registry.get("securitySchemes"):
        components["securitySchemes"] = registry["securitySchemes"]
    return {**BASE_DOCUMENT, "paths": dict(sorted(registry["paths"].items())), "components": components}


def init_app(app: Flask) -> None:
    @app.get("/api/v1/openapi.json")
    def openapi_json():
        return jsonify(document())
