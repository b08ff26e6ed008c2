"""The Lambda runtime against its baselines: warm reads and cold starts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import boto3

from bench.measure import Samples, interleaved

ROOT = Path(__file__).resolve().parents[1]
READ = {"operation": "read", "tableName": "LambdaTable", "payload": {"Key": {"Id": "1"}}}

#: The tutorial's handler style: a boto3 Table resource built per invocation.
TUTORIAL_HANDLER = """
import boto3

def handler(event, context):
    table = boto3.resource("dynamodb").Table(event["tableName"])
    return table.get_item(**event["payload"])
"""

COLD_OURS = """
from function.handler import handler
handler({event}, None)
"""

COLD_TUTORIAL = (
    TUTORIAL_HANDLER
    + """
handler({event}, None)
"""
)


def proxy_event(document: dict[str, Any]) -> dict[str, Any]:
    event = json.loads((ROOT / "tests" / "events" / "rest-api-proxy.json").read_text())
    event["body"] = json.dumps(document)
    return event


def warm_against_boto3(endpoint: str, physical_table: str, rounds: int) -> Samples:
    """Seconds per warm read: ours (direct and proxy events) and a reused bare boto3 client."""
    from function.handler import handler

    bare = boto3.client("dynamodb", endpoint_url=endpoint)
    proxy = proxy_event(READ)
    assert handler(READ, None)["Item"]["name"] == "Bob"
    assert handler(proxy, None)["statusCode"] == 200
    return interleaved(
        {
            "bare boto3": lambda: bare.get_item(TableName=physical_table, Key={"Id": {"S": "1"}}),
            "ours, direct": lambda: handler(READ, None),
            "ours, proxy": lambda: handler(proxy, None),
        },
        rounds=rounds,
        calls_per_round=10,
    )


def warm_against_tutorial(physical_table: str, rounds: int) -> Samples:
    """Seconds per warm read: ours (direct event) and the tutorial's handler."""
    from function.handler import handler

    namespace: dict[str, Any] = {}
    exec(TUTORIAL_HANDLER, namespace)  # noqa: S102 - the baseline is the tutorial's code
    tutorial = namespace["handler"]
    tutorial_event = {**READ, "tableName": physical_table}
    assert tutorial(tutorial_event, None)["Item"]["name"] == "Bob"
    return interleaved(
        {
            "ours, direct": lambda: handler(READ, None),
            "tutorial": lambda: tutorial(tutorial_event, None),
        },
        rounds=rounds,
        calls_per_round=5,
    )


def cold(env: dict[str, str], rounds: int, variants: dict[str, dict[str, Any]]) -> Samples:
    """Seconds for a fresh interpreter to import a handler and serve one read.

    ``variants`` maps a name to ``{"script": ..., "cwd": ..., "env": {...}}``.
    """

    def run(variant: dict[str, Any]) -> None:
        subprocess.run(
            [sys.executable, "-c", variant["script"]],
            cwd=variant.get("cwd", ROOT),
            env={**env, **variant.get("env", {})},
            check=True,
        )

    return interleaved({name: (lambda v=v: run(v)) for name, v in variants.items()}, rounds=rounds)


def cold_scripts(physical_table: str) -> tuple[str, str]:
    ours = textwrap.dedent(COLD_OURS).format(event=repr(READ))
    tutorial = textwrap.dedent(COLD_TUTORIAL).format(
        event=repr({**READ, "tableName": physical_table})
    )
    return ours, tutorial


def child_env(endpoint: str, tables: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTHON"))}
    return {
        **keep,
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT_URL_DYNAMODB": endpoint,
        "TABLES": tables,
    }
