"""A 100-put ``TransactWriteItems`` on a 10,000-item table, and another client's write meanwhile.

The engine applies writes one at a time, so a slow transaction is also every
other client's wait: the second figure is a ``PutItem`` sent just after the
transaction, on its own connection, timed until it is answered.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from local_api.engines import Engine

TABLE = "bench-Transactions"
ITEMS = 10_000
ACTIONS = 100
#: Items per ``BatchWriteItem`` (DynamoDB's limit).
BATCH = 25
#: How long after the transaction's request is sent the other client sends its write.
HEAD_START_SECONDS = 0.002
#: Stock moto took 27-34 s here: a client patient enough to time it, and not retrying.
PATIENT = Config(read_timeout=600, retries={"total_max_attempts": 1})


@dataclass(frozen=True)
class TransactionTimes:
    """Seconds to answer the transaction, and the other client's write with its HTTP status."""

    transaction: float
    concurrent_put: float
    concurrent_put_status: int


def measure() -> TransactionTimes:
    """Both times on a fresh moto engine, as ``make serve`` runs it (in memory)."""
    with Engine("moto") as engine:
        load(client(engine.endpoint))
        return transaction_and_put(engine.endpoint)


def client(endpoint: str) -> Any:
    """A client of the engine's; credentials are fake, as the engine checks none."""
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        config=PATIENT,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - a local engine takes any key
    )


def load(dynamodb: Any) -> None:
    """The table, with ``ITEMS`` small items written in batches."""
    dynamodb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "Id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "Id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for start in range(0, ITEMS, BATCH):
        requests = [
            {"PutRequest": {"Item": _item(f"loaded-{number}")}}
            for number in range(start, min(start + BATCH, ITEMS))
        ]
        unprocessed: dict[str, Any] = {TABLE: requests}
        while unprocessed:
            unprocessed = dynamodb.batch_write_item(RequestItems=unprocessed)["UnprocessedItems"]


def transaction_and_put(endpoint: str) -> TransactionTimes:
    """One ``ACTIONS``-put transaction with a fresh token, and a ``PutItem`` sent meanwhile."""
    transacting, other = client(endpoint), client(endpoint)
    for warming in (transacting, other):  # connected, and botocore's first-call work done
        warming.get_item(TableName=TABLE, Key={"Id": {"S": "loaded-0"}})
    actions = [{"Put": {"TableName": TABLE, "Item": _item(f"new-{n}")}} for n in range(ACTIONS)]
    put: dict[str, float] = {}
    sent = threading.Event()
    transacting.meta.events.register(
        "before-send.dynamodb.TransactWriteItems", lambda **_: sent.set()
    )

    def put_meanwhile() -> None:
        sent.wait()
        time.sleep(HEAD_START_SECONDS)
        started = time.perf_counter()
        try:
            answer = other.put_item(TableName=TABLE, Item=_item("meanwhile"))
        except ClientError as refused:  # the engine may refuse a write it cannot take in time
            answer = refused.response
        put["seconds"] = time.perf_counter() - started
        put["status"] = answer["ResponseMetadata"]["HTTPStatusCode"]

    thread = threading.Thread(target=put_meanwhile)
    started = time.perf_counter()
    thread.start()
    transacting.transact_write_items(TransactItems=actions, ClientRequestToken=str(uuid.uuid4()))
    transaction = time.perf_counter() - started
    thread.join()
    return TransactionTimes(transaction, put["seconds"], int(put["status"]))


def _item(key: str) -> dict[str, Any]:
    return {"Id": {"S": key}, "name": {"S": "Bob"}, "visits": {"N": "1"}}
