"""A write the moto engine cannot start in time is refused unapplied, never applied late.

The function's DynamoDB client gives up after its read timeout and answers
"retry later"; a write still waiting for the engine then must not happen.
"""

from __future__ import annotations

import threading
from typing import Any

from function import deadline
from local_api.moto_server import WRITE_WAIT_SECONDS, open_engine
from tests.local.engine_requests import new_table, send


def test_the_wait_for_a_write_is_well_inside_the_functions_read_timeout():
    assert WRITE_WAIT_SECONDS <= deadline.READ_TIMEOUT_SECONDS / 2


def test_a_write_held_up_by_a_slow_one_is_refused_and_never_applied():
    engine = open_engine(None)
    engine.write_wait_seconds = 0.2
    table = new_table(engine, "busy")
    moto, started, release = engine.moto_app, threading.Event(), threading.Event()

    def slow_for_the_first_item(environ: dict[str, Any], start_response: Any) -> Any:
        if b'"slow"' in environ["wsgi.input"].getvalue():
            started.set()
            release.wait(10)
        return moto(environ, start_response)

    engine.moto_app = slow_for_the_first_item
    slow = threading.Thread(
        target=send, args=(engine, "PutItem", {"TableName": table, "Item": {"Id": {"S": "slow"}}})
    )
    slow.start()
    try:
        assert started.wait(10)
        status, refusal = send(
            engine, "PutItem", {"TableName": table, "Item": {"Id": {"S": "refused"}}}
        )
    finally:
        release.set()
        slow.join()

    assert status == 400
    assert refusal["__type"].endswith("#ThrottlingException")
    assert "refused this request unapplied" in refusal["message"]
    _, scanned = send(engine, "Scan", {"TableName": table})
    assert [item["Id"]["S"] for item in scanned["Items"]] == ["slow"]
