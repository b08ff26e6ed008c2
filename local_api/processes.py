"""Child processes on loopback ports: a free port, waiting until one listens, stopping cleanly.

Shared by the embedded DynamoDB, the tests that start a real local server and
the benchmark.
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable
from typing import Any


class NotListeningError(RuntimeError):
    """A process exited, or did not listen, before its deadline."""


def free_port() -> int:
    """A loopback TCP port nobody is listening on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_listening(
    port: int,
    process: subprocess.Popen[Any] | None = None,
    *,
    timeout_seconds: float = 30.0,
    ready: Callable[[], bool] | None = None,
    describe: Callable[[], str] = lambda: "",
) -> None:
    """Return once ``127.0.0.1:port`` accepts connections (and ``ready()`` holds, if given).

    Raises :class:`NotListeningError` if ``process`` exits first or time runs out;
    the message ends with ``describe()`` (the process's output, say).
    """
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise NotListeningError(f"exited at start (status {process.returncode}){describe()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        except OSError:
            time.sleep(0.05)
            continue
        if ready is None or ready():
            return
        time.sleep(0.05)
    raise NotListeningError(f"did not listen on 127.0.0.1:{port} in time{describe()}")


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
