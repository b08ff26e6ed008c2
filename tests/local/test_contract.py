"""Contract tests: schemathesis generates requests from /openapi.json and sends them to make serve.

Examples, boundary values and fuzzed bodies, valid and invalid, from the
document the server itself serves. Every answer must be no 5xx, a status the
document lists, and a body of the content type and schema it gives.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.local.conftest import LocalServer, start_server

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,"
CHECKS += "response_schema_conformance"
#: Fuzzed cases per run, beyond the examples and the boundary cases. prod serves dev's
#: operations on dev's tables, behind an API key: fewer cases there check what differs.
FUZZED = {"dev": 200, "prod": 100}


@pytest.fixture(scope="module", params=sorted(FUZZED))
def stack(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def server(stack: str, tmp_path_factory) -> Iterator[LocalServer]:
    """The dev stack (open) and the prod stack (an API key), served locally."""
    served = start_server(
        tmp_path_factory.mktemp("contract"),
        *("--stack", stack, "--api-key", "contract-key", "--no-reload"),
    )
    yield served
    served.stop()


@pytest.mark.slow
def test_every_answer_conforms_to_the_document(server, stack, tmp_path):
    run = subprocess.run(
        [
            *(sys.executable, "-m", "schemathesis.cli", "run", f"{server.base}/openapi.json"),
            *("--url", server.base, "--checks", CHECKS, "--max-examples", str(FUZZED[stack])),
            *("--header", "x-api-key: contract-key", "--no-color"),
        ],
        cwd=tmp_path,  # schemathesis keeps a cache of what it found in .schemathesis/ here
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    report = run.stdout + run.stderr
    assert run.returncode == 0, report
    generated = re.search(r"(\d+) generated, (\d+) passed", report)
    assert generated is not None, report
    assert int(generated[1]) == int(generated[2]) >= FUZZED[stack], report
