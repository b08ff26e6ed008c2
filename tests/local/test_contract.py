"""Contract tests: schemathesis generates requests from /openapi.json and sends them to make serve.

Examples, boundary values, fuzzed bodies, valid and invalid, and sequences that
follow the document's links (create an item, then read, replace, update and
delete it), from the document the server itself serves. Every answer must be no
5xx, a status the document lists, and a body of the content type and schema it
gives. And every operation must get its success answer at least once with a body
that passed that check: a run whose requests all end in 4xx never checks the
schema of what the operation answers when it works.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from function.registry import Registry
from infra.project import PROJECT_DIR
from infra.settings import stack_settings
from tests.local.conftest import LocalServer, start_server
from tests.local.schemathesis_events import Operation, answers_by_operation, envelope_answers

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,"
CHECKS += "response_schema_conformance,envelope_answer_conformance"
#: Where schemathesis finds envelope_answer_conformance, our one check of its own.
HOOKS = "tests.local.schemathesis_hooks"
PHASES = "examples,coverage,fuzzing,stateful"
API_KEY = "contract-key"


@dataclass(frozen=True)
class Run:
    """One stack's run: the fuzzed cases per operation (beyond the examples, the boundary
    cases and the stateful sequences) and the paths it tests, where not all."""

    fuzzed: int
    paths: str | None = None


#: prod serves dev's operations on dev's tables, behind an API key: fewer cases there check
#: what differs. orders adds a table with a sort key and an index, a route its own
#: operation declares and the microservice blueprint's resource: those alone, the rest
#: being dev's.
RUNS = {
    "dev": Run(200),
    "prod": Run(100),
    "orders": Run(30, paths="^/(Orders/|lambda-microservice$)"),
}
MANAGER = ("POST", "/DynamoDBManager")
#: This repository's operations, named here as NAMED's routes are.
OWN_OPERATIONS = frozenset(
    {
        *("create", "read", "update", "delete", "list", "query", "echo", "ping"),
        *("batch-get", "batch-write", "transact-get", "transact-write", "orders-by-status"),
    }
)
#: How the document says which operation a route runs.
RUNS_OPERATION = re.compile(r"Runs `([^`]+)`")


def table_routes(items: str, item: str) -> dict[Operation, int]:
    """Each table route kind's success: create, list, read, replace, update and delete."""
    return {
        ("POST", items): 201,
        ("GET", items): 200,
        ("GET", item): 200,
        ("PUT", item): 200,
        ("PATCH", item): 200,
        ("DELETE", item): 204,
    }


#: The operations whose success each run must reach, named here so that a document which
#: lost some fails the test instead of leaving less to check.
NAMED: dict[str, dict[Operation, int]] = {
    "dev": {MANAGER: 200, **table_routes("/LambdaTable/items", "/LambdaTable/items/{Id}")},
    "prod": {MANAGER: 200, **table_routes("/LambdaTable/items", "/LambdaTable/items/{Id}")},
    "orders": {
        **table_routes("/Orders/items", "/Orders/items/{customerId}/{orderId}"),
        ("GET", "/Orders/items/{customerId}"): 200,  # the partition's page
        ("GET", "/Orders/indexes/byStatus/items/{status}"): 200,
        ("GET", "/Orders/by-status/{status}"): 200,  # the route orders-by-status declares
        # the console's microservice blueprint, which the orders stack serves
        **{(method, "/lambda-microservice"): 200 for method in ("GET", "POST", "PUT", "DELETE")},
    },
}


@dataclass
class ContractRun:
    """What one schemathesis run printed and exited with, its events file, and the document
    it tested."""

    returncode: int
    report: str
    events: Path
    document: dict[str, Any]


@pytest.fixture(params=sorted(RUNS))
def stack(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def contract_run(stack: str, tmp_path_factory: pytest.TempPathFactory) -> ContractRun:
    return _run_on(stack, tmp_path_factory)


def _run_on(stack: str, tmp_path_factory: pytest.TempPathFactory) -> ContractRun:
    """schemathesis run on the stack served locally, behind an API key where it has one (dev
    is open), its events (``--report ndjson``) kept for the checks."""
    server = start_server(
        tmp_path_factory.mktemp("contract"),
        *("--stack", stack, "--api-key", API_KEY, "--no-reload"),
    )
    server.api_key = API_KEY
    try:
        return _schemathesis(server, stack, tmp_path_factory)
    finally:
        server.stop()


def _schemathesis(
    server: LocalServer, stack: str, tmp_path_factory: pytest.TempPathFactory
) -> ContractRun:
    where = tmp_path_factory.mktemp("schemathesis")
    # Hypothesis keeps the Unicode tables it derives in .hypothesis/unicode_data, some two
    # seconds of CPU to make: the runs share them, while each keeps its own .schemathesis.
    unicode_tables = tmp_path_factory.getbasetemp() / "hypothesis"
    unicode_tables.mkdir(exist_ok=True)
    (where / ".hypothesis").symlink_to(unicode_tables, target_is_directory=True)
    events = where / "events.ndjson"
    settings = RUNS[stack]
    run = subprocess.run(
        [
            *(sys.executable, "-m", "schemathesis.cli", "run", f"{server.base}/openapi.json"),
            *("--url", server.base, "--checks", CHECKS, "--phases", PHASES),
            *("--max-examples", str(settings.fuzzed)),
            # Hypothesis gives up on an operation whose generated values it mostly throws
            # away (header values with bytes HTTP cannot carry, path segments a URL cannot):
            # a property of the generator and the seed, not of the API, which this run tests.
            "--suppress-health-check=filter_too_much",
            *(("--include-path-regex", settings.paths) if settings.paths else ()),
            *("--header", f"x-api-key: {API_KEY}", "--no-color"),
            *("--report", "ndjson", "--report-ndjson-path", str(events)),
        ],
        cwd=where,  # schemathesis keeps a cache of what it found in .schemathesis/ here
        env={**os.environ, "SCHEMATHESIS_HOOKS": HOOKS, "PYTHONPATH": str(PROJECT_DIR)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    document = json.loads(server.request("GET", "/openapi.json").text)
    return ContractRun(run.returncode, run.stdout + run.stderr, events, document)


@pytest.mark.slow
def test_every_answer_conforms_and_every_operation_gets_its_success(contract_run, stack):
    """One run per stack (it is the costly part) checked thrice. Every answer conforms to the
    document. Each operation the run tests, table routes and declared routes included, got
    the success status the document gives it, with a body that passed
    response_schema_conformance. And each of this repository's operations on the envelope
    got a 200 whose body matched that operation's own answer schema."""
    report = contract_run.report
    assert contract_run.returncode == 0, report
    generated = re.search(r"(\d+) generated, (\d+) passed", report)
    assert generated is not None, report
    assert int(generated[1]) == int(generated[2]) >= RUNS[stack].fuzzed, report

    successes = success_statuses(contract_run.document, RUNS[stack].paths, own_operations(stack))
    answers = answers_by_operation(contract_run.events)
    assert NAMED[stack].items() <= successes.items()
    unreached = {
        f"{method} {path}: no {status} with a conforming body; {describe(answers[method, path])}"
        for (method, path), status in successes.items()
        if answers[method, path][status, "success"] == 0
    }
    assert not unreached, "\n".join(sorted(unreached))

    if MANAGER in successes:
        ours = own_operations(stack)
        by_name = envelope_answers(contract_run.events)
        unanswered = {
            f"{MANAGER[0]} {MANAGER[1]} {name}: no 200 with its x-answer's body; "
            + describe(by_name[name])
            for name in ours
            if by_name[name][200, "success"] == 0
        }
        assert not unanswered, "\n".join(sorted(unanswered))


def own_operations(stack: str) -> set[str]:
    """This repository's operations the stack serves: one a user drops into ``operations/``
    or installs may need data no generated request makes (its answers are still checked
    when they come)."""
    return set(Registry(stack_settings(stack).operation_packages).all()) & OWN_OPERATIONS


def success_statuses(
    document: dict[str, Any], paths: str | None, ours: set[str]
) -> dict[Operation, int]:
    """Each operation of the document (on the paths matching ``paths``) that runs one of
    ``ours`` (each route's description says which: "Runs `create`"), and the envelope: its
    2xx status."""
    found = {}
    for path, item in document["paths"].items():
        if paths is not None and not re.search(paths, path):
            continue
        for method, operation in item.items():
            runs = RUNS_OPERATION.search(operation.get("description", ""))
            if runs is not None and runs[1] not in ours:
                continue  # a route of an installed plugin's operation
            (status,) = (int(code) for code in operation["responses"] if code.startswith("2"))
            found[method.upper(), path] = status
    return found


def describe(answers: Counter[tuple[int, str | None]]) -> str:
    """``answers: 400 x17, 200 x2 (schema check: failure)``: what an operation got."""
    if not answers:
        return "no answers"
    return "answers: " + ", ".join(
        f"{status} x{count}" + ("" if check == "success" else f" (schema check: {check})")
        for (status, check), count in answers.most_common()
    )
