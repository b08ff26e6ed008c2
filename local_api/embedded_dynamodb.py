"""An embedded DynamoDB: moto's server in a child process on a loopback port.

A child process rather than a thread, so the API server and the database each
get a core instead of sharing one interpreter lock.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from types import TracebackType
from typing import IO

from local_api.processes import NotListeningError, free_port, stop_process, wait_until_listening

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
        try:
            wait_until_listening(
                self.port,
                self._process,
                timeout_seconds=START_TIMEOUT_SECONDS,
                describe=lambda: f":\n{self._output()}",
            )
        except NotListeningError as error:
            self.stop()
            raise EmbeddedDynamoDBError(f"moto's server {error}") from None
        return self

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
