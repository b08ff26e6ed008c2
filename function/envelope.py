"""The request envelope every event shape carries: ``{operation, tableName, payload}``.

One schema describes it, for the Lambda (which validates every request with it)
and for the Pulumi program (which publishes it as API Gateway's request model,
with ``operation`` limited to the registered names).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from function.errors import InvalidRequestError
from function.validation import Validator, compile_schema

__all__ = ["Envelope", "parse", "schema"]

OPERATION_NAME_PATTERN = "^[a-z][a-z0-9_-]{0,63}$"
#: The tutorial's resource, where the envelope is POSTed.
ENVELOPE_PATH = "/DynamoDBManager"


def schema(operation_names: Iterable[str] | None = None) -> dict[str, Any]:
    """The envelope's draft-04 JSON Schema; ``operation_names`` narrows ``operation``."""
    operation: dict[str, Any] = {
        "type": "string",
        "pattern": OPERATION_NAME_PATTERN,
        "description": "The operation to run.",
    }
    if operation_names is not None:
        operation = {
            "type": "string",
            "enum": sorted(operation_names),
            "description": operation["description"],
        }
    return {
        "title": "DynamoDBOperationsRequest",
        "type": "object",
        "required": ["operation"],
        "properties": {
            "operation": operation,
            "tableName": {
                "type": "string",
                "minLength": 1,
                "maxLength": 1024,
                "description": "The table: a logical name such as LambdaTable, or its "
                "physical name. Optional when the API serves one table.",
            },
            "payload": {
                "description": "The DynamoDB call's parameters (without TableName), per operation.",
            },
            "idempotencyKey": {
                "type": "string",
                "minLength": 1,
                "maxLength": 255,
                "description": "Makes a retry of this request return the first one's result "
                "instead of running again (or send the Idempotency-Key header).",
            },
        },
        "additionalProperties": False,
    }


@dataclass(frozen=True)
class Envelope:
    operation: str
    table_name: str | None
    payload: Any
    idempotency_key: str | None = None


def parse(document: Any) -> Envelope:
    """Check a decoded request against the envelope schema; a missing or null payload is ``{}``."""
    _validator()(document)
    payload = document.get("payload")
    return Envelope(
        operation=document["operation"],
        table_name=document.get("tableName"),
        payload={} if payload is None else payload,
        idempotency_key=document.get("idempotencyKey"),
    )


@lru_cache(maxsize=1)
def _validator() -> Validator:
    return compile_schema(schema(), "request", InvalidRequestError)
