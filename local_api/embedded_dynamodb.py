"""An embedded DynamoDB: moto's server in a child process on a loopback port.

A child process rather than a thread, so the API server and the database each
get a core instead of sharing one interpreter lock.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from types import TracebackType
from typing import IO, Any

START_TIMEOUT_SECONDS = 30.0


class EmbeddedDynamoDBError(RuntimeError):
    """moto's server did not start."""


class EmbeddedDynamoDB:
    """moto's DynamoDB on ``127.0.0.1``; a context manager that starts and stops it."""

    def __init__(self, port: int = 0) -> None:
        self.port = port or free_port()
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> EmbeddedDynamoDB:
        # moto writes a line per request: to a file, never to a pipe nobody drains.
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - closed by stop()
        self._process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"},
        )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                output = self._output()
                self.stop()
                raise EmbeddedDynamoDBError(f"moto's server exited at start:\n{output}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
            except OSError:
                time.sleep(0.05)
                continue
            return self
        self.stop()
        raise EmbeddedDynamoDBError(f"moto's server did not listen on {self.endpoint} in time")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            stop_process(process, grace_seconds=5)
        if self._log is not None:
            self._log.close()
            self._log = None

    def _output(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read()[-2000:].decode(errors="replace")

    def __enter__(self) -> EmbeddedDynamoDB:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def stop_process(process: subprocess.Popen[Any], grace_seconds: float) -> None:
    """Ask a child process to stop; kill it if it has not within ``grace_seconds``."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace_seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def free_port() -> int:
    """A loopback TCP port nobody is listening on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
