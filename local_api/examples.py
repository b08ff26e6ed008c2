"""The tutorial's requests, for the stack's table and its keys: what the server suggests trying."""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from typing import Any

from function.registry import Operation
from infra import openapi
from infra.settings import Settings
from infra.table_definitions import TableDefinition, primary_table


def describe(definition: TableDefinition) -> str:
    """One line saying what a table is keyed and indexed by: ``Orders (customerId: S, ...)``."""
    types = definition.attribute_types
    keys = ", ".join(f"{key}: {types[key]}" for key in definition.key_schema.key_attributes)
    parts = [f"{definition.name} ({keys})"]
    if definition.indexes:
        parts.append("indexes " + ", ".join(index.name for index in definition.indexes))
    if definition.ttl_attribute:
        parts.append(f"TTL {definition.ttl_attribute}")
    return "; ".join(parts)


def example_key(definition: TableDefinition, value: int = 1) -> dict[str, Any]:
    """A key of the table, each attribute ``value`` as its type wants it (a number or text)."""
    return {
        key: value if definition.attribute_types[key] == "N" else str(value)
        for key in definition.key_schema.key_attributes
    }


def tutorial_requests(settings: Settings) -> list[tuple[str, dict[str, Any]]]:
    """create → read → update → list → delete, then echo and ping, as the tutorial sends them.

    On the stack's primary table (``LambdaTable``, or its first), with its keys.
    """
    table = primary_table(settings.tables) or next(iter(settings.tables))
    item_key = example_key(settings.tables[table])
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


def example_requests(
    settings: Settings, operations: Mapping[str, Operation]
) -> list[tuple[str, dict[str, Any]]]:
    """A request for every operation with an example, plugins' included.

    The tutorial's come first, on the stack's keys; then the others as their
    operations declare them (what the OpenAPI document shows).
    """
    tutorial = [(name, document) for name, document in tutorial_requests(settings)]
    shown = {name for name, _ in tutorial}
    table = primary_table(settings.tables) or next(iter(settings.tables))
    return [(name, document) for name, document in tutorial if name in operations] + [
        (name, openapi.example_request(op, table))
        for name, op in sorted(operations.items())
        if name not in shown and op.example is not None
    ]


def curl(url: str, document: dict[str, Any], api_key: str | None = None) -> str:
    """A ready-to-paste curl command POSTing ``document`` to ``url``."""
    parts = ["curl", "-s", "-X", "POST", url, "-H", "Content-Type: application/json"]
    if api_key:
        parts += ["-H", f"x-api-key: {api_key}"]
    parts += ["-d", json.dumps(document)]
    return shlex.join(parts)
