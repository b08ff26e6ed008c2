"""The examples the document, ``make serve``'s banner and the tests show: each operation's
example request, on the stack's own tables and keys.

Operations write their examples for the tutorial's table, keyed by ``Id``; a stack keyed
otherwise gets its own key in their place, so every example works on every stack.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from function.attribute_values import serialize
from function.registry import Operation
from infra.dynamodb_outputs import attribute_value_members
from infra.settings import Settings
from infra.table_definitions import (
    TUTORIAL_TABLE_NAME,
    TableDefinition,
    example_key,
    example_table,
)

#: The key attribute of the tutorial's table, which operations' examples use.
TUTORIAL_KEY = "Id"
#: The tutorial's key named in an expression, and compared with a value: ``Id = :id``.
_TUTORIAL_KEY_NAME = re.compile(rf"\b{TUTORIAL_KEY}\b")
_TUTORIAL_KEY_CONDITION = re.compile(rf"\b{TUTORIAL_KEY}\s*=\s*(?P<value>:\w+)")


def example_request(op: Operation, settings: Settings) -> dict[str, Any]:
    """The whole request body for ``op``'s example, on the stack's example table and its keys.

    Examples are written for the tutorial's table, keyed by ``Id``: on a table
    keyed otherwise, the ``Key``, ``Item`` and ``ExclusiveStartKey`` they name
    are given that table's key instead.
    """
    request: dict[str, Any] = {"operation": op.name}
    payload = dict(op.example or {})
    if op.tables_in_payload:
        payload = _on_stack_tables(payload, settings.tables)
    if op.needs_table and not op.tables_in_payload:
        table = op.default_table or example_table(settings.tables)
        request["tableName"] = table
        if table in settings.tables:
            payload = _on_keys_of(payload, settings.tables[table])
    if payload:
        request["payload"] = payload
    return request


def _on_stack_tables(
    payload: dict[str, Any], tables: Mapping[str, TableDefinition]
) -> dict[str, Any]:
    """A batch or transaction example naming the tutorial's table, on the stack's tables.

    Where the stack has no ``LambdaTable``, its example table stands in; either
    way the keys and items are given that table's key.
    """
    target = TUTORIAL_TABLE_NAME if TUTORIAL_TABLE_NAME in tables else example_table(tables)
    definition = tables[target]
    adapted = dict(payload)
    requests = payload.get("RequestItems")
    if isinstance(requests, Mapping):
        adapted["RequestItems"] = {
            (target if name == TUTORIAL_TABLE_NAME else name): (
                _batch_on_keys_of(value, definition) if name == TUTORIAL_TABLE_NAME else value
            )
            for name, value in requests.items()
        }
    actions = payload.get("TransactItems")
    if isinstance(actions, list):
        adapted["TransactItems"] = [
            {
                kind: (
                    {**_on_keys_of(body, definition), "TableName": target}
                    if isinstance(body, Mapping) and body.get("TableName") == TUTORIAL_TABLE_NAME
                    else body
                )
                for kind, body in action.items()
            }
            for action in actions
        ]
    return adapted


def _batch_on_keys_of(requests: Any, definition: TableDefinition) -> Any:
    """One table's part of a batch: ``{"Keys": [...]}`` to read, or write requests."""
    if isinstance(requests, Mapping) and isinstance(requests.get("Keys"), list):
        keys = [_on_keys_of({"Key": key}, definition)["Key"] for key in requests["Keys"]]
        return {**requests, "Keys": keys}
    if isinstance(requests, list):
        return [
            {kind: _on_keys_of(body, definition) for kind, body in request.items()}
            for request in requests
        ]
    return requests


def _on_keys_of(payload: Mapping[str, Any], definition: TableDefinition) -> dict[str, Any]:
    """``payload`` with the tutorial's ``{"Id": ...}`` keys made keys of ``definition``."""
    keys, types = definition.key_schema.key_attributes, definition.attribute_types
    adapted = dict(payload)
    if keys == (TUTORIAL_KEY,) and types[TUTORIAL_KEY] == "S":
        return adapted
    for field in ("Key", "Item", "ExclusiveStartKey"):
        named = payload.get(field)
        if isinstance(named, Mapping) and TUTORIAL_KEY in named:
            value = str(named[TUTORIAL_KEY])
            rest = {name: v for name, v in named.items() if name != TUTORIAL_KEY}
            key = example_key(definition, int(value) if value.isdigit() else 1)
            adapted[field] = {**key, **rest}
    hash_key = definition.key_schema.hash_key
    for field in ("KeyConditionExpression", "ConditionExpression"):
        expression = payload.get(field)
        if not isinstance(expression, str) or not _TUTORIAL_KEY_NAME.search(expression):
            continue
        # The tutorial's key named in an expression: this table's partition key instead.
        adapted[field] = _TUTORIAL_KEY_NAME.sub("#key", expression)
        adapted["ExpressionAttributeNames"] = {
            **(payload.get("ExpressionAttributeNames") or {}),
            "#key": hash_key,
        }
        compared = _TUTORIAL_KEY_CONDITION.search(expression)
        values = dict(payload.get("ExpressionAttributeValues") or {})
        if compared and compared["value"] in values:
            value = str(values[compared["value"]])
            number = int(value) if value.isdigit() else 1
            values[compared["value"]] = example_key(definition, number)[hash_key]
            adapted["ExpressionAttributeValues"] = values
    return adapted


def blueprint_example(op: Operation, settings: Settings) -> dict[str, Any]:
    """``op``'s example as a blueprint client sends it: ``TableName`` and typed values."""
    example = example_request(op, settings)
    typed = dict(example.get("payload", {}))
    call = op.output.call if op.output is not None else None
    for member in attribute_value_members(call) if call is not None else ():
        if isinstance(typed.get(member), dict):
            values = json.loads(json.dumps(typed[member]), parse_float=Decimal)
            typed[member] = {name: serialize(value) for name, value in values.items()}
    return {"TableName": example.get("tableName"), **typed}
