"""Tables on a local DynamoDB: created as the Pulumi program creates them, and seeded.

:func:`create_table` is the one table creator of the project's local side: the
local server, the tests and the benchmark all call it.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError

from function import idempotency


class SeedFileError(ValueError):
    """The items file is not a JSON list of items."""


class MissingTableError(RuntimeError):
    """The table is not on the DynamoDB the local server was pointed at."""


def create_table(
    client: Any, name: str, key: str = "Id", key_type: str = "S", *, ttl: str | None = None
) -> bool:
    """Create an on-demand table keyed by ``key`` (and TTL on ``ttl``); ``False`` if it exists.

    ``client`` is a boto3 DynamoDB client (in-process moto's, or one for an endpoint).
    """
    if table_exists(client, name):
        return False
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


def create_idempotency_table(client: Any, name: str) -> bool:
    """Create the function's idempotency records table, as the Pulumi program does."""
    return create_table(client, name, idempotency.RECORD_KEY, "S", ttl=idempotency.EXPIRES_AT)


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


def table_exists(client: Any, name: str) -> bool:
    try:
        client.describe_table(TableName=name)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            return False
        raise
    return True


def client_for(endpoint: str) -> Any:
    """A boto3 DynamoDB client for ``endpoint``; region and credentials from the environment."""
    return boto3.client("dynamodb", endpoint_url=endpoint)
