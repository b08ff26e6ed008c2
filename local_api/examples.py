"""What the server suggests trying: a request per operation with an example, and its tables."""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from typing import Any

from function.registry import Operation
from infra import openapi
from infra.settings import Settings
from infra.table_definitions import TableDefinition

#: The tutorial's walk through the API, its deletion kept for last so that pasting the
#: banner's requests in order finds the items the earlier ones wrote.
FIRST = ("create", "read", "update", "list", "query")
LAST = ("delete", "echo", "ping")


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


def example_requests(
    settings: Settings, operations: Mapping[str, Operation]
) -> list[tuple[str, dict[str, Any]]]:
    """A request for every operation with an example, plugins' included.

    The tutorial's operations in its order, the others (plugins' too) by name
    before its ``delete``, ``echo`` and ``ping``; each as the OpenAPI document
    shows it, on the stack's keys.
    """
    rest = sorted(set(operations) - {*FIRST, *LAST})
    return [
        (name, openapi.example_request(operations[name], settings))
        for name in (*FIRST, *rest, *LAST)
        if name in operations and operations[name].example is not None
    ]


def curl(url: str, document: dict[str, Any], api_key: str | None = None) -> str:
    """A ready-to-paste curl command POSTing ``document`` to ``url``."""
    parts = ["curl", "-s", "-X", "POST", url, "-H", "Content-Type: application/json"]
    if api_key:
        parts += ["-H", f"x-api-key: {api_key}"]
    parts += ["-d", json.dumps(document)]
    return shlex.join(parts)
