"""A local stand-in for a deployed stack: DynamoDB, the stack's tables, the function's environment.

Used by ``serve`` and ``invoke`` alike, in three steps that each do one thing:
:func:`dynamodb` starts an embedded DynamoDB (moto's server) unless an
endpoint is given; :func:`ensure_tables` creates or checks the stack's tables,
every one with the keys, indexes, stream and TTL its definition gives (the one
the Pulumi program deploys); :func:`function_environment` sets the variables
the deployed function gets (``TABLES``, ``TABLE_KEYS``, ``OPERATION_PACKAGES``,
``IDEMPOTENCY_TABLE``, ``CORS_ALLOW_ORIGIN``), so the handler runs exactly as it
does in Lambda. :func:`local_stack` composes them, after refusing a stack that
lacks a table or index an operation needs, as ``pulumi up`` would.

Locally a table's physical name is its logical name.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from function import tables as function_tables
from function.registry import Registry
from infra.grants import check_requirements
from infra.settings import Settings, stack_config
from infra.table_definitions import primary_table
from local_api import table
from local_api.embedded_dynamodb import EmbeddedDynamoDB

DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class LocalStack:
    """What a local run is wired to."""

    stack: str
    settings: Settings
    endpoint: str
    embedded: bool
    #: Each logical table and its physical table on ``endpoint``.
    tables: dict[str, str]
    region: str


@dataclass(frozen=True)
class LocalTables:
    """The physical tables a local run serves: the stack's tables and the idempotency records."""

    served: dict[str, str]
    idempotency: str | None


@contextmanager
def dynamodb(endpoint: str | None) -> Iterator[tuple[str, bool]]:
    """The DynamoDB to use, ``(endpoint, embedded)``: ``endpoint``, or an embedded one started here.

    With the embedded one, the process's credentials become fake ones: moto accepts
    any, and real ones must never come near it.
    """
    if endpoint is not None:
        yield endpoint, False
        return
    with EmbeddedDynamoDB() as embedded:
        os.environ.update({"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"})
        os.environ.pop("AWS_SESSION_TOKEN", None)
        os.environ.pop("AWS_PROFILE", None)
        yield embedded.endpoint, True


def ensure_tables(endpoint: str, stack: str, settings: Settings, *, create: bool) -> LocalTables:
    """Create the stack's tables (``create``), or check the served ones are there.

    Creating completes what is missing, so a setup interrupted half-way is
    finished by the next start. The idempotency records table is used when it
    exists, as the deployment does.
    """
    client = table.client_for(endpoint)
    served = {name: name for name in settings.tables}
    records = f"{stack}-idempotency"
    if create:
        for name, definition in settings.tables.items():
            table.create_table(client, served[name], definition)
        table.create_idempotency_table(client, records)
    else:
        missing = [name for name in served.values() if not table.table_exists(client, name)]
        if missing:
            raise table.MissingTableError(
                f"table {', '.join(map(repr, missing))} does not exist at {endpoint}; "
                "pass --create-table to create the stack's tables"
            )
    return LocalTables(served, records if table.table_exists(client, records) else None)


def function_environment(
    endpoint: str, settings: Settings, tables: LocalTables, cors_origin: str | None
) -> None:
    """Set the variables the deployed function gets, pointed at ``endpoint``."""
    os.environ.update(
        {
            "AWS_ENDPOINT_URL_DYNAMODB": endpoint,
            function_tables.TABLES_ENV: json.dumps(tables.served, separators=(",", ":")),
            function_tables.TABLE_KEYS_ENV: function_tables.encode_keys(
                {name: definition.key_schema for name, definition in settings.tables.items()}
            ),
            "OPERATION_PACKAGES": ",".join(settings.operation_packages),
        }
    )
    for name, value in (
        ("CORS_ALLOW_ORIGIN", cors_origin),
        ("IDEMPOTENCY_TABLE", tables.idempotency),
    ):
        if value:
            os.environ[name] = value
        else:
            os.environ.pop(name, None)


@contextmanager
def local_stack(
    stack: str,
    settings: Settings,
    *,
    dynamodb_endpoint: str | None = None,
    create_table: bool = False,
    seed: Path | None = None,
    cors_origin: str | None = None,
) -> Iterator[LocalStack]:
    """Start (or connect to) DynamoDB, prepare the tables and the function's environment.

    The process's environment is restored on the way out.
    """
    check_requirements(
        Registry(settings.operation_packages).all().values(),
        settings.table_indexes,
    )
    requested = dynamodb_endpoint or os.environ.get("AWS_ENDPOINT_URL_DYNAMODB")
    region = str(stack_config(stack).get("aws:region") or DEFAULT_REGION)
    saved = dict(os.environ)
    try:
        with dynamodb(requested) as (endpoint, embedded):
            os.environ.setdefault("AWS_REGION", region)
            os.environ.setdefault("AWS_DEFAULT_REGION", os.environ["AWS_REGION"])
            tables = ensure_tables(endpoint, stack, settings, create=embedded or create_table)
            function_environment(endpoint, settings, tables, cors_origin)
            if seed is not None:
                table.seed_items(endpoint, seed, tables.served, primary_table(settings.tables))
            yield LocalStack(
                stack, settings, endpoint, embedded, tables.served, os.environ["AWS_REGION"]
            )
    finally:
        os.environ.clear()
        os.environ.update(saved)
