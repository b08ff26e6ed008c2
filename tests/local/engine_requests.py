"""Requests sent to the moto engine's WSGI app in-process, as the function's client sends them."""

from __future__ import annotations

import json
import uuid
from typing import Any

from werkzeug.test import Client

from local_api.moto_server import TARGET_PREFIX

AUTHORIZATION = (
    "AWS4-HMAC-SHA256 Credential=local/20200101/us-east-1/dynamodb/aws4_request, "
    "SignedHeaders=host, Signature=local"
)


def send(engine: Any, operation: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """One request through the engine (its corrections, write turn and journal): status, JSON."""
    answer = Client(engine).post(
        "/",
        data=json.dumps(body),
        headers={"X-Amz-Target": TARGET_PREFIX + operation, "Authorization": AUTHORIZATION},
    )
    return answer.status_code, json.loads(answer.get_data() or b"{}")


def new_table(engine: Any, prefix: str) -> str:
    """A new on-demand table keyed by the string ``Id``; its name."""
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    status, _ = send(
        engine,
        "CreateTable",
        {
            "TableName": name,
            "KeySchema": [{"AttributeName": "Id", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "Id", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST",
        },
    )
    assert status == 200
    return name
