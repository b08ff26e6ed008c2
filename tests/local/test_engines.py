"""The local engines: a stack's data kept across restarts, and callers' mistakes answered as 400s.

Each test runs on moto and on dynalite (the ``engine`` fixture).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.local.conftest import VISIT, LocalServer, start_server

ORDER = {"customerId": "c1", "orderId": "o1", "status": "NEW", "createdAt": "2026-12-02"}


def read(server: LocalServer, table: str, key: dict[str, Any]) -> Any:
    return server.post({"operation": "read", "tableName": table, "payload": {"Key": key}})


def listed_ids(server: LocalServer, table: str = "LambdaTable") -> list[str]:
    ids, payload = [], {"Limit": 500}
    while True:
        page = server.post({"operation": "list", "tableName": table, "payload": payload}).json
        ids += [item["Id"] for item in page["Items"]]
        if "LastEvaluatedKey" not in page:
            return ids
        payload = {"Limit": 500, "ExclusiveStartKey": page["LastEvaluatedKey"]}


def test_every_table_and_the_idempotency_records_come_back_after_ctrl_c(engine, tmp_path):
    data, options = tmp_path / "data", ("--stack", "orders", "--engine", engine)
    first = start_server(tmp_path, *options, data_dir=data)
    # orders requires an API key: its local key is kept too, even by --fresh.
    first.api_key = first.banner_key()
    try:
        created = first.post(
            {"operation": "create", "tableName": "LambdaTable", "payload": {"Item": {"Id": "1"}}}
        )
        ordered = first.post(
            {"operation": "create", "tableName": "Orders", "payload": {"Item": ORDER}}
        )
        visited = first.post(VISIT, **{"Idempotency-Key": "kept-visit"})
        assert (created.status, ordered.status, visited.status) == (200, 200, 200)
        assert "kept in" in first.log()
    finally:
        assert first.stop() == 0

    again = start_server(tmp_path, *options, data_dir=data)
    again.api_key = first.api_key
    try:
        assert read(again, "LambdaTable", {"Id": "1"}).json == {"Item": {"Id": "1"}}
        order_key = {"customerId": "c1", "orderId": "o1"}
        assert read(again, "Orders", order_key).json == {"Item": ORDER}
        retry = again.post(VISIT, **{"Idempotency-Key": "kept-visit"})
        assert retry.headers.get("idempotent-replayed") == "true"
        assert retry.text == visited.text
        assert read(again, "LambdaTable", {"Id": "visits"}).json["Item"]["hits"] == 1
    finally:
        again.stop()

    fresh = start_server(tmp_path, *options, "--fresh", data_dir=data)
    fresh.api_key = first.api_key
    try:
        assert read(fresh, "LambdaTable", {"Id": "1"}).status == 404
        assert fresh.post({"operation": "list", "tableName": "Orders"}).json["Items"] == []
    finally:
        fresh.stop()


def test_a_hard_kill_loses_no_acknowledged_write(engine, tmp_path):
    data, options = tmp_path / "data", ("--stack", "dev", "--engine", engine)
    server = start_server(tmp_path, *options, data_dir=data, new_session=True)
    engine_port = int(re.search(r"at http://127\.0\.0\.1:(\d+)", server.log()).group(1))

    def write(client: int) -> list[str]:
        acknowledged = []
        for number in range(50):
            key = f"kill-{client}-{number:02}"
            answer = server.post({"operation": "create", "payload": {"Item": {"Id": key}}})
            if answer.status == 200:
                acknowledged.append(key)
        return acknowledged

    with ThreadPoolExecutor(4) as pool:
        acknowledged = [key for keys in pool.map(write, range(4)) for key in keys]
    # kill -9 of the server and its engine at once: no clean stop for either.
    os.killpg(server.process.pid, signal.SIGKILL)
    server.process.wait(timeout=10)
    server.stopped = True
    _wait_until_closed(engine_port)

    again = start_server(tmp_path, *options, data_dir=data)
    try:
        assert len(acknowledged) == 200
        assert sorted(listed_ids(again)) == sorted(acknowledged)
    finally:
        again.stop()


def test_a_second_server_on_the_same_data_is_refused_with_one_line(engine, tmp_path):
    data, options = tmp_path / "data", ("--stack", "dev", "--engine", engine)
    first = start_server(tmp_path, *options, data_dir=data)
    try:
        with pytest.raises(AssertionError) as refused:
            start_server(tmp_path, *options, data_dir=data)
        log = str(refused.value)
        errors = [line for line in log.splitlines() if line.startswith("error:")]
        assert len(errors) == 1, log
        assert "Traceback" not in log
        assert first.post({"operation": "ping"}).json == "pong"
    finally:
        first.stop()


def _wait_until_closed(port: int, timeout_seconds: float = 10) -> None:
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"the engine still listens on {port} after its server was killed")


#: Mistakes moto once answered as a 503 "retry later" or a 404, each with DynamoDB's message.
#: moto cannot parse what it fails on, so a syntax error is a 400 that names moto.
SYNTAX_ERROR = {
    "moto": "moto, the local engine, failed on this PutItem (ValueError: Incomplete condition",
    "dynalite": "Invalid ConditionExpression: Syntax error;",
}
MISTAKES: dict[str, tuple[dict[str, Any], str | dict[str, str]]] = {
    "a condition that does not parse": (
        {"Item": {"Id": "m-1"}, "ConditionExpression": "AAA"},
        SYNTAX_ERROR,
    ),
    "SET #n = :v with no names or values": (
        {"Key": {"Id": "m-2"}, "UpdateExpression": "SET #n = :v"},
        "Invalid UpdateExpression: An expression attribute name used in the document path "
        "is not defined; attribute name: #n",
    ),
    "an undefined :v in a condition": (
        {"Item": {"Id": "m-3"}, "ConditionExpression": "attribute_not_exists(Id) OR Id = :v"},
        "Invalid ConditionExpression: An expression attribute value used in expression "
        "is not defined; attribute value: :v",
    ),
    "a key attribute with no value": (
        {"Key": {"Id": {}}},
        "The provided key element does not match the schema",
    ),
    "a number where the key is a string": (
        {"Key": {"Id": 5}},
        "The provided key element does not match the schema",
    ),
    "a condition comparing two numbers": (
        {"Item": {"Id": "m-4"}, "ConditionExpression": "attribute_not_exists(Id) OR 1=1"},
        "Invalid ConditionExpression: Syntax error;",
    ),
    "an empty name in ExpressionAttributeNames": (
        {
            "Key": {"Id": "m-5"},
            "UpdateExpression": "SET #e = :v",
            "ExpressionAttributeNames": {"#e": ""},
            "ExpressionAttributeValues": {":v": 1},
        },
        {
            "moto": "ExpressionAttributeNames contains invalid value: "
            "Empty attribute name for key #e",
            # dynalite reads an empty name as none at all.
            "dynalite": "An expression attribute name used in the document path is not defined",
        },
    ),
    "a starting key of the wrong type": (
        {"ExclusiveStartKey": {"Id": 5}},
        "The provided starting key is invalid: The provided key element does not match the schema",
    ),
}
OPERATION_OF = {"Item": "create", "UpdateExpression": "update", "ExclusiveStartKey": "list"}


@pytest.mark.parametrize("mistake", MISTAKES)
def test_a_callers_mistake_is_a_400_with_dynamodbs_message(dev_server, engine, mistake):
    payload, expected = MISTAKES[mistake]
    message = expected if isinstance(expected, str) else expected[engine]
    operation = next((OPERATION_OF[k] for k in OPERATION_OF if k in payload), "read")

    answer = dev_server.post({"operation": operation, "payload": payload})

    assert (answer.status, answer.json["type"]) == (400, "DynamoDBValidation"), answer.text
    assert message in answer.json["message"]
    written = [key for key in listed_ids(dev_server) if key.startswith("m-")]
    assert written == []


def test_arithmetic_moto_cannot_do_is_a_400_naming_moto_never_a_retry(dev_server, engine):
    dev_server.post({"operation": "create", "payload": {"Item": {"Id": "sum", "x": 100}}})
    add = {
        "operation": "update",
        "payload": {
            "Key": {"Id": "sum"},
            "UpdateExpression": "SET x = x + :e",
            "ExpressionAttributeValues": {":e": 1e-37},
        },
    }

    answer = dev_server.post(add)

    if engine == "moto":
        assert answer.status == 400, answer.text
        assert answer.json["message"].startswith(
            "moto, the local engine, failed on this UpdateItem"
        )
        assert read(dev_server, "LambdaTable", {"Id": "sum"}).json["Item"]["x"] == 100
    else:
        # dynalite keeps all 40 digits, where DynamoDB stops at 38: docs/local-development.md.
        assert answer.status == 200, answer.text


def test_a_map_with_an_empty_key_is_stored_and_read_back(dev_server, engine):
    item = {"Id": "empty-key", "meta": {"": "v", "inner": {"": 1}}}
    created = dev_server.post({"operation": "create", "payload": {"Item": item}})

    assert created.status == 200, created.text
    assert read(dev_server, "LambdaTable", {"Id": "empty-key"}).json == {"Item": item}
    listing = dev_server.post({"operation": "list", "payload": {}})
    assert listing.status == 200, listing.text
    assert item in listing.json["Items"]
