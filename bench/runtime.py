"""The Lambda runtime against its baselines: warm reads and cold starts."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from bench.measure import Samples, interleaved
from infra.project import PROJECT_DIR
from local_api.lambda_context import LambdaContext
from local_api.proxy_event import post_event

READ = {"operation": "read", "tableName": "LambdaTable", "payload": {"Key": {"Id": "1"}}}
ECHO = {"operation": "echo", "payload": {"somekey1": "somevalue1", "somekey2": "somevalue2"}}

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
    """A REST API proxy event carrying ``document``, built as the local server builds it."""
    return post_event(json.dumps(document).encode())


def lambda_log_handler() -> logging.Handler:
    """A handler like the Lambda runtime's on the root logger: every record formatted, written.

    Installed for the warm measurements, so the handler's log line costs what it
    costs in Lambda rather than nothing.
    """
    handler = logging.StreamHandler(Path(os.devnull).open("w"))  # noqa: SIM115 - process-long
    handler.setFormatter(
        logging.Formatter(
            "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(message)s\n", "%Y-%m-%dT%H:%M:%S"
        )
    )
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return handler


def warm_against_botocore(endpoint: str, physical_table: str, rounds: int) -> Samples:
    """Seconds per warm read: ours (direct and proxy events) and a reused bare botocore client.

    ``endpoint`` answers at once, so the handler's own cost is what differs. The
    events are built once, outside the timed calls. The check of the read's
    declared actions and tables, which every call of ours makes, is timed alone beside them.
    """
    import botocore.session

    from function import tables
    from function.handler import handler
    from function.registry import default_registry

    read = default_registry().get("read")
    permissions = read.permissions.within(tables.configured().physical_in(read.scope))
    read_params = {"TableName": physical_table, "Key": {"Id": "1"}}

    bare = botocore.session.get_session().create_client("dynamodb", endpoint_url=endpoint)
    proxy = proxy_event(READ)
    context = LambdaContext(timeout_seconds=900)  # Lambda's longest: never the limit here
    assert handler(READ, context)["Item"]["name"] == "Bob"
    assert handler(proxy, context)["statusCode"] == 200
    return interleaved(
        {
            "bare botocore": lambda: bare.get_item(
                TableName=physical_table, Key={"Id": {"S": "1"}}
            ),
            "ours, direct": lambda: handler(READ, context),
            "ours, proxy": lambda: handler(proxy, context),
            "declared check": lambda: permissions.check("GetItem", read_params),
        },
        rounds=rounds,
        calls_per_round=10,
    )


def echo_against_json(rounds: int) -> Samples:
    """Seconds per echo through a proxy event, and for bare ``json.loads`` + ``json.dumps`` of it.

    The bare pair is the least any Lambda handler costs: the runtime parses the
    event and serializes the answer.
    """
    from function.handler import handler

    event = proxy_event(ECHO)
    text = json.dumps(event)
    context = LambdaContext(timeout_seconds=900)  # Lambda's longest: never the limit here
    assert json.loads(handler(event, context)["body"]) == ECHO["payload"]
    return interleaved(
        {
            "bare json": lambda: json.dumps(json.loads(text)),
            "ours, echo": lambda: handler(event, context),
        },
        rounds=rounds,
        calls_per_round=200,
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
            cwd=variant.get("cwd", PROJECT_DIR),
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
