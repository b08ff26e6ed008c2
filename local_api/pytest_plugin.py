"""Fixtures for testing operations on an in-process moto DynamoDB: the pytest plugin.

Installed with this project (``dynamodb-operations-api[testing]``), pytest loads
it by its ``pytest11`` entry point, in this repository and in a plugin's own:

* ``table``: the primary table of ``table_definitions`` (``LambdaTable``, or the
  first), fresh for each test; the function serves it and every other table of
  the stack, exactly as a deployment configures them. ``table.key(1)`` makes a
  key of it, ``table.put(item)`` stores an item and ``table.items()`` shows what
  is stored.
* ``run_operation(name, payload)``: runs one operation through the same path as
  the handler (registry, table, schema, declared actions and tables, DynamoDB
  error translation) and returns its result or raises its error. It names the
  primary table when the operation runs there, and otherwise lets the
  operation's own table apply (``tables=["Orders"]``).
* ``tables``: every table of ``table_definitions``, by logical name.
* ``test_stack``: the stack a test runs as. In this project: the one a
  ``@pytest.mark.stack("shop")`` marker names, else the stack a test module's
  folder is named after (``tests/shop/`` with ``Pulumi.shop.yaml``), else
  ``$STACK`` (``dev`` by default). The function then serves that stack's tables
  and its ``operationPackages`` (with the installed plugins).
* ``table_definitions``: the tables served: the test stack's; in a repository
  without stack files, the tutorial's ``LambdaTable`` (hash key ``Id``).
  Override it in a ``conftest.py`` for others.
* ``invoke(event)`` calls the real Lambda handler; ``post(body)`` sends a body
  through an API Gateway REST proxy event and returns the HTTP answer;
  ``http("GET", "/LambdaTable/items/7")`` does the same for a table route
  (``body=`` a document, ``headers=`` pairs); ``lambda_context`` is the fake
  context they pass.
* ``aws_environment``: fake credentials and a region, and nothing from outside
  that could send a call elsewhere or fail it (a profile, an endpoint, FIPS or
  dual-stack hosts: :data:`FOREIGN_VARIABLES`), nor ``TABLES``, ``TABLE_KEYS``,
  ``OPERATION_PACKAGES`` or ``IDEMPOTENCY_TABLE`` (``idempotency_table`` gives
  the handler a local one); undone after the test. Every fixture above that
  reaches DynamoDB or the handler uses it, and it clears when it is set up,
  after any autouse fixture of the project's, so no test using them needs AWS
  credentials or network.
* ``idempotency_table``: the idempotency records, on moto, for the handler.

The plugin is polite: a test that uses none of these fixtures keeps the
environment it had. A fixture of a project's own that sets variables for a test
using ``post`` or ``table`` asks for ``aws_environment`` first, or they are
cleared. A project whose every test should run in the test environment opts in
(its fixtures may then set the function's settings without asking; AWS settings
are still cleared for the fixtures above), in its pytest configuration
(``true`` or ``false``, any case; any other value stops pytest)::

    [tool.pytest.ini_options]
    dynamodb_operations_isolate = true
"""

from __future__ import annotations

import base64
import copy
import json
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import pytest
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from moto import mock_aws
from moto.dynamodb.responses import DynamoHandler

from function import events, json_codec
from function import handler as lambda_handler
from function.errors import InvalidPayloadError, UnknownOperationError
from function.operation_packages import DEFAULT_PACKAGES, PACKAGES_ENV
from function.registry import default_registry
from function.routes import MICROSERVICE_ENV
from function.tables import (
    IDEMPOTENCY_TABLE_ENV,
    TABLE_KEYS_ENV,
    TABLES_ENV,
    KeySchema,
    encode_keys,
)
from function.validation import compile_schema
from infra.project import PROJECT_DIR
from infra.settings import project_name, project_values, stack_config, stack_settings
from infra.table_definitions import (
    TUTORIAL_TABLE_NAME,
    TableDefinition,
    example_key,
    example_table,
)
from infra.table_definitions import (
    table_definitions as definitions_of,
)
from local_api import moto_corrections, moto_fixes, moto_transactions
from local_api.lambda_context import LambdaContext
from local_api.proxy_event import post_event, route_event
from local_api.table import IDEMPOTENCY_RECORDS, create_idempotency_table, create_table

REGION = "us-east-1"
#: The stack tests run as unless a marker or their folder names another.
TEST_STACK = os.environ.get("STACK") or "dev"
#: What a repository without stack files gets: the tutorial's table.
TUTORIAL_TABLES = {TUTORIAL_TABLE_NAME: {"hashKey": "Id"}}


def physical_name(table: str) -> str:
    """The physical name the fixtures give a logical table (deployed names differ too)."""
    return f"dynamodb-operations-test-{table}"


#: The ini option by which a project gives every test the test environment.
ISOLATE_OPTION = "dynamodb_operations_isolate"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        ISOLATE_OPTION,
        "give every test aws_environment (fake AWS credentials, no AWS_PROFILE, "
        "TABLES or OPERATION_PACKAGES from outside), not only the tests using "
        "dynamodb_operations' fixtures: true or false",
        type="bool",
        default=False,
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "stack(name): run with that stack's tables and operation packages (Pulumi.<name>.yaml)",
    )
    _isolating(config)


def _isolating(config: pytest.Config) -> bool:
    """Whether the project opted in; a value other than true or false stops pytest at start-up."""
    try:
        return bool(config.getini(ISOLATE_OPTION))
    except (ValueError, TypeError, pytest.UsageError) as error:
        raise pytest.UsageError(
            f"{ISOLATE_OPTION} in the pytest configuration is true or false (any case): {error}"
        ) from None


def _stack_file(stack: str) -> Path:
    return PROJECT_DIR / f"Pulumi.{stack}.yaml"


@pytest.fixture
def test_stack(request: pytest.FixtureRequest) -> str:
    """The stack this test runs as: its marker's, its folder's, or ``$STACK`` (``dev``)."""
    marker = request.node.get_closest_marker("stack")
    if marker is not None:
        return str(marker.args[0])
    for folder in request.path.parents:
        if folder == request.config.rootpath:
            break
        if _stack_file(folder.name).exists():
            return folder.name
    return TEST_STACK


#: What botocore reads from the environment that would send a test's calls elsewhere
#: than moto (an endpoint, FIPS or dual-stack hosts, an account's endpoint, client-side
#: monitoring's UDP packets, models of its own) or fail them (a profile the empty config
#: lacks, stale tokens, a CA bundle, a retry, checksum or compression setting). Any
#: ``AWS_ENDPOINT_URL_<SERVICE>`` goes too.
FOREIGN_VARIABLES = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_ACCOUNT_ID",
    "AWS_ACCOUNT_ID_ENDPOINT_MODE",
    "AWS_ENDPOINT_URL",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "AWS_USE_FIPS_ENDPOINT",
    "AWS_USE_DUALSTACK_ENDPOINT",
    "AWS_STS_REGIONAL_ENDPOINTS",
    "AWS_ENDPOINT_DISCOVERY_ENABLED",
    "AWS_DISABLE_HOST_PREFIX_INJECTION",
    "AWS_DATA_PATH",
    "AWS_CA_BUNDLE",
    "AWS_CSM_ENABLED",
    "AWS_CSM_HOST",
    "AWS_CSM_PORT",
    "AWS_CSM_CLIENT_ID",
    "AWS_DEFAULTS_MODE",
    "AWS_RETRY_MODE",
    "AWS_MAX_ATTEMPTS",
    "AWS_METADATA_SERVICE_TIMEOUT",
    "AWS_METADATA_SERVICE_NUM_ATTEMPTS",
    "AWS_REQUEST_CHECKSUM_CALCULATION",
    "AWS_RESPONSE_CHECKSUM_VALIDATION",
    "AWS_DISABLE_REQUEST_COMPRESSION",
    "AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES",
    "AWS_AUTH_SCHEME_PREFERENCE",
    "AWS_SDK_UA_APP_ID",
)
#: The prefix of the per-service endpoints (``AWS_ENDPOINT_URL_DYNAMODB``).
SERVICE_ENDPOINT_PREFIX = "AWS_ENDPOINT_URL_"
#: The function's own settings: the fixtures' tables and packages, and the idempotency
#: table the ``idempotency_table`` fixture gives, or none (never a real one).
FUNCTION_SETTINGS = (
    TABLES_ENV,
    TABLE_KEYS_ENV,
    PACKAGES_ENV,
    IDEMPOTENCY_TABLE_ENV,
    MICROSERVICE_ENV,
)


def apply_aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials and a region, and nothing from outside that could redirect a call."""
    for name in [*FOREIGN_VARIABLES, *os.environ]:
        if name in FOREIGN_VARIABLES or name.startswith(SERVICE_ENDPOINT_PREFIX):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")


def apply_function_settings(monkeypatch: pytest.MonkeyPatch, stack: str) -> None:
    """None of the function's settings from outside; the stack's own operation packages,
    and its microservice blueprint resource.

    A stack that lists operation packages of its own gets them served; any other
    serves ``operations`` and the plugins installed when the operation is looked up.
    """
    for name in FUNCTION_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    if _stack_file(stack).exists():
        declared = project_values(stack_config(stack), project_name())
        listed = declared.get("operationPackages", DEFAULT_PACKAGES)
        if tuple(listed) != DEFAULT_PACKAGES or declared.get("excludePlugins"):
            served = stack_settings(stack).operation_packages
            monkeypatch.setenv(PACKAGES_ENV, ",".join(served))
        if "microserviceResource" in declared:
            resource = stack_settings(stack).microservice_resource
            if resource:
                monkeypatch.setenv(MICROSERVICE_ENV, resource)


@pytest.fixture
def aws_environment(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, test_stack: str
) -> None:
    """The test environment, applied when this fixture is set up; undone after the test.

    Every fixture that reaches DynamoDB or the handler uses it, so no AWS setting
    a project's own fixtures made before it (autouse ones included) reaches them.
    The function's settings are cleared here too, unless the project opted in:
    then the autouse fixture cleared them first, and a project's fixture may set
    its own for the test (``OPERATION_PACKAGES``) without asking for this one.
    """
    apply_aws_environment(monkeypatch)
    if not _isolating(request.config):
        apply_function_settings(monkeypatch, test_stack)


@pytest.fixture(autouse=True)
def _isolate_when_opted_in(request: pytest.FixtureRequest) -> None:
    """Every test gets the test environment if the project set ``dynamodb_operations_isolate``.

    It applies the environment itself rather than setting up ``aws_environment``,
    which then still clears the AWS settings again for the fixtures that use it,
    after a project's own autouse fixtures ran.
    """
    if _isolating(request.config):
        monkeypatch = request.getfixturevalue("monkeypatch")
        apply_aws_environment(monkeypatch)
        apply_function_settings(monkeypatch, request.getfixturevalue("test_stack"))


@dataclass
class Table:
    """A moto table the function serves, with a way to look at what it holds."""

    name: str
    physical: str
    client: Any
    definition: TableDefinition

    @property
    def keys(self) -> KeySchema:
        """Its key schema, as an operation reads it (``call.keys``)."""
        return self.definition.key_schema

    def key(self, value: int = 1) -> dict[str, Any]:
        """A key of this table: every key attribute ``value``, as a number or text as typed."""
        return example_key(self.definition, value)

    def items(self) -> list[dict[str, Any]]:
        """Every stored item as plain values, sorted by key."""
        deserializer = TypeDeserializer()
        items: list[dict[str, Any]] = []
        for page in self.client.get_paginator("scan").paginate(TableName=self.physical):
            items.extend(
                {key: deserializer.deserialize(value) for key, value in item.items()}
                for item in page["Items"]
            )
        attributes = self.keys.key_attributes
        return sorted(items, key=lambda item: [str(item.get(name)) for name in attributes])

    def put(self, item: dict[str, Any]) -> None:
        self.client.put_item(
            TableName=self.physical,
            Item={key: _typed(value) for key, value in item.items()},
        )


def _typed(value: Any) -> Any:
    """An attribute value in DynamoDB's typed form; floats as the Decimal of their text."""
    return TypeSerializer().serialize(Decimal(str(value)) if isinstance(value, float) else value)


#: One moto request at a time, across the threads of a test.
_MOTO_REQUESTS = threading.RLock()


@pytest.fixture
def dynamodb_mock(aws_environment: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """An in-process moto DynamoDB, and an unconfined client to set it up and inspect it.

    DynamoDB applies each request atomically: a conditional write's check and
    write are one step. In-process moto does not, so two threads can both pass
    ``attribute_not_exists`` and both write, a race DynamoDB never has. Requests
    therefore run one at a time here, as the local server's engine runs writes.

    moto also takes some requests DynamoDB refuses, and crashes on others. Each
    request is first checked by the local engine's corrections
    (:mod:`local_api.moto_corrections`, with :mod:`local_api.moto_fixes` in), so
    an operation's test gets the answer DynamoDB would give, as ``make serve``
    does: a refusal is a 400 ``ValidationException`` before moto sees it, and a
    crash inside moto a 400 that names moto.
    """
    unlocked = DynamoHandler.call_action

    def one_at_a_time(self: DynamoHandler) -> Any:
        with _MOTO_REQUESTS:
            return _corrected(self, unlocked)

    monkeypatch.setattr(DynamoHandler, "call_action", one_at_a_time)
    moto_transactions.install()
    moto_fixes.install()
    with mock_aws():
        yield boto3.client("dynamodb", region_name=REGION)


def _corrected(handler: DynamoHandler, answer: Callable[[DynamoHandler], Any]) -> Any:
    """moto's answer to one request, or DynamoDB's where moto would get it wrong."""
    target = handler.headers.get("X-Amz-Target") or handler.headers.get("x-amz-target") or ""
    operation = target.rpartition(".")[2]
    try:
        body = json.loads(handler.body) if isinstance(handler.body, str | bytes) else None
    except ValueError:
        body = None
    if isinstance(body, dict):
        message = moto_corrections.check(operation, body, lambda table: _key_types(handler, table))
        if message is not None:
            return _refusal(message)
    try:
        return answer(handler)
    except Exception as crash:  # noqa: BLE001 - any failure inside moto is moto's, not the caller's
        return _refusal(moto_corrections.crash_message(operation, crash))


def _refusal(message: str) -> tuple[int, dict[str, str], bytes]:
    headers = {"Content-Type": "application/x-amz-json-1.0"}
    return 400, headers, moto_corrections.error_body("ValidationException", message)


def _key_types(handler: DynamoHandler, table: str) -> dict[str, str] | None:
    """The types of the in-process ``table``'s key attributes; ``None`` if it does not exist."""
    try:
        described = handler.dynamodb_backend.get_table(table)
    except Exception:  # noqa: BLE001 - no such table: moto answers the request itself
        return None
    types = {described.hash_key_attr: described.hash_key_type}
    if described.range_key_attr and described.range_key_type:
        types[described.range_key_attr] = described.range_key_type
    return types


@pytest.fixture
def table_definitions(test_stack: str) -> Mapping[str, TableDefinition]:
    """The tables served: the test stack's, or the tutorial's. Override it for others."""
    if _stack_file(test_stack).exists():
        return stack_settings(test_stack).tables
    return tutorial_table_definitions()


def tutorial_table_definitions() -> Mapping[str, TableDefinition]:
    """The tutorial's one table, ``LambdaTable`` keyed by ``Id``, whatever the stacks declare."""
    return definitions_of(TUTORIAL_TABLES, point_in_time_recovery=False, deletion_protection=False)


def serve_tables(
    client: Any, definitions: Mapping[str, TableDefinition], monkeypatch: pytest.MonkeyPatch
) -> dict[str, Table]:
    """Create these tables on moto and point ``TABLES`` and ``TABLE_KEYS`` at them."""
    served = {
        name: Table(name, physical_name(name), client, definition)
        for name, definition in definitions.items()
    }
    for table in served.values():
        create_table(client, table.physical, table.definition)
    monkeypatch.setenv(TABLES_ENV, json.dumps({name: t.physical for name, t in served.items()}))
    monkeypatch.setenv(TABLE_KEYS_ENV, encode_keys({name: t.keys for name, t in served.items()}))
    return served


@pytest.fixture
def tables(
    dynamodb_mock: Any,
    table_definitions: Mapping[str, TableDefinition],
    monkeypatch: pytest.MonkeyPatch,
) -> dict[str, Table]:
    """Every table of ``table_definitions``, served by the function, by logical name."""
    return serve_tables(dynamodb_mock, table_definitions, monkeypatch)


@pytest.fixture
def table(tables: dict[str, Table], table_definitions: Mapping[str, TableDefinition]) -> Table:
    """The primary table, fresh, keyed as defined; the stack's other tables are served too."""
    return tables[example_table(table_definitions)]


#: ``run_operation``'s table when none is named: the primary one, if the operation runs there.
PRIMARY = "<primary>"


@pytest.fixture
def run_operation(table: Table) -> Callable[..., Any]:
    """Run one operation as the handler would; returns its result or raises its error.

    A result its ``response=`` schema refuses fails the test (``AssertionError``): the API's
    document promises callers that schema.
    """

    def run(name: str, payload: Any = None, table_name: str | None = PRIMARY) -> Any:
        if table_name == PRIMARY:
            table_name = table.name if _runs_on(name, table) else None
        document: dict[str, Any] = {"operation": name}
        if table_name is not None:
            document["tableName"] = table_name
        if payload is not None:
            document["payload"] = payload
        result = run_direct(document)
        _check_answer(name, result)
        return result

    return run


def _check_answer(name: str, result: Any) -> None:
    """Fail when an operation answers what its own ``response=`` schema refuses."""
    schema = default_registry().get(name).response
    if not isinstance(schema, Mapping):
        return  # none declared, or a DynamoDB call's output, which botocore's parser shapes
    answer = json.loads(json_codec.encode(result))
    try:
        compile_schema(schema, "answer")(answer)
    except InvalidPayloadError as refused:
        raise AssertionError(
            f"{name!r} answered what its response schema refuses: {refused}"
        ) from None


def _runs_on(name: str, table: Table) -> bool:
    """Whether the operation ``name`` runs on ``table`` (an unknown name fails when it runs)."""
    try:
        declared = default_registry().get(name)
    except UnknownOperationError:
        return True
    return (
        declared.needs_table
        and not declared.tables_in_payload
        and declared.serves(table.name, table.keys.indexes)
    )


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
def invoke(aws_environment: None) -> Callable[[Any], Any]:
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
def post(aws_environment: None) -> Callable[..., HttpAnswer]:
    """POST a body to the handler through a REST API proxy event; the HTTP answer back."""

    def send(body: Any, **options: Any) -> HttpAnswer:
        answer = lambda_handler.handler(proxy_event(body, **options), LambdaContext())
        assert set(answer) == {"statusCode", "headers", "body", "isBase64Encoded"}
        assert isinstance(answer["body"], str)
        return HttpAnswer(answer["statusCode"], answer["headers"], answer["body"])

    return send


@pytest.fixture
def http(tables: dict[str, Table]) -> Callable[..., HttpAnswer]:
    """Send a request on a route to the handler, as API Gateway would; the answer back.

    ``http("POST", "/LambdaTable/items", body={"Id": "7"})``; ``body`` may be a
    document or bytes, ``headers`` a list of pairs. The stack's tables are served
    (routes are found from them), fresh for the test.
    """

    def send(
        method: str,
        target: str,
        body: Any = None,
        headers: tuple[tuple[str, str], ...] = (),
    ) -> HttpAnswer:
        raw = body if isinstance(body, bytes) else b"" if body is None else _json_bytes(body)
        event = route_event(
            method,
            target,
            raw,
            request_id=GATEWAY_REQUEST_ID,
            headers=(("Content-Type", "application/json"), *headers),
        )
        answer = lambda_handler.handler(event, LambdaContext())
        assert isinstance(answer["body"], str)
        return HttpAnswer(answer["statusCode"], answer["headers"], answer["body"])

    return send


def _json_bytes(document: Any) -> bytes:
    """A document as a body, numbers as exact as ``Decimal`` holds them."""
    return json_codec.encode(document).encode("utf-8")


IDEMPOTENCY_TABLE = "dynamodb-operations-test-idempotency"


@pytest.fixture
def lambda_context() -> LambdaContext:
    """The fake Lambda context the handler gets: a request id and 25 s of remaining time."""
    return LambdaContext()


@pytest.fixture
def idempotency_table(table: Table, monkeypatch: pytest.MonkeyPatch) -> Table:
    """The function's idempotency records table (hash key ``id``), configured as deployed."""
    create_idempotency_table(table.client, IDEMPOTENCY_TABLE)
    monkeypatch.setenv(IDEMPOTENCY_TABLE_ENV, IDEMPOTENCY_TABLE)
    return Table(IDEMPOTENCY_TABLE, IDEMPOTENCY_TABLE, table.client, IDEMPOTENCY_RECORDS)
