"""A local stand-in for a deployed stack: DynamoDB, the stack's tables, the function's environment.

Used by ``serve`` and ``invoke`` alike, in three steps that each do one thing:
:func:`dynamodb` starts a local engine (moto or dynalite,
:mod:`local_api.engines`), keeping its tables in a data folder when given one,
unless an endpoint is given; :func:`ensure_tables` creates or checks the stack's tables,
every one with the keys, indexes, stream and TTL its definition gives (the one
the Pulumi program deploys); :func:`function_environment` sets the variables
the deployed function gets (``TABLES``, ``TABLE_KEYS``, ``OPERATION_PACKAGES``,
``IDEMPOTENCY_TABLE``, ``CORS_ALLOW_ORIGIN``), so the handler runs exactly as it
does in Lambda. :func:`local_stack` composes them, after refusing a stack that
lacks a table or index an operation needs, as ``pulumi up`` would. Whatever
DynamoDB answers while setting up is raised as one :class:`LocalStackError`.

Locally a table's physical name is its logical name.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from function import operation_packages
from function import tables as function_tables
from function.registry import Registry
from function.routes import MICROSERVICE_ENV
from infra.grants import check_requirements
from infra.openapi import document
from infra.settings import Settings, stack_config
from infra.table_definitions import primary_table
from local_api import table
from local_api.engines import FEATURES, Engine, Features

DEFAULT_REGION = "us-east-1"


class LocalStackError(RuntimeError):
    """DynamoDB failed a call that setting up the stack's tables made."""


#: What an endpoint given by the user is assumed to support: everything, until it says no.
ANY_ENGINE = Features(transactions=True, time_to_live=True)


@dataclass(frozen=True)
class Database:
    """The DynamoDB a local run uses: its endpoint, the engine started for it (if any)."""

    endpoint: str
    engine: str | None
    features: Features
    data: Path | None


@dataclass(frozen=True)
class LocalStack:
    """What a local run is wired to."""

    stack: str
    settings: Settings
    database: Database
    #: Each logical table and its physical table on ``endpoint``.
    tables: dict[str, str]
    region: str

    @property
    def endpoint(self) -> str:
        return self.database.endpoint


@dataclass(frozen=True)
class LocalTables:
    """The physical tables a local run serves: the stack's tables and the idempotency records."""

    served: dict[str, str]
    idempotency: str | None


@contextmanager
def dynamodb(
    endpoint: str | None, engine: str = "moto", data: Path | None = None
) -> Iterator[Database]:
    """The DynamoDB to use: ``endpoint``, or a local ``engine`` started here, keeping ``data``.

    With a local engine, the process's credentials become fake ones: the engine
    accepts any, and real ones must never come near it.
    """
    if endpoint is not None:
        yield Database(endpoint, None, ANY_ENGINE, None)
        return
    with Engine(engine, data) as started:
        os.environ.update({"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"})
        os.environ.pop("AWS_SESSION_TOKEN", None)
        os.environ.pop("AWS_PROFILE", None)
        yield Database(started.endpoint, engine, FEATURES[engine], data)


def ensure_tables(
    database: Database, stack: str, settings: Settings, *, create: bool
) -> LocalTables:
    """Create the stack's tables (``create``), or check the served ones are there.

    Creating completes what is missing (a table, an idempotency table's TTL), so
    a setup interrupted half-way is finished by the next start; a kept table
    whose keys or indexes the stack file no longer declares is refused. The
    idempotency records table is used when it exists, as the deployment does.
    """
    served = {name: name for name in settings.tables}
    records = f"{stack}-idempotency"
    if records in served:
        raise LocalStackError(
            f"the stack's table {records!r} has the name make serve gives the idempotency "
            "records, whose keys callers must never read: rename the table"
        )
    endpoint = database.endpoint
    client = table.client_for(endpoint)
    time_to_live = database.features.time_to_live
    hint = (
        f"start with --fresh to recreate it from the stack file (its items in {database.data} "
        "are lost)"
        if database.data is not None
        else "delete it, or point --dynamodb-endpoint at another DynamoDB"
    )
    if create:
        for name, definition in settings.tables.items():
            if not table.create_table(client, served[name], definition, time_to_live=time_to_live):
                table.check_table(client, served[name], definition, hint)
        table.create_idempotency_table(client, records, time_to_live=time_to_live)
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
            operation_packages.PACKAGES_ENV: ",".join(settings.operation_packages),
        }
    )
    for name, value in (
        (MICROSERVICE_ENV, settings.microservice_resource or None),
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
    engine: str = "moto",
    data: Path | None = None,
) -> Iterator[LocalStack]:
    """Start (or connect to) DynamoDB, prepare the tables and the function's environment.

    ``engine`` and ``data`` choose the local engine and the folder it keeps the
    tables in (``None``: in memory); they do not apply with an endpoint.

    The process's environment is restored on the way out.
    """
    operations = Registry(settings.operation_packages, settings.plugins).all()
    # What pulumi up refuses, refused before anything starts: an operation's missing
    # tables or indexes, routes that collide, and a response= that is no schema (the
    # document is built from the routes and the answers both).
    check_requirements(operations.values(), settings.table_indexes)
    document(operations, settings)
    requested = dynamodb_endpoint or os.environ.get("AWS_ENDPOINT_URL_DYNAMODB")
    region = str(stack_config(stack).get("aws:region") or DEFAULT_REGION)
    saved = dict(os.environ)
    try:
        with dynamodb(requested, engine, data) as database:
            os.environ.setdefault("AWS_REGION", region)
            os.environ.setdefault("AWS_DEFAULT_REGION", os.environ["AWS_REGION"])
            embedded = database.engine is not None
            with _reported(database.endpoint):
                tables = ensure_tables(database, stack, settings, create=embedded or create_table)
                if seed is not None:
                    table.seed_items(
                        database.endpoint, seed, tables.served, primary_table(settings.tables)
                    )
            function_environment(database.endpoint, settings, tables, cors_origin)
            yield LocalStack(stack, settings, database, tables.served, os.environ["AWS_REGION"])
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextmanager
def _reported(endpoint: str) -> Iterator[None]:
    """DynamoDB's failures while setting up, as one :class:`LocalStackError` naming the endpoint."""
    try:
        yield
    except NoCredentialsError:
        raise LocalStackError(
            f"no AWS credentials for DynamoDB at {endpoint}: set AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY (a local DynamoDB accepts any)"
        ) from None
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "UnknownOperationException":
            raise LocalStackError(
                f"DynamoDB at {endpoint} does not support {error.operation_name}, which setting "
                "up the stack's tables needs (for dynalite, start with --engine dynalite, which "
                "does without it)"
            ) from None
        raise LocalStackError(f"DynamoDB at {endpoint}: {error}") from None
    except BotoCoreError as error:
        raise LocalStackError(f"DynamoDB at {endpoint}: {error}") from None
