"""The moto engine's process: moto's DynamoDB, corrected and journaled, on a loopback port.

``python -m local_api.moto_server --port P [--data FOLDER]`` serves moto's
DynamoDB backend through :class:`LocalEngine`, which

* answers the mistakes moto gets wrong as DynamoDB does (:mod:`local_api.moto_corrections`),
  and any crash inside moto as a 400 naming moto rather than a 500;
* applies a transaction retried with its ``ClientRequestToken`` once, as DynamoDB
  does (:mod:`local_api.client_request_tokens`);
* with ``--data``, appends each write moto carried out to the folder's journal
  before answering, after replaying it at start (:mod:`local_api.journal`); an
  entry that no longer replays as it was answered is set aside, never a reason
  not to start.

Writes are applied and journaled one at a time, so the journal's order is the
order moto applied them in; reads run concurrently. A write that cannot have its
turn within :data:`WRITE_WAIT_SECONDS` is refused unapplied, as DynamoDB
throttles, rather than applied after its caller gave up. The process exits when
its standard input closes, so a parent killed with ``kill -9`` takes it along.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.test import EnvironBuilder, run_wsgi_app

from function import deadline
from local_api import moto_corrections, moto_fixes, moto_transactions
from local_api.client_request_tokens import ClientRequestTokens, TokenReusedError
from local_api.journal import Entry, Journal, JournalError, SetAside

TARGET_PREFIX = "DynamoDB_20120810."
#: Requests that can change tables or items: applied one at a time, and journaled.
#: Backups, exports and imports are not: their names are random, so they cannot be
#: replayed, and they do not survive a restart.
WRITES = frozenset(
    {
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "BatchWriteItem",
        "TransactWriteItems",
        "ExecuteStatement",
        "BatchExecuteStatement",
        "ExecuteTransaction",
        "CreateTable",
        "UpdateTable",
        "DeleteTable",
        "UpdateTimeToLive",
        "UpdateContinuousBackups",
        "TagResource",
        "UntagResource",
    }
)
TABLE_CHANGES = frozenset({"CreateTable", "DeleteTable", "UpdateTable"})
CREDENTIAL_REGION = re.compile(r"Credential=[^/]+/[^/]+/([^/]+)/")
DEFAULT_REGION = "us-east-1"
#: Items per ``BatchWriteItem`` in a compacted journal (DynamoDB's limit).
BATCH = 25
#: How long a write waits for the one before it. Well under the function's read
#: timeout (:data:`function.deadline.READ_TIMEOUT_SECONDS`): a write still waiting
#: when its caller has timed out and answered 503 must never be applied after.
WRITE_WAIT_SECONDS = deadline.READ_TIMEOUT_SECONDS / 2
BUSY = (
    "The local engine was busy with other writes for {seconds:g} s and refused this request "
    "unapplied; retry it"
)

#: DynamoDB's answer to a document nested past its 32 levels; here, one too deep to parse.
TOO_DEEP = "Nesting Levels have exceeded supported limits"

StartResponse = Callable[..., Any]
Answer = tuple[str, list[tuple[str, str]], bytes]


class LocalEngine:
    """A WSGI app in front of moto's DynamoDB app: corrections, crash answers, journal."""

    def __init__(
        self,
        moto_app: Any,
        journal: Journal | None = None,
        tokens: ClientRequestTokens[Answer] | None = None,
    ) -> None:
        self.moto_app = moto_app
        self.journal = journal
        self.tokens: ClientRequestTokens[Answer] = (
            tokens if tokens is not None else ClientRequestTokens()
        )
        self._writes = threading.Lock()
        self.write_wait_seconds = WRITE_WAIT_SECONDS
        self._key_types: dict[tuple[str, str], dict[str, str]] = {}

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        operation = environ.get("HTTP_X_AMZ_TARGET", "").rpartition(".")[2]
        raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        region = _region(environ.get("HTTP_AUTHORIZATION", ""))
        try:
            body = json.loads(raw) if raw else {}
            message = (
                moto_corrections.check(operation, body, lambda table: self.key_types(region, table))
                if isinstance(body, dict)
                else None
            )
        except ValueError:
            body, message = None, None
        except RecursionError:
            body, message = None, TOO_DEEP
        if message is not None:
            status, headers, content = _validation_error(message)
            start_response(status, headers)
            return [content]
        environ["wsgi.input"] = io.BytesIO(raw)
        if operation not in WRITES or not isinstance(body, dict):
            status, headers, content = self._moto(environ, operation)
        elif not self._writes.acquire(timeout=self.write_wait_seconds):
            status, headers, content = _error(
                "ThrottlingException", BUSY.format(seconds=self.write_wait_seconds)
            )
        else:
            try:
                status, headers, content = self._write(environ, operation, region, body)
            finally:
                self._writes.release()
        start_response(status, headers)
        return [content]

    def _write(
        self, environ: dict[str, Any], operation: str, region: str, body: dict[str, Any]
    ) -> Answer:
        """A write carried out by moto and journaled, unless its client token answers it."""
        try:
            answered = self.tokens.answer(operation, region, body)
        except TokenReusedError as reused:
            return _error("IdempotentParameterMismatchException", str(reused))
        if answered is not None:
            return answered
        answer = self._moto(environ, operation)
        status = _status(answer[0])
        self._written(Entry(operation, region, body, status))
        if status == 200:
            self.tokens.remember(operation, region, body, answer)
        return answer

    def call(self, region: str, operation: str, body: Mapping[str, Any]) -> tuple[int, Any]:
        """One request made from inside the engine (replay, compaction): status and JSON answer."""
        headers: dict[str, str] = {
            "X-Amz-Target": TARGET_PREFIX + operation,
            "Content-Type": "application/x-amz-json-1.0",
            "Authorization": "AWS4-HMAC-SHA256 Credential=local/20200101/"
            f"{region}/dynamodb/aws4_request, SignedHeaders=host, Signature=local",
        }
        environ = EnvironBuilder(
            method="POST", path="/", headers=list(headers.items()), data=json.dumps(body)
        ).get_environ()
        status, _, content = self._moto(environ, operation)
        return _status(status), json.loads(content or b"{}")

    def key_types(self, region: str, table: str) -> dict[str, str] | None:
        """The types of ``table``'s primary key attributes, from moto's own description of it."""
        cached = self._key_types.get((region, table))
        if cached is not None:
            return cached
        status, answer = self.call(region, "DescribeTable", {"TableName": table})
        if status != 200:
            return None
        description = answer["Table"]
        declared = {
            d["AttributeName"]: d["AttributeType"] for d in description["AttributeDefinitions"]
        }
        types = {
            key["AttributeName"]: declared[key["AttributeName"]] for key in description["KeySchema"]
        }
        self._key_types[(region, table)] = types
        return types

    def _moto(self, environ: dict[str, Any], operation: str) -> Answer:
        try:
            chunks, status, headers = run_wsgi_app(self.moto_app, environ, buffered=True)
            return status, list(headers.items()), b"".join(chunks)
        except Exception as crash:  # noqa: BLE001 - any failure inside moto is moto's, not the caller's
            return _validation_error(moto_corrections.crash_message(operation, crash))

    def _written(self, entry: Entry) -> None:
        """Journal a write moto answered, refused ones too: moto may have applied part of one."""
        if entry.operation in TABLE_CHANGES:
            self._key_types.pop((entry.region, str(entry.body.get("TableName"))), None)
        if self.journal is not None:
            self.journal.append(entry)

    def replay(self, entries: Iterable[Entry | SetAside]) -> list[SetAside]:
        """Apply journaled writes again, in order; those not answered as they were, set aside.

        An entry answered otherwise now (a write moto once took and the corrections
        now refuse, a line damaged by hand) is left out rather than stopping the
        start: every other table and item is kept.
        """
        set_aside: list[SetAside] = []
        for entry in entries:
            if isinstance(entry, SetAside):
                set_aside.append(entry)
                continue
            status, answer = self._replayed(entry)
            if status == entry.status:
                continue
            if entry.operation == "BatchWriteItem" and entry.status == 200:
                # A compacted journal holds 25 items a line: only the refused ones are left out.
                set_aside.extend(self.replay(_single_writes(entry)))
                continue
            set_aside.append(
                SetAside(
                    entry.number,
                    entry.line().decode().rstrip("\n"),
                    f"({entry.operation}{_on_table(entry.body)}) was answered {entry.status} "
                    f"and is now answered {status} ({answer.get('message') or answer})",
                )
            )
        return set_aside

    def _replayed(self, entry: Entry) -> tuple[int, Any]:
        """One journaled write sent again, corrected as it would be if sent now."""
        if entry.operation in TABLE_CHANGES:
            self._key_types.pop((entry.region, str(entry.body.get("TableName"))), None)
        try:
            message = moto_corrections.check(
                entry.operation, entry.body, lambda table: self.key_types(entry.region, table)
            )
            if message is not None:
                return 400, {"message": message}
            return self.call(entry.region, entry.operation, entry.body)
        except RecursionError:
            return 400, {"message": TOO_DEEP}

    def snapshot(self, regions: Iterable[str]) -> Iterator[Entry]:
        """The writes that rebuild every table as it now stands, with its items."""
        for region in sorted(set(regions)):
            for table in self._pages(
                region,
                "ListTables",
                {},
                "TableNames",
                "LastEvaluatedTableName",
                "ExclusiveStartTableName",
            ):
                _, answer = self.call(region, "DescribeTable", {"TableName": table})
                yield Entry("CreateTable", region, _create_request(answer["Table"]))
                yield from self._settings(region, table, answer["Table"]["TableArn"])
                _, ttl = self.call(region, "DescribeTimeToLive", {"TableName": table})
                described = ttl.get("TimeToLiveDescription", {})
                if described.get("TimeToLiveStatus") == "ENABLED":
                    specification = {"Enabled": True, "AttributeName": described["AttributeName"]}
                    yield Entry(
                        "UpdateTimeToLive",
                        region,
                        {"TableName": table, "TimeToLiveSpecification": specification},
                    )
                batch: list[Any] = []
                for item in self._pages(
                    region,
                    "Scan",
                    {"TableName": table},
                    "Items",
                    "LastEvaluatedKey",
                    "ExclusiveStartKey",
                ):
                    batch.append({"PutRequest": {"Item": item}})
                    if len(batch) == BATCH:
                        yield Entry("BatchWriteItem", region, {"RequestItems": {table: batch}})
                        batch = []
                if batch:
                    yield Entry("BatchWriteItem", region, {"RequestItems": {table: batch}})

    def _settings(self, region: str, table: str, arn: str) -> Iterator[Entry]:
        """The writes that give a table its tags and point-in-time recovery back."""
        tags = list(
            self._pages(
                region, "ListTagsOfResource", {"ResourceArn": arn}, "Tags", "NextToken", "NextToken"
            )
        )
        if tags:
            yield Entry("TagResource", region, {"ResourceArn": arn, "Tags": tags})
        _, backups = self.call(region, "DescribeContinuousBackups", {"TableName": table})
        recovery = backups.get("ContinuousBackupsDescription", {}).get(
            "PointInTimeRecoveryDescription", {}
        )
        if recovery.get("PointInTimeRecoveryStatus") == "ENABLED":
            yield Entry(
                "UpdateContinuousBackups",
                region,
                {
                    "TableName": table,
                    "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
                },
            )

    def _pages(
        self, region: str, operation: str, body: dict[str, Any], field: str, last: str, start: str
    ) -> Iterator[Any]:
        request = dict(body)
        while True:
            _, answer = self.call(region, operation, request)
            yield from answer.get(field, [])
            if last not in answer:
                return
            request[start] = answer[last]


def _create_request(description: Mapping[str, Any]) -> dict[str, Any]:
    """The ``CreateTable`` request that makes a table like the one described."""
    request: dict[str, Any] = {
        "TableName": description["TableName"],
        "KeySchema": description["KeySchema"],
        "AttributeDefinitions": description["AttributeDefinitions"],
    }
    billing = description.get("BillingModeSummary", {}).get("BillingMode", "PAY_PER_REQUEST")
    request["BillingMode"] = billing
    if billing == "PROVISIONED":
        throughput = description.get("ProvisionedThroughput", {})
        request["ProvisionedThroughput"] = {
            "ReadCapacityUnits": throughput.get("ReadCapacityUnits", 1),
            "WriteCapacityUnits": throughput.get("WriteCapacityUnits", 1),
        }
    for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        if description.get(kind):
            request[kind] = [_index_request(index, kind, billing) for index in description[kind]]
    if description.get("DeletionProtectionEnabled"):
        request["DeletionProtectionEnabled"] = True
    encryption = description.get("SSEDescription") or {}
    if encryption.get("Status") == "ENABLED":
        request["SSESpecification"] = {"Enabled": True, "SSEType": encryption.get("SSEType", "KMS")}
        if encryption.get("KMSMasterKeyArn"):
            request["SSESpecification"]["KMSMasterKeyId"] = encryption["KMSMasterKeyArn"]
    stream = description.get("StreamSpecification")
    if stream and stream.get("StreamEnabled"):
        request["StreamSpecification"] = stream
    return request


def _index_request(index: Mapping[str, Any], kind: str, billing: str) -> dict[str, Any]:
    request = {field: index[field] for field in ("IndexName", "KeySchema", "Projection")}
    throughput = index.get("ProvisionedThroughput") or {}
    if kind == "GlobalSecondaryIndexes" and billing == "PROVISIONED":
        request["ProvisionedThroughput"] = {
            "ReadCapacityUnits": throughput.get("ReadCapacityUnits", 1),
            "WriteCapacityUnits": throughput.get("WriteCapacityUnits", 1),
        }
    return request


def _single_writes(batch: Entry) -> Iterator[Entry]:
    """A ``BatchWriteItem`` that succeeded, as one ``PutItem`` or ``DeleteItem`` per request.

    Sending each again is harmless where the batch applied part of itself: a put
    or a delete has the same effect twice.
    """
    for table, requests in (batch.body.get("RequestItems") or {}).items():
        for request in requests if isinstance(requests, list) else ():
            if not isinstance(request, dict):
                continue
            if isinstance(request.get("PutRequest"), dict):
                body = {"TableName": table, **request["PutRequest"]}
                yield Entry("PutItem", batch.region, body, number=batch.number)
            elif isinstance(request.get("DeleteRequest"), dict):
                body = {"TableName": table, **request["DeleteRequest"]}
                yield Entry("DeleteItem", batch.region, body, number=batch.number)


def _on_table(body: Mapping[str, Any]) -> str:
    """`` on Orders`` for a request naming one table; empty for any other."""
    tables = {str(body["TableName"])} if "TableName" in body else set()
    tables |= set(body.get("RequestItems") or {})
    return f" on {', '.join(sorted(tables))}" if tables else ""


def _status(line: str) -> int:
    return int(line.split()[0])


def _validation_error(message: str) -> Answer:
    return _error("ValidationException", message)


def _error(code: str, message: str) -> Answer:
    """DynamoDB's 400 answer with the error ``code``."""
    return (
        "400 Bad Request",
        [("Content-Type", "application/x-amz-json-1.0")],
        moto_corrections.error_body(code, message),
    )


def _region(authorization: str) -> str:
    found = CREDENTIAL_REGION.search(authorization)
    return found.group(1) if found else DEFAULT_REGION


def open_engine(data: Path | None, warn: Callable[[str], None] = lambda line: None) -> LocalEngine:
    """moto's DynamoDB app behind a :class:`LocalEngine`; with ``data``, its journal replayed.

    Each journal entry set aside is kept in the journal's set-aside file and
    named to ``warn``, one line each.
    """
    moto_transactions.install()
    moto_fixes.install()
    from moto.moto_server.werkzeug_app import create_backend_app

    if data is None:
        return LocalEngine(create_backend_app("dynamodb"))
    journal = Journal(data).open()
    engine = LocalEngine(create_backend_app("dynamodb"))
    entries = list(journal.entries())
    set_aside = engine.replay(entries)
    for entry in set_aside:
        journal.set_aside(entry)
        warn(
            f"journal entry {entry.number} {entry.reason}; set aside in "
            f"{journal.set_aside_path}, to send again if it is still wanted"
        )
    regions = {entry.region for entry in entries if isinstance(entry, Entry)}
    snapshot = list(engine.snapshot(regions))
    if set_aside or len(snapshot) < len(entries):
        journal.rewrite(snapshot)
    engine.journal = journal
    return engine


class QuietRequestHandler(WSGIRequestHandler):
    """No line per request: the API server logs its own."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return


def _exit_when_stdin_closes() -> None:
    sys.stdin.buffer.read()
    os._exit(0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local_api.moto_server", description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data", type=Path, help="folder of the journal (default: in memory)")
    options = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    # Watching from the start: a parent gone during a long replay ends this process too.
    threading.Thread(target=_exit_when_stdin_closes, daemon=True).start()
    try:
        engine = open_engine(
            options.data, lambda line: print(f"warning: {line}", file=sys.stderr, flush=True)
        )
    except JournalError as error:
        print(f"error: {error}", file=sys.stderr, flush=True)
        return 2
    server = make_server(
        "127.0.0.1", options.port, engine, threaded=True, request_handler=QuietRequestHandler
    )
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
