"""The REST API's shape, without Pulumi: what the deployed stage and the local gateway share.

The resource path, the request model API Gateway validates bodies against, and
the headers a CORS preflight allows. :mod:`infra.api` deploys them;
:mod:`local_api.gateway` enforces them locally, without importing Pulumi.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from function import envelope
from function.validation import DRAFT_04

RESOURCE_PATH = envelope.ENVELOPE_PATH
RESOURCE_PATH_PART = RESOURCE_PATH.removeprefix("/")
MODEL_NAME = "DynamoDBOperationsRequest"
JSON = "application/json"
CORS_ALLOW_HEADERS = (
    "Content-Type,X-Api-Key,Authorization,X-Amz-Date,X-Amz-Security-Token,Idempotency-Key"
)
#: Every method a route takes: /DynamoDBManager's POST and the table routes' (function.routes).
CORS_ALLOW_METHODS = "OPTIONS,GET,POST,PUT,PATCH,DELETE"


def request_model_schema(operation_names: Iterable[str]) -> dict[str, Any]:
    """API Gateway's request model: the envelope with ``operation`` limited to these names."""
    return {"$schema": DRAFT_04, **envelope.schema(list(operation_names))}
