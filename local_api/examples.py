"""The tutorial's requests, for the stack's table and key: what the server suggests trying."""

from __future__ import annotations

import json
import shlex
from typing import Any

from infra.settings import Settings


def tutorial_requests(settings: Settings) -> list[tuple[str, dict[str, Any]]]:
    """create → read → update → list → delete, then echo and ping, as the tutorial sends them."""
    table, key = settings.table_name, settings.hash_key
    item_key = {key: 1 if settings.hash_key_type == "N" else "1"}
    return [
        (
            "create",
            {
                "operation": "create",
                "tableName": table,
                "payload": {"Item": {**item_key, "name": "Bob"}},
            },
        ),
        ("read", {"operation": "read", "tableName": table, "payload": {"Key": item_key}}),
        (
            "update",
            {
                "operation": "update",
                "tableName": table,
                "payload": {
                    "Key": item_key,
                    "UpdateExpression": "SET #n = :name",
                    "ExpressionAttributeNames": {"#n": "name"},
                    "ExpressionAttributeValues": {":name": "Alice"},
                    "ReturnValues": "ALL_NEW",
                },
            },
        ),
        ("list", {"operation": "list", "tableName": table, "payload": {"Limit": 25}}),
        ("delete", {"operation": "delete", "tableName": table, "payload": {"Key": item_key}}),
        (
            "echo",
            {"operation": "echo", "payload": {"somekey1": "somevalue1", "somekey2": "somevalue2"}},
        ),
        ("ping", {"operation": "ping"}),
    ]


def curl(url: str, document: dict[str, Any], api_key: str | None = None) -> str:
    """A ready-to-paste curl command POSTing ``document`` to ``url``."""
    parts = ["curl", "-s", "-X", "POST", url, "-H", "Content-Type: application/json"]
    if api_key:
        parts += ["-H", f"x-api-key: {api_key}"]
    parts += ["-d", json.dumps(document)]
    return shlex.join(parts)
