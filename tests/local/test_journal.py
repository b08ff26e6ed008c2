"""The moto engine's journal: what a restart gives back is what was there before it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from local_api.engines import Engine
from local_api.journal import Entry, Journal

#: Each test brings its own server, data or tables: make test spreads them over its workers.
pytestmark = pytest.mark.independent


def client(engine: Engine) -> Any:
    return boto3.client(
        "dynamodb",
        endpoint_url=engine.endpoint,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def everything(dynamodb: Any, table: str) -> dict[str, Any]:
    """What a user could tell apart about a table: its settings, tags and items."""
    described = dynamodb.describe_table(TableName=table)["Table"]
    return {
        "keys": described["KeySchema"],
        "deletion protection": described.get("DeletionProtectionEnabled"),
        "indexes": sorted(
            (index["IndexName"], index["ProvisionedThroughput"]["ReadCapacityUnits"])
            for index in described.get("GlobalSecondaryIndexes", [])
        ),
        "tags": dynamodb.list_tags_of_resource(ResourceArn=described["TableArn"])["Tags"],
        "recovery": dynamodb.describe_continuous_backups(TableName=table)[
            "ContinuousBackupsDescription"
        ]["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"],
        "items": sorted(
            (
                item
                for page in dynamodb.get_paginator("scan").paginate(TableName=table)
                for item in page["Items"]
            ),
            key=lambda item: item["pk"]["S"],
        ),
    }


def test_a_restart_gives_back_settings_tags_and_items_after_compaction(tmp_path):
    with Engine("moto", tmp_path) as engine:
        dynamodb = client(engine)
        dynamodb.create_table(
            TableName="kept",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "g", "AttributeType": "S"},
            ],
            BillingMode="PROVISIONED",
            ProvisionedThroughput={"ReadCapacityUnits": 7, "WriteCapacityUnits": 3},
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "byG",
                    "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"},
                    "ProvisionedThroughput": {"ReadCapacityUnits": 11, "WriteCapacityUnits": 13},
                }
            ],
            DeletionProtectionEnabled=True,
            Tags=[{"Key": "team", "Value": "orders"}],
        )
        dynamodb.update_continuous_backups(
            TableName="kept",
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
        )
        for number in range(60):
            item = {"pk": {"S": f"k{number:02}"}, "g": {"S": "x"}, "b": {"B": b"\x00\x01"}}
            dynamodb.put_item(TableName="kept", Item=item)
        for number in range(30):
            dynamodb.delete_item(TableName="kept", Key={"pk": {"S": f"k{number:02}"}})
        before = everything(dynamodb, "kept")
    journaled = (tmp_path / "journal.jsonl").read_text().count("\n")

    with Engine("moto", tmp_path) as engine:
        after_replay = everything(client(engine), "kept")
    compacted = (tmp_path / "journal.jsonl").read_text().count("\n")
    with Engine("moto", tmp_path) as engine:
        after_compaction = everything(client(engine), "kept")

    assert after_replay == before
    assert after_compaction == before
    assert compacted < journaled


def test_a_refused_write_moto_applied_in_part_comes_back_as_it_was(tmp_path):
    with Engine("moto", tmp_path) as engine:
        dynamodb = client(engine)
        dynamodb.create_table(
            TableName="kept",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        with pytest.raises(ClientError):
            dynamodb.batch_write_item(
                RequestItems={
                    "kept": [
                        {"PutRequest": {"Item": {"pk": {"S": "a"}}}},
                        {"PutRequest": {"Item": {"pk": {"S": "b"}, "n": {"N": "1e200"}}}},
                    ]
                }
            )
        before = everything(dynamodb, "kept")["items"]

    with Engine("moto", tmp_path) as engine:
        assert everything(client(engine), "kept")["items"] == before


def test_a_line_torn_by_a_kill_is_cut_off_and_later_writes_stay_readable(tmp_path):
    journal = Journal(tmp_path).open()
    journal.append(Entry("PutItem", "us-east-1", {"TableName": "t", "Item": {}}))
    journal.close()
    with (tmp_path / "journal.jsonl").open("ab") as torn:
        torn.write(b'{"operation":"PutItem","regi')

    reopened = Journal(tmp_path).open()
    reopened.append(Entry("DeleteItem", "us-east-1", {"TableName": "t", "Key": {}}))
    reopened.close()

    assert [entry.operation for entry in Journal(tmp_path).entries()] == ["PutItem", "DeleteItem"]


def _journal(folder: Path, *lines: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "journal.jsonl").write_text("".join(line + "\n" for line in lines))


def _put(item_id: str, **attributes: Any) -> str:
    item = {"pk": {"S": item_id}, **attributes}
    return (
        Entry("PutItem", "us-east-1", {"TableName": "kept", "Item": item}).line().decode().strip()
    )


CREATE = Entry(
    "CreateTable",
    "us-east-1",
    {
        "TableName": "kept",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
    },
)


def kept_ids(engine: Engine) -> list[str]:
    return sorted(item["pk"]["S"] for item in everything(client(engine), "kept")["items"])


def test_a_line_damaged_by_hand_is_set_aside_and_every_other_item_kept(tmp_path):
    damaged = '{"operation": "PutItem", "region": "us-ea'
    _journal(tmp_path, CREATE.line().decode().strip(), _put("a"), damaged, _put("b"))

    with Engine("moto", tmp_path) as engine:
        assert kept_ids(engine) == ["a", "b"]
        (warning,) = engine.warnings()
    with Engine("moto", tmp_path) as engine:
        assert kept_ids(engine) == ["a", "b"]
        assert engine.warnings() == []

    assert warning.startswith("journal entry 3 is not a journal entry")
    assert str(tmp_path / "journal.set-aside.jsonl") in warning
    (kept,) = (tmp_path / "journal.set-aside.jsonl").read_text().splitlines()
    assert json.loads(kept)["line"] == damaged


@pytest.mark.parametrize(
    "damaged",
    [
        '{"operation": "PutItem", "region": "us-east-1", "body": {}, "status": 1e400}',
        '{"operation": "PutItem", "region": "us-east-1", "body": {"TableName": "kept", '
        '"Item": {"pk": {"S": "deep"}, "m": ' + '{"M": {"a": ' * 3000 + "{}" + "}}" * 3000 + "}}}",
    ],
    ids=["status-out-of-range", "nested-3000-deep"],
)
def test_a_line_no_parser_can_take_is_set_aside_too(tmp_path, damaged):
    _journal(tmp_path, CREATE.line().decode().strip(), _put("a"), damaged, _put("b"))

    with Engine("moto", tmp_path) as engine:
        assert kept_ids(engine) == ["a", "b"]
        (warning,) = engine.warnings()

    assert warning.startswith("journal entry 3 ")


def test_an_entry_now_refused_is_set_aside_and_the_start_succeeds(tmp_path):
    # moto once answered it 200; DynamoDB refuses an empty attribute name, as the engine now does.
    _journal(tmp_path, CREATE.line().decode().strip(), _put("a"), _put("bad", **{"": {"N": "1"}}))

    with Engine("moto", tmp_path) as engine:
        assert kept_ids(engine) == ["a"]
        (warning,) = engine.warnings()

    assert warning.startswith(
        "journal entry 3 (PutItem on kept) was answered 200 and is now answered 400 "
        "(One or more parameter values were invalid: Empty attribute name in the item)"
    )
    (kept,) = (tmp_path / "journal.set-aside.jsonl").read_text().splitlines()
    assert json.loads(json.loads(kept)["line"])["body"]["Item"]["pk"] == {"S": "bad"}


def test_one_refused_item_of_a_compacted_batch_is_set_aside_alone(tmp_path):
    # A restart writes the journal back 25 items a line; one bad item must not take 24 along.
    puts = [{"PutRequest": {"Item": {"pk": {"S": f"i{n:02}"}}}} for n in range(24)]
    puts.insert(10, {"PutRequest": {"Item": {"pk": {"S": "bad"}, "": {"N": "1"}}}})
    batch = Entry("BatchWriteItem", "us-east-1", {"RequestItems": {"kept": puts}})
    _journal(tmp_path, CREATE.line().decode().strip(), batch.line().decode().strip())

    with Engine("moto", tmp_path) as engine:
        assert kept_ids(engine) == [f"i{n:02}" for n in range(24)]
        (warning,) = engine.warnings()
    with Engine("moto", tmp_path) as engine:
        assert len(kept_ids(engine)) == 24

    assert warning.startswith("journal entry 2 (PutItem on kept) was answered 200 and is now")
    (kept,) = (tmp_path / "journal.set-aside.jsonl").read_text().splitlines()
    assert json.loads(json.loads(kept)["line"])["body"]["Item"]["pk"] == {"S": "bad"}


#: Requests DynamoDB refuses that moto once took, leaving tables no restart could read back.
HOSTILE: list[tuple[str, dict[str, Any]]] = [
    ("put_item", {"TableName": "kept", "Item": {"pk": {"S": "h1"}, "": {"N": "1"}}}),
    (
        "update_item",
        {
            "TableName": "kept",
            "Key": {"pk": {"S": "a"}},
            "UpdateExpression": "SET m.#e = :v",
            "ExpressionAttributeNames": {"#e": ""},
            "ExpressionAttributeValues": {":v": {"S": "x"}},
        },
    ),
    (
        "delete_item",
        {
            "TableName": "kept",
            "Key": {"pk": {"S": "a"}},
            "ConditionExpression": "attribute_not_exists(pk) OR 1=1",
        },
    ),
]


def test_two_restarts_in_a_row_keep_every_item_after_hostile_requests(tmp_path):
    with Engine("moto", tmp_path) as engine:
        dynamodb = client(engine)
        dynamodb.create_table(**CREATE.body)
        dynamodb.put_item(TableName="kept", Item={"pk": {"S": "a"}, "m": {"M": {}}})
        nested = {"pk": {"S": "nested"}, "meta": {"M": {"": {"S": "v"}}}}
        dynamodb.put_item(TableName="kept", Item=nested)
        for call, request in HOSTILE:
            with pytest.raises(ClientError) as refused:
                getattr(dynamodb, call)(**request)
            assert refused.value.response["Error"]["Code"] == "ValidationException"
        before = everything(dynamodb, "kept")

    for _ in range(2):
        with Engine("moto", tmp_path) as engine:
            assert everything(client(engine), "kept") == before
            assert engine.warnings() == []

    assert [item["pk"]["S"] for item in before["items"]] == ["a", "nested"]
    assert not (tmp_path / "journal.set-aside.jsonl").exists()
