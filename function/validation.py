"""JSON Schema validation, compiled once per schema with fastjsonschema.

Schemas are draft-04 so API Gateway models and documentation can use the same
documents. Compiling turns a schema into Python code; it happens the first time
a schema is used in an execution environment, never per request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import fastjsonschema

from function.errors import BadRequestError, InvalidPayloadError

__all__ = ["DRAFT_04", "Validator", "compile_schema"]

DRAFT_04 = "http://json-schema.org/draft-04/schema#"

Validator = Callable[[Any], Any]


def compile_schema(
    schema: Mapping[str, Any],
    subject: str,
    error: type[BadRequestError] = InvalidPayloadError,
) -> Validator:
    """A validator for ``schema`` raising ``error`` with a message that names ``subject``."""
    compiled = fastjsonschema.compile(
        {"$schema": DRAFT_04, **schema}, use_default=False, use_formats=False
    )

    def validate(value: Any) -> Any:
        try:
            return compiled(value)
        except fastjsonschema.JsonSchemaValueException as invalid:
            raise error(_readable(invalid, subject)) from None

    return validate


def _readable(error: fastjsonschema.JsonSchemaValueException, subject: str) -> str:
    message = error.message
    if message.startswith("data"):
        message = subject + message[len("data") :]
    return message[:1].upper() + message[1:]
