"""Limits: every oversized or overdeep request is a quick 4xx with a message, never a crash.

API Gateway takes bodies up to 10 MB and Lambda events up to 6 MB; DynamoDB items
stop at 400 KB, partition keys at 2048 bytes, nesting at 32 levels (40 with the
envelope). Each limit is answered with its status and a message, in well under
the function's timeout, within the function's memory, without a RecursionError,
and leaves the table as it was.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any

import pytest
import yaml

from function import json_codec
from function.errors import RequestError
from function.events import MAX_BODY_BYTES
from function.handler import handler
from infra.project import PROJECT_DIR
from tests.conftest import LambdaContext, proxy_event
from tests.fake_dynamodb import refusing_endpoint

API_GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024
#: Lambda's limit on a synchronous invocation's payload, the request's and the response's.
LAMBDA_MAX_PAYLOAD_BYTES = 6 * 1024 * 1024
QUICK_SECONDS = 3.0
#: How the function names DynamoDB's number limits when it refuses a number.
NUMBER_LIMITS = (
    f"({json_codec.MAX_SIGNIFICANT_DIGITS} significant digits, "
    f"magnitude 1E{json_codec.MIN_EXPONENT} to 9.9E{json_codec.MAX_EXPONENT})"
)
BOB = {"Id": "1", "name": "Bob"}


def _deployed(name: str) -> int:
    """A function setting's default, as the Pulumi project declares it."""
    config = yaml.safe_load((PROJECT_DIR / "Pulumi.yaml").read_text())["config"]
    return int(config[name]["default"])


MEMORY_MB = _deployed("memorySize")
TIMEOUT_SECONDS = _deployed("timeout")


def timed(send: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    answer = send(*args, **kwargs)
    return answer, time.perf_counter() - started


def padded(prefix: str, suffix: str, size: int, fill: str = "x") -> str:
    """``prefix + fill... + suffix``, exactly ``size`` UTF-8 bytes long."""
    room = size - len((prefix + suffix).encode())
    return prefix + fill * (room // len(fill.encode())) + suffix


def lambda_payload_bytes(document: Any) -> int:
    """How large Lambda's Python 3.12+ runtime makes a value it sends or receives."""
    return len(json.dumps(document, ensure_ascii=False).encode("utf-8"))


# --- Body size ----------------------------------------------------------------------------


@pytest.mark.timing
def test_a_body_over_api_gateways_10_mb_is_a_413_naming_the_limit_without_parsing(table, post):
    table.put(BOB)
    body = padded(
        '{"operation":"create","payload":{"Item":{"Id":"2","x":"',
        '"}}}',
        API_GATEWAY_MAX_BODY_BYTES,
    )

    answer, seconds = timed(post, body)

    assert answer.status == 413
    assert answer.json["type"] == "RequestTooLarge"
    assert str(MAX_BODY_BYTES) in answer.json["message"]
    assert str(len(body)) in answer.json["message"]
    assert seconds < QUICK_SECONDS
    assert table.items() == [BOB]


def test_a_body_one_byte_over_6_mb_is_a_413(table, post):
    body = padded('{"operation":"echo","payload":"', '"}', MAX_BODY_BYTES + 1)

    answer = post(body)

    assert (answer.status, answer.json["type"]) == (413, "RequestTooLarge")
    assert f"{MAX_BODY_BYTES + 1} bytes" in answer.json["message"]


def test_a_base64_body_over_6_mb_once_decoded_is_a_413(table, post):
    body = padded('{"operation":"echo","payload":"', '"}', MAX_BODY_BYTES + 1)

    answer = post(body, base64_body=True)

    assert (answer.status, answer.json["type"]) == (413, "RequestTooLarge")
    assert str(MAX_BODY_BYTES) in answer.json["message"]


@pytest.mark.timing
def test_a_body_of_exactly_6_mb_is_parsed_and_its_item_refused_for_its_size(table, post):
    table.put(BOB)
    body = padded('{"operation":"create","payload":{"Item":{"Id":"2","x":"', '"}}}', MAX_BODY_BYTES)
    assert len(body.encode()) == MAX_BODY_BYTES

    answer, seconds = timed(post, body)

    assert (answer.status, answer.json["type"]) == (400, "DynamoDBValidation")
    assert "size" in answer.json["message"].lower()
    assert seconds < QUICK_SECONDS
    assert table.items() == [BOB]


# --- Nesting ------------------------------------------------------------------------------


@pytest.mark.timing
@pytest.mark.parametrize(
    "opener", ["[", '{"a":', '{"a":[', '[{"":'], ids=["arrays", "objects", "mixed", "empty-keys"]
)
@pytest.mark.parametrize("closed", [False, True], ids=["open", "closed"])
def test_6_mb_of_nesting_is_a_400_naming_the_depth_limit_quickly(table, post, opener, closed):
    closer = "".join({"[": "]", "{": "}"}[char] for char in opener if char in "[{")[::-1]
    depth = MAX_BODY_BYTES // (len(opener) + (len(closer) if closed else 0))
    body = opener * depth + (closer * depth if closed else "")
    recursion_limit = sys.getrecursionlimit()

    answer, seconds = timed(post, body)

    assert (answer.status, answer.json["type"]) == (400, "InvalidJson")
    assert f"deeper than {json_codec.MAX_DEPTH} levels" in answer.json["message"]
    assert seconds < QUICK_SECONDS
    assert sys.getrecursionlimit() == recursion_limit


def _nested(depth: int) -> Any:
    value: Any = "leaf"
    for _ in range(depth):
        value = [value]
    return value


def test_nesting_is_allowed_to_exactly_40_levels_counting_the_envelope(post):
    at_limit = {"operation": "echo", "payload": _nested(json_codec.MAX_DEPTH - 1)}
    over = {"operation": "echo", "payload": _nested(json_codec.MAX_DEPTH)}

    assert post(at_limit).status == 200
    answer = post(over)
    assert (answer.status, answer.json["type"]) == (400, "InvalidJson")
    assert "deeper than 40 levels" in answer.json["message"]


@pytest.mark.timing
@pytest.mark.parametrize("depth", [41, 5_000, 200_000])
def test_a_deeply_nested_direct_event_raises_a_400_without_recursion_error(table, depth):
    event = {"operation": "create", "payload": {"Item": {"Id": "deep", "x": _nested(depth)}}}

    started = time.perf_counter()
    with pytest.raises(RequestError) as raised:
        handler(event, LambdaContext())

    assert time.perf_counter() - started < QUICK_SECONDS
    assert (raised.value.status, raised.value.type) == (400, "InvalidJson")
    assert "deeper than 40 levels" in raised.value.message
    assert table.items() == []


# --- Strings, numbers and items -------------------------------------------------------------


@pytest.mark.timing
def test_a_59_mb_string_is_echoed_within_lambdas_response_limit():
    text = "x" * int(5.9 * 2**20)
    event = proxy_event({"operation": "echo", "payload": text})

    answer, seconds = timed(handler, event, LambdaContext())

    assert answer["statusCode"] == 200
    assert json.loads(answer["body"]) == text
    assert lambda_payload_bytes(answer) <= LAMBDA_MAX_PAYLOAD_BYTES
    assert seconds < QUICK_SECONDS


@pytest.mark.timing
def test_a_59_mb_string_in_an_item_is_a_400_about_its_size(table, post):
    table.put(BOB)

    answer, seconds = timed(
        post, {"operation": "create", "payload": {"Item": {"Id": "2", "x": "x" * int(5.9 * 2**20)}}}
    )

    assert (answer.status, answer.json["type"]) == (400, "DynamoDBValidation")
    assert "size" in answer.json["message"].lower()
    assert seconds < QUICK_SECONDS
    assert table.items() == [BOB]


@pytest.mark.timing
@pytest.mark.parametrize(
    "literal",
    ["1" * (5 * 2**20), "0." + "0" * (5 * 2**20) + "1", "1e" + "9" * (5 * 2**20)],
    ids=["digits", "fraction", "exponent"],
)
def test_a_5_mb_number_is_a_400_quickly(post, literal):
    answer, seconds = timed(post, '{"operation":"echo","payload":' + literal + "}")

    assert (answer.status, answer.json["type"]) == (400, "InvalidJson")
    assert NUMBER_LIMITS in answer.json["message"]
    assert len(answer.text) < 1000
    assert seconds < QUICK_SECONDS


@pytest.mark.parametrize(
    ("document", "kind", "words"),
    [
        ({"operation": "echo", "tableName": "x" * 1025}, "InvalidRequest", "1024 characters"),
        ({"operation": "e" * 65}, "InvalidRequest", "must match pattern"),
        ({"operation": "ping", "idempotencyKey": "k" * 256}, "InvalidRequest", "255 characters"),
        (
            {
                "operation": "create",
                "payload": {"Item": {"Id": "2"}, "ConditionExpression": "a" * 4097},
            },
            "InvalidPayload",
            "4096 characters",
        ),
        (
            {"operation": "create", "payload": {"Item": {"Id": "é" * 1025}}},
            "DynamoDBValidation",
            "2048 bytes",
        ),
        (
            {"operation": "create", "payload": {"Item": {"Id": "2", "x": "é" * 210_000}}},
            "DynamoDBValidation",
            "size",
        ),
        (
            {
                "operation": "create",
                "payload": {"Item": {"Id": "2", "m": {"l": ["x" * 1000] * 410}}},
            },
            "DynamoDBValidation",
            "size",
        ),
        (
            {
                "operation": "create",
                "payload": {"Item": {"Id": "2"} | {f"{i:04}" * 250: 0 for i in range(410)}},
            },
            "DynamoDBValidation",
            "size",
        ),
    ],
    ids=[
        "table-name",
        "operation-name",
        "idempotency-key",
        "expression",
        "partition-key-bytes",
        "item-utf8-bytes",
        "item-nested",
        "item-attribute-names",
    ],
)
def test_each_string_and_item_limit_is_a_400_with_its_message_and_writes_nothing(
    table, post, document, kind, words
):
    table.put(BOB)

    answer = post(document)

    assert (answer.status, answer.json["type"]) == (400, kind), answer.text[:300]
    assert words in answer.json["message"]
    assert table.items() == [BOB]


# --- Responses ----------------------------------------------------------------------------


@pytest.mark.parametrize("char", ["é", "€", "\U0001f600"], ids=["latin", "euro", "emoji"])
def test_an_answer_to_a_request_lambda_accepts_fits_lambdas_response_limit(char):
    """3 MB of non-ASCII text, echoed: the body escapes each character as ``\\uXXXX`` (6 or
    12 bytes for 2 to 4), which Lambda's runtime escapes again, so the echo cannot fit.
    The function says so with a 413 (not a bare 502 from API Gateway) that does fit."""
    text = char * (3 * 2**20 // len(char.encode()))
    event = proxy_event('{"operation":"echo","payload":"' + text + '"}')
    assert lambda_payload_bytes(event) <= LAMBDA_MAX_PAYLOAD_BYTES
    # What the runtime would send for a 200: the echo's body, as a JSON string, unquoted.
    echo_bytes = len(json.dumps(json_codec.encode(text))) - 2

    answer = handler(event, LambdaContext())

    assert echo_bytes > LAMBDA_MAX_PAYLOAD_BYTES
    assert answer["statusCode"] == 413
    assert json.loads(answer["body"]) == {
        "message": f"The answer would be {echo_bytes} bytes, over Lambda's 6 MB response limit; "
        "ask for less (a smaller Limit, a ProjectionExpression)",
        "type": "ResponseTooLarge",
    }
    assert lambda_payload_bytes(answer) <= LAMBDA_MAX_PAYLOAD_BYTES


# --- Memory and time ----------------------------------------------------------------------

MEASURE = """
import json, pathlib, resource, sys, time
from function.handler import handler


def peak_mb():
    status = pathlib.Path("/proc/self/status")
    if status.exists():  # this process's own high-water mark, not one inherited over exec
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


template = json.load(open("tests/events/rest-api-proxy.json"))
handler({**template, "body": '{"operation": "ping"}'}, None)
prefix, unit, suffix = json.loads(sys.argv[1])
count = (int(sys.argv[2]) - len(prefix) - len(suffix)) // len(unit)
event = {**template, "body": prefix + unit.lstrip(",") + unit * (count - 1) + suffix}
started = time.perf_counter()
answer = handler(event, None)
seconds = time.perf_counter() - started
print(json.dumps({"status": answer["statusCode"], "seconds": seconds, "peak_mb": peak_mb(),
                  "body": answer["body"][:200]}))
"""


@pytest.mark.timing
@pytest.mark.parametrize(
    ("shape", "status"),
    [
        (('{"operation":"read","payload":{"Key":{"Id":"1"},"x":[', ",{}", "]}}"), 400),
        (('{"operation":"read","payload":{"Key":{"Id":"1"},"x":[', ",0", "]}}"), 400),
        # Echoed back, 6 MB of values would not fit in a Lambda response: a 413 says so.
        (('{"operation":"echo","payload":[', ",0", "]}"), 413),
        (('{"operation":"echo","payload":{', ',"a":0', "}}"), 200),
    ],
    ids=["refused-2m-objects", "refused-3m-numbers", "echoed-3m-numbers", "1m-duplicate-keys"],
)
def test_a_6_mb_body_of_tiny_values_is_answered_within_the_functions_memory_and_timeout(
    shape, status
):
    """A fresh interpreter holding just the handler and the event, as an execution
    environment does, must answer within the deployed memorySize and timeout."""
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("AWS_")
    } | {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT_URL_DYNAMODB": refusing_endpoint(),
        "TABLES": json.dumps({"LambdaTable": "dynamodb-operations-test-LambdaTable"}),
        "PYTHONPATH": str(PROJECT_DIR),
    }

    run = subprocess.run(
        [sys.executable, "-c", MEASURE, json.dumps(shape), str(MAX_BODY_BYTES)],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    measured = json.loads(run.stdout.strip().splitlines()[-1])

    assert measured["status"] == status, measured
    assert measured["seconds"] < TIMEOUT_SECONDS, measured
    assert measured["peak_mb"] < MEMORY_MB, measured
