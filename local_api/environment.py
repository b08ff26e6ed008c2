"""A local stand-in for a deployed stack: DynamoDB, the stack's tables, the function's environment.

Used by ``serve`` and ``invoke`` alike, in three steps that each do one thing:
:func:`dynamodb` starts an embedded DynamoDB (moto's server) unless an
endpoint is given; :func:`ensure_tables` creates or checks the stack's tables;
:func:`function_environment` sets the variables the deployed function gets
(``TABLES``, ``OPERATION_PACKAGES``, ``IDEMPOTENCY_TABLE``, ``CORS_ALLOW_ORIGIN``),
so the handler runs exactly as it does in Lambda. :func:`local_stack` composes them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from infra.settings import Settings, stack_config
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
    table: str
    region: str


@dataclass(frozen=True)
class LocalTables:
    """The physical tables a local run serves: the stack's table and the idempotency records."""

    served: str
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


def ensure_tables(endpoint: str, settings: Settings, *, create: bool) -> LocalTables:
    """Create the stack's tables (``create``), or check the served one is there.

    The idempotency records table is used when it exists, as the deployment does.
    """
    client = table.client_for(endpoint)
    name = settings.table_name
    records = f"{name}-idempotency"
    if create:
        table.create_table(client, name, settings.hash_key, settings.hash_key_type)
        table.create_idempotency_table(client, records)
    elif not table.table_exists(client, name):
        raise table.MissingTableError(
            f"table {name!r} does not exist at {endpoint}; pass --create-table to create it"
        )
    return LocalTables(name, records if table.table_exists(client, records) else None)


def function_environment(
    endpoint: str, settings: Settings, tables: LocalTables, cors_origin: str | None
) -> None:
    """Set the variables the deployed function gets, pointed at ``endpoint``."""
    os.environ.update(
        {
            "AWS_ENDPOINT_URL_DYNAMODB": endpoint,
            "TABLES": json.dumps({settings.table_name: tables.served}),
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
    requested = dynamodb_endpoint or os.environ.get("AWS_ENDPOINT_URL_DYNAMODB")
    region = str(stack_config(stack).get("aws:region") or DEFAULT_REGION)
    saved = dict(os.environ)
    try:
        with dynamodb(requested) as (endpoint, embedded):
            os.environ.setdefault("AWS_REGION", region)
            os.environ.setdefault("AWS_DEFAULT_REGION", os.environ["AWS_REGION"])
            tables = ensure_tables(endpoint, settings, create=embedded or create_table)
            function_environment(endpoint, settings, tables, cors_origin)
            if seed is not None:
                table.load_items(endpoint, tables.served, seed)
            yield LocalStack(
                stack, settings, endpoint, embedded, tables.served, os.environ["AWS_REGION"]
            )
    finally:
        os.environ.clear()
        os.environ.update(saved)
