"""moto's TransactWriteItems backing up only the items it names: same answers, same rollbacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.dynamodb.models import DynamoDBBackend

from infra.project import PROJECT_DIR
from local_api import moto_transactions

REGION = "us-east-1"
ACCOUNT = "123456789012"
ORDERS = "Orders"
COUNTERS = "Counters"
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
}


def order(pk: str, sk: str, **attributes: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}, **{k: {"S": v} for k, v in attributes.items()}}


def counter(name: str, n: int) -> dict[str, Any]:
    return {"id": {"S": name}, "n": {"N": str(n)}}


#: A transaction touching both tables in every way, whose last action's condition fails.
FAILING_LAST = [
    {"Put": {"TableName": ORDERS, "Item": order("a", "9", status="new")}},
    {"Put": {"TableName": ORDERS, "Item": order("d", "1", status="new")}},
    {"Put": {"TableName": ORDERS, "Item": order("a", "2", status="replaced")}},
    {
        "Update": {
            "TableName": ORDERS,
            "Key": order("a", "1"),
            "UpdateExpression": "SET #s = :s",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {":s": {"S": "shipped"}},
        }
    },
    {"Delete": {"TableName": ORDERS, "Key": order("b", "1")}},
    {"Put": {"TableName": COUNTERS, "Item": counter("z", 1)}},
    {
        "Update": {
            "TableName": COUNTERS,
            "Key": {"id": {"S": "x"}},
            "UpdateExpression": "ADD n :one",
            "ExpressionAttributeValues": {":one": {"N": "1"}},
        }
    },
    {
        "Update": {
            "TableName": COUNTERS,
            "Key": {"id": {"S": "new"}},
            "UpdateExpression": "SET m = :m",
            "ExpressionAttributeValues": {":m": {"S": "made"}},
        }
    },
    {"Delete": {"TableName": COUNTERS, "Key": {"id": {"S": "y"}}}},
    {
        "ConditionCheck": {
            "TableName": ORDERS,
            "Key": order("c", "1"),
            "ConditionExpression": "attribute_not_exists(pk)",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
    },
]
#: Two actions on one item: refused as a whole, after the first actions ran in moto.
TWICE_ON_ONE_ITEM = [
    {"Put": {"TableName": ORDERS, "Item": order("a", "8")}},
    {"Delete": {"TableName": COUNTERS, "Key": {"id": {"S": "x"}}}},
    {"Put": {"TableName": ORDERS, "Item": order("a", "1", status="again")}},
    {"Delete": {"TableName": ORDERS, "Key": order("a", "1")}},
]
SUCCEEDING = FAILING_LAST[:-1]


def outcomes() -> dict[str, Any]:
    """Each transaction's answer and the tables after it, each on freshly seeded tables.

    Run here with the patch installed, and in a child process without it.
    """
    results: dict[str, Any] = {}
    for name, actions in {
        "failing last": FAILING_LAST,
        "twice on one item": TWICE_ON_ONE_ITEM,
        "succeeding": SUCCEEDING,
    }.items():
        with mock_aws():
            client = seeded_client()
            before = tables_state(client)
            try:
                client.transact_write_items(TransactItems=actions)
                answer: dict[str, Any] = {"error": None}
            except ClientError as error:
                answer = {
                    "error": error.response["Error"]["Code"],
                    "message": error.response["Error"]["Message"],
                    "reasons": error.response.get("CancellationReasons"),
                }
            results[name] = {
                "answer": answer,
                "before": before,
                "after": tables_state(client),
            }
    return results


def seeded_client() -> Any:
    client = boto3.client("dynamodb", region_name=REGION)
    client.create_table(
        TableName=ORDERS,
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": name, "AttributeType": "S"} for name in ("pk", "sk", "status")
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "byStatus",
                "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        BillingMode="PAY_PER_REQUEST",
    )
    client.create_table(
        TableName=COUNTERS,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for item in (
        order("a", "1", status="open"),
        order("a", "2", status="open"),
        order("b", "1", status="open"),
        order("c", "1", status="open"),
    ):
        client.put_item(TableName=ORDERS, Item=item)
    for item in (counter("x", 5), counter("y", 7)):
        client.put_item(TableName=COUNTERS, Item=item)
    return client


def tables_state(client: Any) -> dict[str, Any]:
    """What a user can read back: both scans, the index, the stream's length."""
    return {
        ORDERS: client.scan(TableName=ORDERS)["Items"],
        COUNTERS: client.scan(TableName=COUNTERS)["Items"],
        "open orders": client.query(
            TableName=ORDERS,
            IndexName="byStatus",
            KeyConditionExpression="#s = :s",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":s": {"S": "open"}},
        )["Items"],
        "stream records": stream_records(),
    }


def stream_records() -> int:
    from moto.dynamodb.models import dynamodb_backends

    shard = dynamodb_backends[ACCOUNT][REGION].get_table(ORDERS).stream_shard
    return len(shard.items) if shard is not None else 0


@pytest.fixture(scope="module")
def patched() -> Iterator[dict[str, Any]]:
    """The outcomes with the patch installed (in this process: it stays installed)."""
    with pytest.MonkeyPatch.context() as env:
        for name, value in CREDENTIALS.items():
            env.setenv(name, value)
        moto_transactions.install()
        yield outcomes()


def test_a_failed_condition_leaves_every_touched_item_as_it_was(
    patched: dict[str, Any],
) -> None:
    failing = patched["failing last"]
    assert failing["answer"]["error"] == "TransactionCanceledException"
    reasons = failing["answer"]["reasons"]
    assert [reason["Code"] for reason in reasons] == ["None"] * 9 + ["ConditionalCheckFailed"]
    assert reasons[-1]["Item"] == order("c", "1", status="open")
    assert failing["after"] == failing["before"]


def test_two_actions_on_one_item_are_refused_and_undone(patched: dict[str, Any]) -> None:
    twice = patched["twice on one item"]
    assert twice["answer"]["error"] == "ValidationException"
    assert twice["after"] == twice["before"]


def test_a_successful_transaction_applies_every_action(patched: dict[str, Any]) -> None:
    succeeding = patched["succeeding"]
    assert succeeding["answer"]["error"] is None
    after = succeeding["after"]
    orders = {(item["pk"]["S"], item["sk"]["S"]): item["status"]["S"] for item in after[ORDERS]}
    assert orders == {
        ("a", "1"): "shipped",
        ("a", "2"): "replaced",
        ("a", "9"): "new",
        ("c", "1"): "open",
        ("d", "1"): "new",
    }
    counters = {item["id"]["S"]: item.get("n", {}).get("N") for item in after[COUNTERS]}
    assert counters == {"x": "6", "z": "1", "new": None}
    assert after["open orders"] == [order("c", "1", status="open")]
    assert after["stream records"] == succeeding["before"]["stream records"] + 5


def test_answers_and_tables_are_stock_motos(patched: dict[str, Any]) -> None:
    stock = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json; from tests.local.test_moto_transactions import outcomes; "
            "print(json.dumps(outcomes()))",
        ],
        cwd=PROJECT_DIR,
        env={**os.environ, **CREDENTIALS},
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(stock.stdout) == json.loads(json.dumps(patched))


def test_a_moto_that_changed_its_transaction_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    changed = [
        (function, fragment + "changed", why)
        for function, fragment, why in moto_transactions.EXPECTED_SOURCE
    ]
    monkeypatch.setattr(moto_transactions, "EXPECTED_SOURCE", changed)
    with pytest.raises(moto_transactions.IncompatibleMotoError, match="copies whole tables"):
        moto_transactions.check_moto()


def test_installing_twice_wraps_once() -> None:
    moto_transactions.install()
    installed = DynamoDBBackend.transact_write_items
    moto_transactions.install()
    assert DynamoDBBackend.transact_write_items is installed
