"""A local stand-in for a deployed stack: DynamoDB, the stack's table, the function's environment.

Used by ``serve`` and ``invoke`` alike: an embedded DynamoDB (moto's server) unless
an endpoint is given, the table created from the stack's settings, and the
environment variables the deployed function gets (``TABLES``,
``OPERATION_PACKAGES``, ``CORS_ALLOW_ORIGIN``), so the handler runs exactly as
it does in Lambda.
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
    """Start (or connect to) DynamoDB, prepare the table and the function's environment."""
    endpoint = dynamodb_endpoint or os.environ.get("AWS_ENDPOINT_URL_DYNAMODB")
    region = str(stack_config(stack).get("aws:region") or DEFAULT_REGION)
    embedded = EmbeddedDynamoDB() if endpoint is None else None
    saved = dict(os.environ)
    try:
        if embedded is not None:
            embedded.start()
            endpoint = embedded.endpoint
            # moto accepts any credentials; never let real ones near the embedded database.
            os.environ.update({"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"})
            os.environ.pop("AWS_SESSION_TOKEN", None)
            os.environ.pop("AWS_PROFILE", None)
        assert endpoint is not None
        os.environ.setdefault("AWS_REGION", region)
        os.environ.setdefault("AWS_DEFAULT_REGION", os.environ["AWS_REGION"])
        name = settings.table_name
        os.environ.update(
            {
                "AWS_ENDPOINT_URL_DYNAMODB": endpoint,
                "TABLES": json.dumps({name: name}),
                "OPERATION_PACKAGES": ",".join(settings.operation_packages),
            }
        )
        if cors_origin:
            os.environ["CORS_ALLOW_ORIGIN"] = cors_origin
        else:
            os.environ.pop("CORS_ALLOW_ORIGIN", None)
        records = f"{name}-idempotency"
        if embedded is not None or create_table:
            table.create_table(endpoint, settings, name)
            table.create_idempotency_table(endpoint, records)
        elif not table.table_exists(endpoint, name):
            raise table.MissingTableError(
                f"table {name!r} does not exist at {endpoint}; pass --create-table to create it"
            )
        if table.table_exists(endpoint, records):
            os.environ["IDEMPOTENCY_TABLE"] = records
        else:
            os.environ.pop("IDEMPOTENCY_TABLE", None)
        if seed is not None:
            table.load_items(endpoint, name, seed)
        yield LocalStack(
            stack, settings, endpoint, embedded is not None, name, os.environ["AWS_REGION"]
        )
    finally:
        if embedded is not None:
            embedded.stop()
        os.environ.clear()
        os.environ.update(saved)
