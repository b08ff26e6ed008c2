"""A real local server (`python -m local_api serve`) in a child process, and a client for it."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from infra.project import PROJECT_DIR
from local_api.engines import ENGINES
from local_api.processes import NotListeningError, free_port, wait_until_listening
from tests.conftest import HttpAnswer

#: A counter bump: sent twice with one idempotency key, it must count once.
VISIT = {
    "operation": "update",
    "tableName": "LambdaTable",
    "payload": {
        "Key": {"Id": "visits"},
        "UpdateExpression": "ADD hits :one",
        "ExpressionAttributeValues": {":one": 1},
        "ReturnValues": "UPDATED_NEW",
    },
}


@dataclass
class LocalServer:
    """A running ``local_api serve``; ``post`` and ``request`` talk to it over HTTP."""

    process: subprocess.Popen[str]
    port: int
    log_path: Path
    stopped: bool = field(default=False)
    #: The x-api-key every request sends unless it names its own, as a caller who
    #: read the banner would (``server.api_key = server.banner_key()``); none by default.
    api_key: str | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def request(
        self,
        method: str,
        path: str,
        body: bytes | str | None = None,
        headers: dict[str, str] | None = None,
    ) -> HttpAnswer:
        headers = dict(headers or {})
        if self.api_key and not any(name.lower() == "x-api-key" for name in headers):
            headers["x-api-key"] = self.api_key
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8")
            return HttpAnswer(
                response.status, {k.lower(): v for k, v in response.getheaders()}, text
            )
        finally:
            connection.close()

    def post(self, document: Any, path: str = "/DynamoDBManager", **headers: str) -> HttpAnswer:
        body = document if isinstance(document, str | bytes) else json.dumps(document)
        return self.request("POST", path, body, {"Content-Type": "application/json", **headers})

    def log(self) -> str:
        return self.log_path.read_text()

    def banner_key(self) -> str | None:
        """The x-api-key the banner tells callers to send; ``None`` where it names none."""
        found = re.search(r"send  x-api-key: (\S+)", self.log())
        return found[1] if found else None

    def stop(self) -> int:
        if not self.stopped:
            self.process.send_signal(signal.SIGINT)
            self.process.wait(timeout=15)
            self.stopped = True
        return self.process.returncode


def start_server(
    tmp: Path,
    *args: str,
    env: dict[str, str] | None = None,
    data_dir: Path | None = None,
    new_session: bool = False,
    project_dir: Path = PROJECT_DIR,
) -> LocalServer:
    """Start ``python -m local_api serve`` on a free port; return once it is serving.

    Its tables are kept in ``data_dir`` (by default a folder of ``tmp``), never in
    the project's own ``.local/data``. With ``new_session`` the server and its
    engine are a process group of their own, which ``os.killpg`` kills at once.
    ``project_dir`` is the project it serves: a copy holding a test's own stack file.
    """
    port = free_port()
    log_path = tmp / f"server-{port}.log"
    log = log_path.open("w")
    data = ["--data-dir", str(data_dir or tmp / "data")]
    process = subprocess.Popen(
        [sys.executable, "-m", "local_api", "serve", "--port", str(port), *data, *args],
        cwd=project_dir,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **(env or {})},
        start_new_session=new_session,
    )
    server = LocalServer(process, port, log_path)
    try:
        wait_until_listening(
            port,
            process,
            timeout_seconds=60,
            ready=lambda: "Ctrl-C to stop." in server.log(),
            describe=lambda: f":\n{server.log()}",
        )
    except NotListeningError as error:
        process.kill()
        raise AssertionError(f"the server {error}") from None
    return server


def _server_fixture(tmp_path_factory: pytest.TempPathFactory, *args: str) -> Iterator[LocalServer]:
    server = start_server(tmp_path_factory.mktemp("server"), *args)
    try:
        yield server
    finally:
        if not server.stopped:
            server.stop()


@pytest.fixture(scope="module", params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """Each local engine in turn: the end-to-end tests run on moto and on dynalite.

    dynalite needs Node.js; without it the dynalite run is skipped, except in CI
    (``CI`` set), where it must run.
    """
    name: str = request.param
    if name == "dynalite":
        require_node()
    return name


def require_node() -> None:
    """Skip a dynalite test where Node.js is missing; fail it in CI, which must run it."""
    if shutil.which("node") is None:
        if os.environ.get("CI"):
            pytest.fail("CI runs the end-to-end suite on dynalite too: install Node.js")
        pytest.skip("dynalite needs Node.js")


@pytest.fixture(scope="module")
def dev_server(tmp_path_factory: pytest.TempPathFactory, engine: str) -> Iterator[LocalServer]:
    """The dev stack served locally: open endpoint, CORS for pages on this machine."""
    yield from _server_fixture(tmp_path_factory, "--stack", "dev", "--engine", engine)


@pytest.fixture(scope="module")
def prod_server(tmp_path_factory: pytest.TempPathFactory, engine: str) -> Iterator[LocalServer]:
    """The prod stack served locally: an API key is required."""
    yield from _server_fixture(
        tmp_path_factory,
        "--engine",
        engine,
        "--stack",
        "prod",
        "--api-key",
        "local-test-key",
        "--cors-origin",
        "https://app.example.com",
    )
