"""The local server's throughput at 16 concurrent clients, next to the embedded DynamoDB's own."""

from __future__ import annotations

import http.client
import json
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import boto3

from infra.project import PROJECT_DIR
from local_api.processes import free_port, stop_process, wait_until_listening

CLIENTS = 16
#: The dev stack's table, which the server creates on the benchmark's DynamoDB.
TABLE = "LambdaTable"


def requests_per_second(call_factory: Callable[[], Callable[[], None]], seconds: float) -> float:
    """Completed calls per second, ``CLIENTS`` threads each calling in a loop."""
    stop = threading.Event()
    counts = [0] * CLIENTS
    start = threading.Barrier(CLIENTS + 1)

    def client(index: int) -> None:
        call = call_factory()
        call()
        start.wait()
        while not stop.is_set():
            call()
            counts[index] += 1

    threads = [threading.Thread(target=client, args=(index,)) for index in range(CLIENTS)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.perf_counter() - began)


def measure(endpoint: str, seconds: float, rounds: int) -> dict[str, float]:
    """Median requests per second: the local server (read) and DynamoDB alone (GetItem).

    Both read the same item from the same embedded DynamoDB, which the server
    is pointed at (it creates the stack's table there). The server does not
    reload, as a served API would not: reloading checks the code's files per request.
    """
    port = free_port()
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "local_api", "serve", "--port", str(port)),
            *("--dynamodb-endpoint", endpoint, "--create-table", "--no-reload"),
        ],
        cwd=PROJECT_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_listening(port, server, timeout_seconds=60, ready=lambda: _answers(port))
        dynamodb = boto3.client("dynamodb", endpoint_url=endpoint)
        dynamodb.put_item(TableName=TABLE, Item={"Id": {"S": "1"}, "name": {"S": "Bob"}})
        body = json.dumps({"operation": "read", "payload": {"Key": {"Id": "1"}}})

        def through_server() -> Callable[[], None]:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

            def call() -> None:
                connection.request(
                    "POST", "/DynamoDBManager", body, {"Content-Type": "application/json"}
                )
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    raise RuntimeError(f"the local server answered {response.status}")

            return call

        def dynamodb_alone() -> Callable[[], None]:
            client = boto3.client("dynamodb", endpoint_url=endpoint)
            return lambda: client.get_item(TableName=TABLE, Key={"Id": {"S": "1"}})

        samples: dict[str, list[float]] = {"local server": [], "dynamodb alone": []}
        for _ in range(rounds):
            samples["local server"].append(requests_per_second(through_server, seconds))
            samples["dynamodb alone"].append(requests_per_second(dynamodb_alone, seconds))
        return {name: statistics.median(values) for name, values in samples.items()}
    finally:
        stop_process(server, grace_seconds=15)


def _answers(port: int) -> bool:
    """Whether the server answers a ping (its tables exist by then)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("POST", "/DynamoDBManager", '{"operation": "ping"}')
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()
