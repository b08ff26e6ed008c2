"""``make bench``: every speed target, measured side by side, in one run."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench import cold, runtime, throughput, transactions
from infra.project import PROJECT_DIR
from local_api.engines import Engine
from local_api.processes import free_port, stop_process, wait_until_listening
from local_api.table import client_for, create_table

PHYSICAL_TABLE = "bench-LambdaTable"


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    target: str = ""
    met: bool | None = None


def ratio(name: str, value: float, limit: float) -> Figure:
    return Figure(name, value, "x", f"<= {limit}", value <= limit)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200, help="rounds of the warm comparison")
    parser.add_argument(
        "--cold-rounds", type=int, default=25, help="fresh interpreters per variant"
    )
    parser.add_argument("--seconds", type=float, default=3.0, help="seconds per throughput sample")
    options = parser.parse_args()

    figures: list[Figure] = []
    tables = json.dumps({"LambdaTable": PHYSICAL_TABLE})
    runtime.lambda_log_handler()
    with instant_dynamodb() as endpoint:
        os.environ.update(runtime.child_env(endpoint, tables))
        figures += per_request_figures(endpoint, options.rounds)
    with Engine() as dynamodb, tempfile.TemporaryDirectory() as scratch:
        env = runtime.child_env(dynamodb.endpoint, tables)
        os.environ.update(env)
        seed(dynamodb.endpoint)
        figures += tutorial_figures(options.rounds)
        figures += cold_figures(env, options.cold_rounds, Path(scratch))
        figures += throughput_figures(dynamodb.endpoint, options.seconds)
    figures += transaction_figures()

    report(figures)
    return 0 if all(figure.met is not False for figure in figures) else 1


@contextmanager
def instant_dynamodb() -> Iterator[str]:
    """:mod:`bench.instant_dynamodb` in a child process; yields its endpoint."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.instant_dynamodb", str(port)], cwd=PROJECT_DIR
    )
    try:
        wait_until_listening(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process(process, grace_seconds=5)


def per_request_figures(endpoint: str, rounds: int) -> list[Figure]:
    """What the handler adds to a request, against an endpoint that answers at once."""
    warm = runtime.warm_against_botocore(endpoint, PHYSICAL_TABLE, rounds)
    echo = runtime.echo_against_json(max(rounds // 4, 5))
    return [
        Figure("warm read, bare botocore GetItem", warm.median("bare botocore") * 1000, "ms"),
        Figure("warm read, ours (proxy event)", warm.median("ours, proxy") * 1000, "ms"),
        ratio(
            "warm read: ours proxy / bare botocore",
            warm.ratio("ours, proxy", "bare botocore"),
            1.04,
        ),
        Figure(
            "warm read: ours direct / bare botocore",
            warm.ratio("ours, direct", "bare botocore"),
            "x",
        ),
        Figure(
            "declared actions and tables check, per DynamoDB call",
            warm.median("declared check") * 1e9,
            "ns",
        ),
        Figure(
            "declared actions and tables check, share of a warm read",
            warm.ratio("declared check", "ours, proxy") * 100,
            "%",
        ),
        Figure("echo, bare json.loads + json.dumps", echo.median("bare json") * 1e6, "us"),
        Figure("echo, ours (proxy event)", echo.median("ours, echo") * 1e6, "us"),
        ratio("echo: ours proxy / bare json", echo.ratio("ours, echo", "bare json"), 2.5),
    ]


def tutorial_figures(rounds: int) -> list[Figure]:
    """A warm read, ours against the tutorial's handler, on the embedded DynamoDB."""
    tutorial = runtime.warm_against_tutorial(PHYSICAL_TABLE, max(rounds // 4, 5))
    return [
        Figure("warm read, tutorial style (moto)", tutorial.median("tutorial") * 1000, "ms"),
        Figure(
            "warm read: ours direct / tutorial", tutorial.ratio("ours, direct", "tutorial"), "x"
        ),
    ]


def cold_figures(env: dict[str, str], rounds: int, scratch: Path) -> list[Figure]:
    ours, tutorial = runtime.cold_scripts(PHYSICAL_TABLE)
    listed = {"OPERATION_PACKAGES": "operations"}
    plugins = cold.plugin_package(scratch / "plugins")
    archive, archive_bytes = cold.deployed_archive(scratch / "archive")
    site = cold.plugin_distributions(scratch / "site-packages")
    with_plugins = cold.archive_with_plugins(scratch / "archive-10-plugins", site)
    deployed = {"PYTHONDONTWRITEBYTECODE": "1"}
    samples = runtime.cold(
        env,
        rounds,
        {
            "ours": {"script": ours, "env": listed},
            "tutorial": {"script": tutorial},
            "ours + 200 plugins": {
                "script": ours,
                "env": {
                    "PYTHONPATH": str(scratch / "plugins"),
                    "OPERATION_PACKAGES": f"operations,{plugins}",
                },
            },
            "ours, 10 distributions scanned": {"script": ours, "env": {"PYTHONPATH": str(site)}},
            "ours, as deployed": {"script": ours, "cwd": archive, "env": deployed},
            "ours, as deployed with 10 distributions": {
                "script": ours,
                "cwd": with_plugins,
                "env": deployed,
            },
        },
    )
    return [
        Figure("cold start, tutorial style", samples.median("tutorial") * 1000, "ms"),
        Figure("cold start, ours", samples.median("ours") * 1000, "ms"),
        ratio("cold start: ours / tutorial", samples.ratio("ours", "tutorial"), 0.9),
        ratio(
            "cold start: 200 extra plugins / stock",
            samples.ratio("ours + 200 plugins", "ours"),
            1.15,
        ),
        Figure(
            "cold start: as deployed (no bytecode) / tutorial",
            samples.ratio("ours, as deployed", "tutorial"),
            "x",
        ),
        ratio(
            "cold start, deployed: 10 plugin distributions / stock",
            samples.ratio("ours, as deployed with 10 distributions", "ours, as deployed"),
            1.05,
        ),
        Figure(
            "cold start: scanning for 10 distributions / listed",
            samples.ratio("ours, 10 distributions scanned", "ours"),
            "x",
        ),
        Figure("code archive size", archive_bytes / 1024, "KB"),
    ]


def throughput_figures(endpoint: str, seconds: float) -> list[Figure]:
    rates = throughput.measure(endpoint, seconds, rounds=2)
    return [
        Figure("16 clients: local server, read", rates["local server"], "/s"),
        Figure("16 clients: embedded DynamoDB alone, GetItem", rates["dynamodb alone"], "/s"),
        Figure(
            "16 clients: local server / DynamoDB alone",
            rates["local server"] / rates["dynamodb alone"],
            "x",
        ),
    ]


def transaction_figures() -> list[Figure]:
    """A 100-put transaction on a 10,000-item table, and another client's write meanwhile."""
    times = transactions.measure()
    return [
        Figure(
            "TransactWriteItems, 100 puts on a 10,000-item table",
            times.transaction,
            "s",
            "< 1 s",
            times.transaction < 1,
        ),
        Figure(
            f"PutItem sent during it, answered {times.concurrent_put_status}",
            times.concurrent_put,
            "s",
            "< 1 s",
            times.concurrent_put < 1 and times.concurrent_put_status == 200,
        ),
    ]


def seed(endpoint: str) -> None:
    client = client_for(endpoint)
    create_table(client, PHYSICAL_TABLE)
    client.put_item(TableName=PHYSICAL_TABLE, Item={"Id": {"S": "1"}, "name": {"S": "Bob"}})


def report(figures: list[Figure]) -> None:
    width = max(len(figure.name) for figure in figures)
    print(f"{'measure'.ljust(width)}  {'value':>11}  target")
    for figure in figures:
        verdict = "" if figure.met is None else ("  ok" if figure.met else "  MISSED")
        value = f"{figure.value:>8.3f} {figure.unit:<2}"
        print(f"{figure.name.ljust(width)}  {value} {figure.target}{verdict}")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
