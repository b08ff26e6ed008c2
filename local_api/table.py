"""Tables on a local DynamoDB: created from the stack's definitions, as the Pulumi program does.

:func:`create_table` is the one table creator of the project's local side: the
local server, the tests and the benchmark all call it, with the same
:class:`~infra.table_definitions.TableDefinition` the Pulumi program deploys.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError

from function import idempotency
from infra.table_definitions import Index, TableDefinition, define

#: The tutorial's table: a string hash key ``Id``.
TUTORIAL_TABLE = define("LambdaTable", hashKey="Id")


class SeedFileError(ValueError):
    """The items file is not a JSON list of items, or an object of them per table."""


class MissingTableError(RuntimeError):
    """The table is not on the DynamoDB the local server was pointed at."""


class TableMismatchError(RuntimeError):
    """A table that exists has other keys or indexes than the stack declares."""


def create_table(
    client: Any,
    name: str,
    definition: TableDefinition = TUTORIAL_TABLE,
    *,
    time_to_live: bool = True,
) -> bool:
    """Create the on-demand table ``name`` as ``definition`` says; ``False`` if it exists.

    Keys, indexes, stream and TTL are the definition's. ``client`` is a boto3
    DynamoDB client (in-process moto's, or one for an endpoint). A table that
    exists gets the TTL it lacks, so an interrupted setup is completed; an
    engine without the TTL API (dynalite) passes ``time_to_live=False``.
    """
    created = not table_exists(client, name)
    if created:
        _create(client, name, definition)
    if time_to_live and definition.ttl_attribute is not None:
        enable_time_to_live(client, name, definition.ttl_attribute)
    return created


def enable_time_to_live(client: Any, name: str, attribute: str) -> None:
    """Turn on TTL on ``attribute`` unless it is on already."""
    described = client.describe_time_to_live(TableName=name).get("TimeToLiveDescription", {})
    if described.get("TimeToLiveStatus") in ("ENABLED", "ENABLING"):
        return
    client.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": attribute}
    )


def check_table(client: Any, name: str, definition: TableDefinition, hint: str) -> None:
    """Refuse a table whose keys or indexes differ from ``definition``; ``hint`` says what to do."""
    found = _keys_and_indexes(client.describe_table(TableName=name)["Table"])
    declared = _keys_and_indexes(_create_request(name, definition))
    if found != declared:
        raise TableMismatchError(
            f"table {name!r} exists with keys {_describe(found)}, but the stack declares "
            f"{_describe(declared)}; {hint}"
        )


def _keys_and_indexes(table: dict[str, Any]) -> dict[str, Any]:
    """The keys and indexes of a ``CreateTable`` request or a table's description, comparable."""
    types = {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]}

    def shape(key_schema: list[dict[str, str]]) -> tuple[tuple[str, str, str], ...]:
        return tuple(
            (key["KeyType"], key["AttributeName"], types.get(key["AttributeName"], "?"))
            for key in key_schema
        )

    return {
        "keys": shape(table["KeySchema"]),
        "indexes": sorted(
            (index["IndexName"], shape(index["KeySchema"]))
            for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes")
            for index in table.get(kind, [])
        ),
    }


def _describe(shape: dict[str, Any]) -> str:
    def keys(schema: tuple[tuple[str, str, str], ...]) -> str:
        return ", ".join(f"{name} ({kind})" for _, name, kind in schema)

    indexes = "; ".join(f"{name}: {keys(schema)}" for name, schema in shape["indexes"])
    return keys(shape["keys"]) + (f" and indexes {indexes}" if indexes else "")


def _create_request(name: str, definition: TableDefinition) -> dict[str, Any]:
    """The ``CreateTable`` parameters of the on-demand table ``definition`` describes."""
    args: dict[str, Any] = {
        "TableName": name,
        "KeySchema": _key_schema(definition.hash_key, definition.range_key),
        "AttributeDefinitions": [
            {"AttributeName": attribute, "AttributeType": kind}
            for attribute, kind in sorted(definition.attribute_types.items())
        ],
        "BillingMode": "PAY_PER_REQUEST",
    }
    if definition.global_indexes:
        args["GlobalSecondaryIndexes"] = [_index(i) for i in definition.global_indexes]
    if definition.local_indexes:
        args["LocalSecondaryIndexes"] = [_index(i) for i in definition.local_indexes]
    if definition.stream is not None:
        args["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": definition.stream}
    return args


def _create(client: Any, name: str, definition: TableDefinition) -> None:
    client.create_table(**_create_request(name, definition))
    client.get_waiter("table_exists").wait(
        TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30}
    )


#: The function's idempotency records table, as the Pulumi program defines it.
IDEMPOTENCY_RECORDS = define(
    "idempotency", hashKey=idempotency.RECORD_KEY, ttlAttribute=idempotency.EXPIRES_AT
)


def create_idempotency_table(client: Any, name: str, *, time_to_live: bool = True) -> bool:
    """Create the function's idempotency records table, as the Pulumi program does."""
    return create_table(client, name, IDEMPOTENCY_RECORDS, time_to_live=time_to_live)


def _key_schema(hash_key: str, range_key: str | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": hash_key, "KeyType": "HASH"}]
    if range_key is not None:
        schema.append({"AttributeName": range_key, "KeyType": "RANGE"})
    return schema


def _index(index: Index) -> dict[str, Any]:
    projection: dict[str, Any] = {"ProjectionType": index.projection_type}
    if index.included_attributes:
        projection["NonKeyAttributes"] = list(index.included_attributes)
    return {
        "IndexName": index.name,
        "KeySchema": _key_schema(index.hash_key, index.range_key),
        "Projection": projection,
    }


def seed_items(
    endpoint: str, path: Path, tables: Mapping[str, str], default: str | None
) -> dict[str, int]:
    """Put the items of a JSON file into the tables; how many went into each.

    The file holds an object of item lists keyed by logical table name
    (``{"Orders": [...], "LambdaTable": [...]}``), or one list of items for
    ``default`` (the stack's only or primary table). ``tables`` maps logical
    names to the physical tables on the endpoint.
    """
    try:
        document = json.loads(path.read_text(), parse_float=Decimal)
    except (OSError, ValueError) as error:
        raise SeedFileError(f"{path}: {error}") from None
    if isinstance(document, list):
        if default is None:
            raise SeedFileError(
                f"{path}: this stack serves {', '.join(sorted(tables))}; give the items per "
                'table, like {"Orders": [...]}'
            )
        document = {default: document}
    if not isinstance(document, dict):
        raise SeedFileError(
            f"{path}: expected a JSON list of items, or an object of them per table"
        )
    for name, items in document.items():
        if name not in tables:
            raise SeedFileError(
                f"{path}: {name!r} is not a table of this stack ({', '.join(sorted(tables))})"
            )
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise SeedFileError(f"{path}: {name}: expected a JSON list of items (objects)")
    resource = boto3.resource("dynamodb", endpoint_url=endpoint)
    for name, items in document.items():
        with resource.Table(tables[name]).batch_writer() as batch:
            for item in items:
                batch.put_item(Item=item)
    return {name: len(items) for name, items in document.items()}


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
