"""The OpenAPI schema documents the error format on every operation, so clients (and
schemathesis) can rely on it as on any success response."""

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error: a stable machine code, a translated message and the field.",
    "properties": {
        "code": {"type": "string", "example": "version_conflict"},
        "message": {"type": "string"},
        "field": {"type": "string", "nullable": True},
        "errors": {
            "type": "object",
            "description": "Validation failures: the messages of each field.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        "codes": {
            "type": "object",
            "description": "Validation failures: the stable code of each message "
            "(required, max_length, invalid_characters, …), in the order of `errors`.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["code", "message", "field"],
}
ERRORS = {
    "400": "Invalid input (code validation_failed, parse_error, …)",
    "401": "Not authenticated",
    "403": "Not allowed",
    "404": "Not found, or not visible to you",
    "429": "Too many requests (see Retry-After)",
}
WRITE_ERRORS = {
    "409": "The case changed meanwhile (version_conflict) or its state refuses the action",
    "413": "The request body is over the size limit (request_too_large)",
    "415": "Unsupported media type",
}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            errors = dict(ERRORS)
            if method in WRITE_METHODS:
                errors.update(WRITE_ERRORS)
            for status, description in errors.items():
                operation["responses"].setdefault(
                    status, {"description": description, "content": reference}
                )
    return result
