"""Starting fails cleanly: one ``error:`` line and status 2; an interrupted setup is completed."""

from __future__ import annotations

import os
import subprocess
import sys

import boto3

from infra.project import PROJECT_DIR
from infra.settings import stack_settings
from local_api import table
from local_api.engines import Engine, data_folder
from local_api.processes import free_port
from tests.conftest import EVENTS
from tests.local.conftest import require_node

FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "local_api", *args],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **FAKE_CREDENTIALS},
    )


def one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: "), done.stderr
    return lines[0]


def test_a_dead_endpoint_is_one_error_line_and_status_2():
    dead = f"http://127.0.0.1:{free_port()}"

    line = one_error_line(run("serve", "--port", str(free_port()), "--dynamodb-endpoint", dead))

    assert line.startswith(f"error: DynamoDB at {dead}: Could not connect")


def test_an_endpoint_without_the_ttl_api_is_one_error_line_naming_the_call():
    require_node()
    with Engine("dynalite") as dynalite:
        done = run(
            "serve",
            "--port",
            str(free_port()),
            "--dynamodb-endpoint",
            dynalite.endpoint,
            "--create-table",
        )

    line = one_error_line(done)
    assert "does not support UpdateTimeToLive" in line
    assert "--engine dynalite" in line


def test_a_setup_interrupted_after_the_tables_exist_is_completed_by_the_next_start():
    with Engine("moto") as moto:
        client = boto3.client(
            "dynamodb", endpoint_url=moto.endpoint, region_name="us-east-1", **_keys()
        )
        for name, definition in stack_settings("dev").tables.items():
            table.create_table(client, name, definition)
        # Stopped after creating the idempotency table, before turning its TTL on.
        table.create_idempotency_table(client, "dev-idempotency", time_to_live=False)

        done = run(
            "invoke",
            "--dynamodb-endpoint",
            moto.endpoint,
            "--create-table",
            "--event",
            str(EVENTS / "ping.json"),
        )

        assert done.returncode == 0, done.stderr
        ttl = client.describe_time_to_live(TableName="dev-idempotency")["TimeToLiveDescription"]
        assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "expiresAt")


def test_kept_data_whose_keys_the_stack_no_longer_declares_is_refused(tmp_path):
    kept = data_folder(tmp_path, "dev", "moto")
    with Engine("moto", kept) as moto:
        client = boto3.client(
            "dynamodb", endpoint_url=moto.endpoint, region_name="us-east-1", **_keys()
        )
        client.create_table(
            TableName="LambdaTable",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "N"}],
            BillingMode="PAY_PER_REQUEST",
        )

    done = run("serve", "--port", str(free_port()), "--data-dir", str(tmp_path))

    line = one_error_line(done)
    assert "'LambdaTable' exists with keys pk (N), but the stack declares Id (S)" in line
    assert "--fresh" in line


def _keys() -> dict[str, str]:
    return {
        "aws_access_key_id": FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    }
