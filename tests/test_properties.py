"""Properties of the whole handler, for any request a caller can make, in both event shapes.

1. Over HTTP every answer is a well-formed response: an int status in 200..599,
   JSON ``Content-Type``, a JSON text body; errors are ``{"message", "type"}``
   (plus ``requestId`` for a 500 only).
2. Whatever the caller sends is answered 2xx or 4xx with a message: never a 500,
   never a traceback.
3. A refused request leaves the tables as they were (the served one and the
   function's own idempotency records).
4. No call leaves the function for a table other than the served one and its
   idempotency records; an unserved table beside them stays untouched.

Direct invocations return a result or raise a 4xx ``RequestError``, nothing else.

moto stands in for DynamoDB. Where moto cannot answer as DynamoDB would, the
``fake`` fixture answers a ``ValidationException`` for it (see :class:`FakeDynamoDB`),
so the handler is judged on DynamoDB's behaviour rather than on moto's gaps.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import hypothesis
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft4Validator
from moto.core.models import botocore_stubber

from function import events, idempotency, json_codec
from function.dynamodb import bounded_client
from function.errors import RequestError
from function.handler import handler
from local_api import moto_corrections
from local_api.table import create_idempotency_table
from tests import strategies as gen
from tests.conftest import (
    IDEMPOTENCY_TABLE,
    PHYSICAL_TABLE,
    LambdaContext,
    Table,
    create_table,
)

#: Each test brings its own server, data or tables: make test spreads them over its workers.
pytestmark = pytest.mark.independent

PROPERTIES = settings(
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=False,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.filter_too_much,
    ],
)

SEEDED = [
    {"Id": "1", "name": "Bob"},
    {"Id": "2", "n": Decimal(5), "tags": {"a", "b"}},
    {"Id": "3", "l": [Decimal(1), "x"], "m": {"k": None, "b": True}},
]
SENTINEL = {"Id": {"S": "sentinel"}, "secret": {"S": "must stay untouched"}}
REACHABLE = frozenset({PHYSICAL_TABLE, IDEMPOTENCY_TABLE})
TRACEBACK_MARKERS = ("Traceback", 'File "', '.py", line')


@dataclass
class Call:
    operation: str
    tables: list[Any]


@dataclass
class FakeDynamoDB:
    """moto behind the function's own client, with every call that leaves the client recorded.

    The plugin's in-process moto already answers most of what moto gets wrong as
    DynamoDB would (:mod:`local_api.moto_corrections`); a crash inside moto is a 400
    naming moto. Such a crash may leave half a write behind (:attr:`moto_failed`),
    so after one the tables are rebuilt instead of compared. moto also names an
    unknown index ``ResourceNotFoundException``, which the fake answers as DynamoDB.
    """

    table: Table
    records: Table
    calls: list[Call] = field(default_factory=list)
    dirty: bool = False
    moto_failed: bool = False
    seeded: list[dict[str, Any]] = field(default_factory=list)

    def record(self, request: Any, **_: Any) -> None:
        self.calls.append(_call_of(request))

    def validating_like_dynamodb(self, process: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def process_request(request: Any) -> Any:
            try:
                answer = process(request)
            except Exception as crash:  # noqa: BLE001 - moto's bug, not the caller's
                self.moto_failed = True
                hypothesis.event("moto crashed; the fake answered ValidationException")
                return _validation_error(f"moto could not process this: {crash!r}"[:300])
            crashed = answer is not None and moto_corrections.CRASHED in str(answer[2])
            if crashed:
                self.moto_failed = True
                hypothesis.event("moto crashed; the engine's corrections answered it")
            if answer is not None and answer[0] == 400 and "Invalid index" in str(answer[2]):
                return _validation_error("The table does not have the specified index")
            return answer

        return process_request

    def unserved_items(self) -> list[dict[str, Any]]:
        return self.table.client.scan(TableName=gen.UNSERVED_PHYSICAL_TABLE)["Items"]

    def start(self) -> None:
        """Forget the last request; rebuild the tables if the last example did not finish."""
        self.calls.clear()
        self.moto_failed = False
        if self.dirty:
            self.rebuild()
        self.dirty = True

    def seed(self) -> None:
        for item in SEEDED:
            self.table.put(item)
        self.seeded = self.snapshot(self.table)

    def snapshot(self, table: Table) -> list[dict[str, Any]]:
        """Every item of ``table`` exactly as DynamoDB holds it (typed, numbers as text)."""
        items = []
        for page in self.table.client.get_paginator("scan").paginate(TableName=table.physical):
            items.extend(page["Items"])
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True, default=str))

    def rebuild(self) -> None:
        """Fresh tables: the served one with just the seeded items, no idempotency records."""
        client = self.table.client
        client.delete_table(TableName=self.table.physical)
        create_table(client, self.table.physical)
        client.delete_table(TableName=self.records.physical)
        create_idempotency_table(client, self.records.physical)
        self.seed()


def _params_of(request: Any) -> Any:
    try:
        return json.loads(request.body or b"{}")
    except ValueError:
        return {}


def _call_of(request: Any) -> Call:
    target = request.headers.get("X-Amz-Target", b"")
    operation = (target.decode() if isinstance(target, bytes) else target).rpartition(".")[2]
    params = _params_of(request)
    named = [params.get("TableName")] if "TableName" in params else []
    named.extend(params.get("RequestItems") or ())
    for item in params.get("TransactItems") or ():
        named.extend(action.get("TableName") for action in item.values())
    return Call(operation=operation, tables=named)


def _validation_error(message: str) -> tuple[int, dict[str, str], str]:
    body = json.dumps(
        {"__type": "com.amazon.coral.validate#ValidationException", "message": message}
    )
    return 400, {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "fake"}, body


@pytest.fixture
def fake(
    table: Table, idempotency_table: Table, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeDynamoDB]:
    """The served table with seeded items, idempotency records, an unserved table, a recorder."""
    fake = FakeDynamoDB(table, idempotency_table)
    create_table(table.client, gen.UNSERVED_PHYSICAL_TABLE)
    table.client.put_item(TableName=gen.UNSERVED_PHYSICAL_TABLE, Item=SENTINEL)
    fake.seed()
    for name in ("function.handler", "function.idempotency"):
        monkeypatch.setattr(logging.getLogger(name), "disabled", True)
    monkeypatch.setattr(
        botocore_stubber,
        "process_request",
        fake.validating_like_dynamodb(botocore_stubber.process_request),
    )
    client_events = bounded_client.client().meta.events
    client_events.register_first("before-send.dynamodb", fake.record, unique_id="recorder")
    try:
        yield fake
    finally:
        client_events.unregister("before-send.dynamodb", unique_id="recorder")


# --- The invariants ------------------------------------------------------------------------


def assert_no_traceback(text: str) -> None:
    for marker in TRACEBACK_MARKERS:
        assert marker not in text, text[:2000]


def strings_in(document: Any) -> Iterator[str]:
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            yield node
        elif isinstance(node, dict):
            stack.extend(node)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def _no_constants(name: str) -> Any:
    raise AssertionError(f"response body has {name}, which is not JSON")


def assert_well_formed(answer: Any) -> tuple[int, Any]:
    """Invariants 1 and 2: the response's shape, a JSON body, a message for every error."""
    assert isinstance(answer, dict)
    assert set(answer) == {"statusCode", "headers", "body", "isBase64Encoded"}
    status = answer["statusCode"]
    assert type(status) is int
    assert 200 <= status <= 599
    headers = answer["headers"]
    assert isinstance(headers, dict)
    assert headers.get("Content-Type") == "application/json"
    assert all(isinstance(value, str) for value in headers.values())
    assert answer["isBase64Encoded"] is False
    body = answer["body"]
    assert isinstance(body, str)
    assert_no_traceback(body)
    document = json.loads(body, parse_float=Decimal, parse_constant=_no_constants)
    for text in strings_in(document):
        assert_no_traceback(text)
    if status >= 400:
        assert isinstance(document, dict), body
        assert set(document) == {"message", "type"} | ({"requestId"} if status == 500 else set())
        assert isinstance(document["message"], str)
        assert document["message"].strip()
        assert isinstance(document["type"], str)
        assert document["type"]
    assert status < 500, body
    return status, document


def assert_confined(fake: FakeDynamoDB, context: Any) -> None:
    """Invariant 4: every call named only the function's tables; the unserved one is intact."""
    stray = [call for call in fake.calls if any(name not in REACHABLE for name in call.tables)]
    assert not stray, (stray, context)
    assert fake.unserved_items() == [SENTINEL]


def assert_unchanged_unless_served(
    fake: FakeDynamoDB, status: int, context: Any
) -> list[dict[str, Any]]:
    """Invariant 3: a refused request changed no table. Returns the served table's items.

    Then puts both tables back as they were, for the next example.
    """
    stored: list[dict[str, Any]] = []
    records: list[dict[str, Any]] = []
    if not fake.moto_failed:
        try:
            stored, records = fake.snapshot(fake.table), fake.snapshot(fake.records)
        except Exception:  # noqa: BLE001 - moto kept an item it cannot read back
            assert 200 <= status < 300, ("a refused request left an unreadable item", context)
            fake.moto_failed = True
    if not fake.moto_failed and not 200 <= status < 300:
        assert stored == fake.seeded, (status, context)
        assert records == [], (status, context)
    if fake.moto_failed or stored != fake.seeded or records:
        fake.rebuild()
    fake.dirty = False
    return stored


@dataclass
class Answer:
    status: int
    document: Any
    headers: dict[str, str]
    stored: list[dict[str, Any]]


def check_http(fake: FakeDynamoDB, request: gen.HttpRequest) -> Answer:
    """Send ``request``; assert invariants 1 to 4; the answer and what the table then held."""
    fake.start()
    answer = handler(request.event, LambdaContext())
    assert_confined(fake, request)
    status, document = assert_well_formed(answer)
    hypothesis.event(f"{status} {document['type'] if status >= 400 else ''}")
    stored = assert_unchanged_unless_served(fake, status, document)
    return Answer(status, document, answer["headers"], stored)


def check_direct(fake: FakeDynamoDB, event: Any) -> Any:
    """The direct-mode contract: a result, or a 4xx ``RequestError`` with a message."""
    fake.start()
    refused: RequestError | None = None
    try:
        result = handler(event, LambdaContext())
    except RequestError as error:
        refused = result = error
    assert_confined(fake, event)
    hypothesis.event(f"{refused.status} {refused.type}" if refused else "result")
    if refused is None:
        json_codec.encode(result)
        assert_unchanged_unless_served(fake, 200, event)
        return result
    assert 400 <= refused.status < 500, (refused, event)
    assert isinstance(refused.message, str)
    assert refused.message.strip()
    assert refused.type
    assert_no_traceback(refused.message)
    assert_unchanged_unless_served(fake, refused.status, event)
    return refused


# --- The strategies themselves -------------------------------------------------------------


@pytest.mark.parametrize("operation", gen.OPERATIONS)
def test_clean_payloads_of_every_registered_operation_are_what_its_schema_accepts(operation):
    """The strategies follow the registry: a schema edit or a new plugin needs no change there."""
    declared = gen.REGISTRY.get(operation)

    @settings(PROPERTIES, max_examples=50)
    @given(payload=gen.CLEAN.shaped[operation])
    def accepted(payload):
        document = json.loads(gen.to_json(payload), parse_float=Decimal)
        assert Draft4Validator(declared.schema).is_valid(document), payload
        declared.validate(document)

    accepted()


# --- HTTP ----------------------------------------------------------------------------------


@pytest.mark.slow
@settings(PROPERTIES, max_examples=800)
@given(request=gen.http_requests(gen.envelope_bodies))
def test_any_envelope_in_any_http_event_gets_a_well_formed_answer_and_stays_confined(fake, request):
    check_http(fake, request)


@settings(PROPERTIES, max_examples=400)
@given(request=gen.http_requests(gen.random_bodies))
def test_any_bytes_or_json_body_gets_a_well_formed_4xx_never_a_500(fake, request):
    answer = check_http(fake, request)

    assert answer.status in (400, 405, 413), answer.document


def storable(number: Decimal) -> bool:
    """DynamoDB's number range: 38 significant digits, magnitudes 1E-130 to 9.99...E+125."""
    if not number.is_finite():
        return False
    digits = "".join(map(str, number.as_tuple().digits)).lstrip("0")
    if not digits:
        return True
    significant = len(digits.rstrip("0"))
    adjusted = number.as_tuple().exponent + len(digits) - 1
    return significant <= 38 and -130 <= adjusted <= 125


def expected_number(literal: str) -> Decimal | int | None:
    """What a JSON number literal means, or ``None`` when DynamoDB cannot store it."""
    try:
        value = json.loads(literal, parse_float=Decimal, parse_constant=float)
    except (ValueError, ArithmeticError):
        return None
    if isinstance(value, float) or not storable(Decimal(value)):
        return None
    return value


@st.composite
def number_requests(draw: st.DrawFn) -> tuple[str, str, gen.HttpRequest]:
    """An echo or a create carrying a number literal of any size or spelling."""
    literal = draw(st.one_of(gen.number_literals(), gen.special_numbers)).text
    operation = draw(st.sampled_from(["echo", "create"]))
    body = (
        '{"operation":"echo","payload":{"n":' + literal + "}}"
        if operation == "echo"
        else '{"operation":"create","payload":{"Item":{"Id":"num","n":' + literal + "}}}"
    )
    return literal, operation, draw(gen.http_requests(st.just(body), faithful=True))


@settings(PROPERTIES, max_examples=300)
@given(case=number_requests())
def test_numbers_of_any_size_or_spelling_are_kept_exactly_or_refused_with_a_400(fake, case):
    literal, operation, request = case
    expected = expected_number(literal)

    answer = check_http(fake, request)

    assert answer.status == (400 if expected is None else 200), (literal[:80], answer.document)
    if expected is None:
        assert answer.document["type"] == "InvalidJson"
    elif operation == "echo":
        assert answer.document == {"n": expected}
    else:
        (item,) = [item for item in answer.stored if item["Id"] == {"S": "num"}]
        assert Decimal(item["n"]["N"]) == expected


def container_depth(opener: str) -> int:
    return opener.count("[") + opener.count("{")


@st.composite
def deeply_nested_requests(draw: st.DrawFn) -> tuple[gen.HttpRequest, int, bool]:
    """Echo requests nesting to a drawn depth: the request, its total depth, whether closed."""
    depth = draw(gen.DEPTHS)
    opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}"), ('[{"a":', "}]")]))
    closed = not draw(gen.one_in(5))
    nested = opener * depth + "0" + (closer * depth if closed else "")
    body = '{"operation":"echo","payload":' + nested + ("}" if closed else "")
    request = draw(gen.http_requests(st.just(body), faithful=True))
    return request, 1 + depth * container_depth(opener), closed


@settings(PROPERTIES, max_examples=150)
@given(case=deeply_nested_requests())
def test_nesting_within_40_levels_is_served_and_deeper_is_a_400_naming_the_limit(fake, case):
    request, depth, closed = case

    answer = check_http(fake, request)

    if closed and depth <= json_codec.MAX_DEPTH:
        assert answer.status == 200
    elif closed:
        assert (answer.status, answer.document["type"]) == (400, "InvalidJson")
        assert "40" in answer.document["message"]
    else:
        assert answer.status == 400


@st.composite
def echo_requests(draw: st.DrawFn) -> tuple[Any, gen.HttpRequest]:
    payload = draw(gen.json_documents(max_leaves=20))
    body = gen.to_json({"operation": "echo", "payload": payload}, ascii_only=draw(st.booleans()))
    return payload, draw(gen.http_requests(st.just(body), faithful=True))


@settings(PROPERTIES, max_examples=150)
@given(case=echo_requests())
def test_echo_answers_any_storable_document_digit_for_digit_or_refuses_it(fake, case):
    payload, request = case

    answer = check_http(fake, request)

    assert answer.status in (200, 400)
    if answer.status == 200:
        sent = json.loads(gen.to_json(payload), parse_float=Decimal)
        assert answer.document == ({} if sent is None else sent)


@st.composite
def retried_requests(draw: st.DrawFn) -> gen.HttpRequest:
    """A plausible request carrying an idempotency key, in the header or the envelope."""
    document = draw(gen.envelopes(gen.CLEAN))
    key = document.pop("idempotencyKey", None) or draw(gen.clean_idempotency_keys)
    in_header = draw(st.booleans())
    if not in_header:
        document["idempotencyKey"] = key
    body = gen.to_json(document, ascii_only=False)
    request = draw(gen.http_requests(st.just(body), faithful=True))
    return gen.HttpRequest(**{**vars(request), "idempotency_key": key if in_header else None})


@settings(PROPERTIES, max_examples=150)
@given(request=retried_requests())
def test_a_retry_with_the_same_idempotency_key_gets_the_same_answer_and_writes_nothing_more(
    fake, request
):
    fake.start()
    first = handler(request.event, LambdaContext())
    assert_confined(fake, request)
    status, document = assert_well_formed(first)
    hypothesis.event(f"{status} {document['type'] if status >= 400 else ''}")
    stored, records = fake.snapshot(fake.table), fake.snapshot(fake.records)

    second = handler(request.event, LambdaContext())

    assert_confined(fake, request)
    assert (second["statusCode"], second["body"]) == (first["statusCode"], first["body"])
    if not fake.moto_failed:
        assert (fake.snapshot(fake.table), fake.snapshot(fake.records)) == (stored, records)
    if 200 <= status < 300 and len(first["body"]) < idempotency.MAX_STORED_RESULT_BYTES:
        assert second["headers"].get("Idempotent-Replayed") == "true"
    assert_unchanged_unless_served(fake, status, request)


# --- Direct --------------------------------------------------------------------------------


@settings(PROPERTIES, max_examples=500)
@given(event=gen.direct_envelopes)
def test_a_direct_envelope_returns_a_result_or_raises_a_4xx_request_error(fake, event):
    check_direct(fake, event)


@settings(PROPERTIES, max_examples=250)
@given(event=st.one_of(gen.runtime_documents(), gen.deep_direct_events()))
def test_any_direct_event_value_returns_a_result_or_raises_a_4xx_request_error(fake, event):
    check_direct(fake, event)


@st.composite
def events_that_look_like_http(draw: st.DrawFn) -> dict[str, Any]:
    """Direct events carrying the keys that make the handler take them for HTTP events."""
    event: dict[str, Any] = {"requestContext": draw(gen.runtime_documents(max_leaves=3))}
    if draw(st.booleans()):
        event["httpMethod"] = draw(st.one_of(st.just("POST"), gen.runtime_scalars))
    else:
        event["version"] = "2.0"
    event["body"] = draw(st.one_of(st.just('{"operation": "ping"}'), gen.runtime_scalars))
    event["isBase64Encoded"] = draw(gen.runtime_scalars)
    if draw(st.booleans()):
        event["headers"] = draw(gen.runtime_documents(max_leaves=3))
    return event


@settings(PROPERTIES, max_examples=150)
@given(event=events_that_look_like_http())
def test_an_http_looking_event_is_served_as_http_or_refused_as_direct(fake, event):
    """With an object as ``requestContext`` it is served as HTTP (always a well-formed
    answer); anything else is a direct event, which a 4xx ``RequestError`` refuses."""
    if not events.is_http(event):
        assert not isinstance(event["requestContext"], dict)
        check_direct(fake, event)
        return
    fake.start()

    answer = handler(event, LambdaContext())

    assert_confined(fake, event)
    status, _ = assert_well_formed(answer)
    assert_unchanged_unless_served(fake, status, event)
