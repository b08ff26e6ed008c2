"""Fixtures for testing operations and the handler on an in-process moto DynamoDB.

For operation authors, two fixtures do the work:

* ``table`` — a fresh ``LambdaTable`` (hash key ``Id``, a string) that the
  function serves, exactly as a deployment configures it; ``table.items()``
  shows what is stored.
* ``run_operation(name, payload)`` — runs one operation through the same path as
  the handler (registry, table, schema, DynamoDB error translation) and returns
  its result or raises its ``RequestError``.

``invoke(event)`` calls the real Lambda handler; ``post(body)`` sends a body
through an API Gateway REST proxy event and returns the HTTP answer.
No test needs AWS credentials or network: credentials are fake and every
DynamoDB call goes to moto.
"""

from __future__ import annotations

import base64
import copy
import json
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import pytest
from boto3.dynamodb.types import TypeDeserializer
from moto import mock_aws

from function import events
from function import handler as lambda_handler
from local_api.lambda_context import LambdaContext
from local_api.proxy_event import post_event
from local_api.table import create_idempotency_table, create_table

__all__ = ["LambdaContext", "create_table"]

EVENTS = Path(__file__).parent / "events"
TABLE = "LambdaTable"
PHYSICAL_TABLE = "dynamodb-operations-test-LambdaTable"
REGION = "us-east-1"


def load_event(name: str) -> dict[str, Any]:
    """A sample event from ``tests/events`` (a fresh copy each time)."""
    return json.loads((EVENTS / name).read_text())


@pytest.fixture(autouse=True)
def aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials and a region; no real endpoint, profile or table map leaks in."""
    for name in (
        "AWS_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_DYNAMODB",
        "TABLES",
        "OPERATION_PACKAGES",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")


@dataclass
class Table:
    """A moto table the function serves, with a way to look at what it holds."""

    name: str
    physical: str
    client: Any

    def items(self) -> list[dict[str, Any]]:
        """Every stored item as plain values, sorted by ``Id``."""
        deserializer = TypeDeserializer()
        items = []
        for page in self.client.get_paginator("scan").paginate(TableName=self.physical):
            items.extend(
                {key: deserializer.deserialize(value) for key, value in item.items()}
                for item in page["Items"]
            )
        return sorted(items, key=lambda item: str(item.get("Id")))

    def put(self, item: dict[str, Any]) -> None:
        self.client.put_item(
            TableName=self.physical,
            Item={key: _typed(value) for key, value in item.items()},
        )


def _typed(value: Any) -> dict[str, Any]:
    from boto3.dynamodb.types import TypeSerializer

    return TypeSerializer().serialize(Decimal(str(value)) if isinstance(value, float) else value)


@pytest.fixture
def dynamodb_mock() -> Iterator[Any]:
    """An in-process moto DynamoDB, and an unconfined client to set it up and inspect it."""
    with mock_aws():
        yield boto3.client("dynamodb", region_name=REGION)


@pytest.fixture
def table(dynamodb_mock: Any, monkeypatch: pytest.MonkeyPatch) -> Table:
    """A fresh ``LambdaTable`` served by the function (``TABLES`` points at it)."""
    create_table(dynamodb_mock, PHYSICAL_TABLE)
    monkeypatch.setenv("TABLES", json.dumps({TABLE: PHYSICAL_TABLE}))
    return Table(name=TABLE, physical=PHYSICAL_TABLE, client=dynamodb_mock)


@pytest.fixture
def run_operation(table: Table) -> Callable[..., Any]:
    """Run one operation as the handler would; returns its result or raises its error."""

    def run(name: str, payload: Any = None, table_name: str | None = TABLE) -> Any:
        document: dict[str, Any] = {"operation": name}
        if table_name is not None:
            document["tableName"] = table_name
        if payload is not None:
            document["payload"] = payload
        return run_direct(document)

    return run


def run_direct(document: Any) -> Any:
    """Serve a direct event as the handler does: its result, or its error raised as it is.

    Unlike the handler, an unexpected exception is raised as itself (not as a
    500), so a failing operation's test shows its traceback.
    """
    result = lambda_handler.execute(events.read(document, LambdaContext("test-request")))
    if result.error is not None:
        raise result.error
    return result.body


@pytest.fixture
def invoke() -> Callable[[Any], Any]:
    """Call the real Lambda handler with an event."""
    return lambda event: lambda_handler.handler(copy.deepcopy(event), LambdaContext())


@dataclass
class HttpAnswer:
    status: int
    headers: dict[str, str]
    text: str

    @property
    def json(self) -> Any:
        return json.loads(self.text, parse_float=Decimal)


#: The id API Gateway gives the requests of :func:`proxy_event` (what answers quote).
GATEWAY_REQUEST_ID = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"


def proxy_event(body: Any, *, base64_body: bool = False, method: str = "POST") -> dict[str, Any]:
    """A REST API proxy event carrying ``body`` (a document, text or bytes).

    Built by the local server's builder. Text goes as text, even text that no
    HTTP body could carry (lone surrogates, which a Lambda event's JSON can);
    bytes and ``base64_body`` go base64-encoded.
    """
    if isinstance(body, bytes):
        raw = body
    elif isinstance(body, str):
        raw = body.encode("utf-8", "surrogatepass")
    else:
        raw = json.dumps(body).encode()
    event = post_event(b"", method=method, request_id=GATEWAY_REQUEST_ID)
    if base64_body or isinstance(body, bytes):
        event["body"], event["isBase64Encoded"] = base64.b64encode(raw).decode(), True
    else:
        event["body"] = raw.decode("utf-8", "surrogatepass")
    return event


@pytest.fixture
def post() -> Callable[..., HttpAnswer]:
    """POST a body to the handler through a REST API proxy event; the HTTP answer back."""

    def send(body: Any, **options: Any) -> HttpAnswer:
        answer = lambda_handler.handler(proxy_event(body, **options), LambdaContext())
        assert set(answer) == {"statusCode", "headers", "body", "isBase64Encoded"}
        assert isinstance(answer["body"], str)
        return HttpAnswer(answer["statusCode"], answer["headers"], answer["body"])

    return send


@pytest.fixture
def plugin_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[dict[str, str]], str]]:
    """Create an importable package of operation modules outside the repository.

    ``make({"module": source, ...})`` writes the package and returns its (unique) name.
    """
    created: list[str] = []

    def make(modules: dict[str, str]) -> str:
        name = f"plugins_{uuid.uuid4().hex[:12]}"
        package = tmp_path / name
        package.mkdir()
        (package / "__init__.py").write_text("")
        for module, source in modules.items():
            (package / f"{module}.py").write_text(source)
        created.append(name)
        return name

    monkeypatch.syspath_prepend(str(tmp_path))
    yield make
    for name in created:
        for module in [m for m in sys.modules if m == name or m.startswith(f"{name}.")]:
            del sys.modules[module]


IDEMPOTENCY_TABLE = "dynamodb-operations-test-idempotency"


@pytest.fixture
def idempotency_table(table: Table, monkeypatch: pytest.MonkeyPatch) -> Table:
    """The function's idempotency records table (hash key ``id``), configured as deployed."""
    create_idempotency_table(table.client, IDEMPOTENCY_TABLE)
    monkeypatch.setenv("IDEMPOTENCY_TABLE", IDEMPOTENCY_TABLE)
    return Table(name=IDEMPOTENCY_TABLE, physical=IDEMPOTENCY_TABLE, client=table.client)
