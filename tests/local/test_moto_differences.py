"""Each difference docs/local-development.md lists for moto still shows, as the table says.

The rows are read from the page's "What moto still gets wrong" table, and each
is matched with a request sent to the moto engine: a row moto no longer gets
wrong fails its case, and a row added without a case fails the first test.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from infra.project import PROJECT_DIR
from local_api import moto_corrections
from local_api.journal import Entry, Journal
from local_api.moto_server import LocalEngine, open_engine
from tests.local.engine_requests import new_table, send

PAGE = PROJECT_DIR / "docs" / "local-development.md"


def documented_rows() -> list[str]:
    """The first cell of each row of the page's table of what moto still gets wrong."""
    text = PAGE.read_text()
    table = text[text.index("What moto still gets wrong") :].split("\n\n")[1]
    rows = [line for line in table.splitlines() if line.startswith("|")][2:]
    return [row.split("|")[1].strip() for row in rows]


def ids(engine: Any, table: str) -> list[str]:
    _, scanned = send(engine, "Scan", {"TableName": table})
    return sorted(item["Id"]["S"] for item in scanned["Items"])


def unparsable_condition(engine: Any, _: Path) -> None:
    table = new_table(engine, "differences")
    status, answer = send(
        engine,
        "PutItem",
        {"TableName": table, "Item": {"Id": {"S": "a"}}, "ConditionExpression": "AAA"},
    )
    assert status == 400
    assert answer["message"].startswith(
        f"{moto_corrections.CRASHED} PutItem (ValueError: Incomplete condition AAA)"
    )


def exponent_sum(engine: Any, _: Path) -> None:
    table = new_table(engine, "differences")
    send(engine, "PutItem", {"TableName": table, "Item": {"Id": {"S": "a"}, "x": {"N": "100"}}})
    status, answer = send(
        engine,
        "UpdateItem",
        {
            "TableName": table,
            "Key": {"Id": {"S": "a"}},
            "UpdateExpression": "SET x = x + :e",
            "ExpressionAttributeValues": {":e": {"N": "1e-37"}},
        },
    )
    assert status == 400
    assert answer["message"].startswith(f"{moto_corrections.CRASHED} UpdateItem")


def operand_compared_with_itself(engine: Any, _: Path) -> None:
    table = new_table(engine, "differences")
    status, _ = send(
        engine,
        "PutItem",
        {"TableName": table, "Item": {"Id": {"S": "a"}}, "ConditionExpression": "Id = Id"},
    )
    assert status == 200
    assert ids(engine, table) == ["a"]


def consumed_capacity_unasked(engine: Any, _: Path) -> None:
    table = new_table(engine, "differences")
    status, answer = send(
        engine,
        "UpdateItem",
        {
            "TableName": table,
            "Key": {"Id": {"S": "a"}},
            "UpdateExpression": "SET x = :v",
            "ExpressionAttributeValues": {":v": {"N": "1"}},
        },
    )
    assert status == 200
    assert "ConsumedCapacity" in answer
    put = {"Put": {"TableName": table, "Item": {"Id": {"S": "b"}}}}
    status, answer = send(engine, "TransactWriteItems", {"TransactItems": [put]})
    assert status == 200
    assert {"ConsumedCapacity", "ItemCollectionMetrics"} <= set(answer)


def refused_writes_applied_in_part(engine: Any, _: Path) -> None:
    table = new_table(engine, "differences")
    puts = [
        {"PutRequest": {"Item": {"Id": {"S": "before"}}}},
        {"PutRequest": {"Item": {"Id": {"S": "refused"}, "n": {"N": "1e200"}}}},
    ]
    status, _ = send(engine, "BatchWriteItem", {"RequestItems": {table: puts}})
    assert status == 400
    status, _ = send(
        engine,
        "UpdateItem",
        {
            "TableName": table,
            "Key": {"Id": {"S": "big"}},
            "UpdateExpression": "SET x = :v",
            "ExpressionAttributeValues": {":v": {"S": "x" * 410_000}},
        },
    )
    assert status == 400
    assert ids(engine, table) == ["before", "big"]


def backups_not_journaled(_: Any, folder: Path) -> None:
    engine = open_engine(folder)
    table = new_table(engine, "differences")
    status, _ = send(engine, "CreateBackup", {"TableName": table, "BackupName": "kept"})
    assert status == 200
    journaled = [entry.operation for entry in Journal(folder).entries() if isinstance(entry, Entry)]
    assert journaled == ["CreateTable"]


def token_forgotten_by_a_restart(engine: Any, _: Path) -> None:
    table = new_table(engine, "differences")
    transaction = {
        "ClientRequestToken": "one-transaction",
        "TransactItems": [
            {
                "Update": {
                    "TableName": table,
                    "Key": {"Id": {"S": "counter"}},
                    "UpdateExpression": "ADD n :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            }
        ],
    }
    assert send(engine, "TransactWriteItems", transaction)[0] == 200
    assert send(engine, "TransactWriteItems", transaction)[0] == 200
    restarted = LocalEngine(engine.moto_app)  # the same tables, the tokens forgotten
    assert send(restarted, "TransactWriteItems", transaction)[0] == 200
    _, read = send(engine, "GetItem", {"TableName": table, "Key": {"Id": {"S": "counter"}}})
    assert read["Item"]["n"] == {"N": "2"}


#: Each documented row's first cell, and the request that shows it.
CASES: dict[str, Callable[[Any, Path], None]] = {
    "a `ConditionExpression` that does not parse (`AAA`)": unparsable_condition,
    "`ADD x :e` or `SET x = x + :e` with a number in exponent form (`1e-37`)": exponent_sum,
    "a condition comparing an attribute with itself (`Id = Id`)": operand_compared_with_itself,
    "`ConsumedCapacity` on an `update` or a `transact-write`, `ItemCollectionMetrics` on a "
    "`transact-write`, not asked for": consumed_capacity_unasked,
    "a `batch-write` refused part-way (a value moto cannot store), an `update` over 400 KB "
    "on a new key": refused_writes_applied_in_part,
    "backups (`CreateBackup`), exports, imports": backups_not_journaled,
    "a transaction retried with its `ClientRequestToken` across a restart": (
        token_forgotten_by_a_restart
    ),
}


def test_every_documented_difference_has_a_request_that_shows_it():
    assert documented_rows() == list(CASES)


@pytest.mark.parametrize("row", CASES)
def test_the_documented_difference_still_shows(row, tmp_path):
    CASES[row](open_engine(None), tmp_path)
