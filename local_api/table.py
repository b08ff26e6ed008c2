"""The stack's table on a local DynamoDB: created as the Pulumi program creates it, and seeded."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError

from function import idempotency
from infra.settings import Settings


class SeedFileError(ValueError):
    """The items file is not a JSON list of items."""


class MissingTableError(RuntimeError):
    """The table is not on the DynamoDB the local server was pointed at."""


def create_table(endpoint: str, settings: Settings, name: str) -> bool:
    """Create the stack's table (on demand, its key); ``False`` if it already exists."""
    return _create(endpoint, name, settings.hash_key, settings.hash_key_type)


def create_idempotency_table(endpoint: str, name: str) -> bool:
    """Create the function's idempotency records table, as the Pulumi program does."""
    return _create(endpoint, name, idempotency.RECORD_KEY, "S", ttl=idempotency.EXPIRES_AT)


def _create(endpoint: str, name: str, key: str, key_type: str, ttl: str | None = None) -> bool:
    if table_exists(endpoint, name):
        return False
    client = _client(endpoint)
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": key_type}],
        BillingMode="PAY_PER_REQUEST",
    )
    client.get_waiter("table_exists").wait(
        TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30}
    )
    if ttl is not None:
        client.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl}
        )
    return True


def load_items(endpoint: str, name: str, path: Path) -> int:
    """Put every item of a JSON file (a list of plain-valued items) into the table."""
    try:
        items = json.loads(path.read_text(), parse_float=Decimal)
    except (OSError, ValueError) as error:
        raise SeedFileError(f"{path}: {error}") from None
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise SeedFileError(f"{path}: expected a JSON list of items (objects)")
    table = boto3.resource("dynamodb", endpoint_url=endpoint).Table(name)
    with table.batch_writer() as batch:
        for item in items:
            batch.put_item(Item=item)
    return len(items)


def table_exists(endpoint: str, name: str) -> bool:
    try:
        _client(endpoint).describe_table(TableName=name)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            return False
        raise
    return True


def _client(endpoint: str) -> Any:
    return boto3.client("dynamodb", endpoint_url=endpoint)
