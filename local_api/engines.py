"""The local DynamoDB engines: moto (the default, Python only) or dynalite (Node.js).

Each runs as a child process on a loopback port: the API server and the
database then get a core each instead of sharing one interpreter lock. Given a
data folder, each keeps its tables there across restarts: moto through the
project's journal (:mod:`local_api.journal`), dynalite in LevelDB, natively.
Either child exits when its standard input closes, so a server killed with
``kill -9`` leaves no engine behind holding the port or the folder.

dynalite validates requests as DynamoDB does, so it is the one to check an
answer against (``docs/local-development.md`` lists moto's differences). It
has no transactions and no TTL API. It is installed on first use, at the
versions ``local_api/dynalite/package-lock.json`` pins, into
``.local/dynalite``, which git ignores.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

from infra.project import PROJECT_DIR
from local_api.journal import JOURNAL_FILE
from local_api.processes import NotListeningError, free_port, stop_process, wait_until_listening

#: What ``.local`` holds: the engines' data per stack, and the installed dynalite.
LOCAL_DIR = PROJECT_DIR / ".local"
DATA_DIR = LOCAL_DIR / "data"
DYNALITE_SOURCE = Path(__file__).parent / "dynalite"
DYNALITE_DIR = LOCAL_DIR / "dynalite"
START_TIMEOUT_SECONDS = 60.0
#: moto replays a megabyte of journal (some 7,000 small items) in about 3 s here.
REPLAY_SECONDS_PER_MB = 5.0
LOCK_FILE = "lock"


class EngineError(RuntimeError):
    """An engine could not be installed or started."""


@dataclass(frozen=True)
class Features:
    """What an engine supports beyond the item and table calls every one has."""

    transactions: bool
    time_to_live: bool


FEATURES = {
    "moto": Features(transactions=True, time_to_live=True),
    "dynalite": Features(transactions=False, time_to_live=False),
}
ENGINES = tuple(FEATURES)


def data_folder(root: Path, stack: str, engine: str) -> Path:
    """Where ``engine`` keeps ``stack``'s tables under ``root`` (each engine has its own format)."""
    return root / stack / engine


class Engine:
    """One engine in a child process; a context manager that starts and stops it.

    ``data`` is the folder to keep the tables in; ``None`` keeps them in memory.
    """

    def __init__(self, name: str = "moto", data: Path | None = None) -> None:
        if name not in FEATURES:
            raise EngineError(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")
        self.name = name
        self.data = data
        self.features = FEATURES[name]
        self.port = free_port()
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._lock: IO[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Engine:
        command, env = self._command()
        if self.data is not None:
            self._hold(self.data)
        # Output goes to a file, never to a pipe nobody drains.
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - closed by stop()
        try:
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                env={**os.environ, **env},
                # The child holds the folder's lock too, so the lock lasts as long as it does.
                pass_fds=(self._lock.fileno(),) if self._lock is not None else (),
            )
            wait_until_listening(self.port, self._process, timeout_seconds=self._start_timeout())
        except NotListeningError as error:
            said = self._said_error()
            output = self._output()
            self.stop()
            raise EngineError(said or f"{self.name} {error}: {output}") from None
        except BaseException:
            self.stop()
            raise
        for warning in self.warnings():
            print(f"warning: {warning}", file=sys.stderr, flush=True)
        return self

    def warnings(self) -> list[str]:
        """The ``warning:`` lines the engine printed while starting (an entry set aside)."""
        return [
            line.removeprefix("warning: ")
            for line in self._output(limit=None).splitlines()
            if line.startswith("warning: ")
        ]

    def _start_timeout(self) -> float:
        """Time to start: longer for a large journal, which moto replays before it listens."""
        journal = self.data / JOURNAL_FILE if self.data is not None else None
        size = journal.stat().st_size if journal is not None and journal.exists() else 0
        if size > 1_000_000:
            print(
                f"restoring the kept tables ({size / 1e6:.0f} MB) ...", file=sys.stderr, flush=True
            )
        return START_TIMEOUT_SECONDS + REPLAY_SECONDS_PER_MB * size / 1e6

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            if process.stdin is not None:
                process.stdin.close()
            stop_process(process, grace_seconds=5)
        for held in (self._log, self._lock):
            if held is not None:
                held.close()
        self._log = self._lock = None

    def _hold(self, folder: Path) -> None:
        """Lock the data folder for this engine's life: two engines on one folder corrupt it."""
        folder.mkdir(parents=True, exist_ok=True)
        self._lock = (folder / LOCK_FILE).open("ab")
        if fcntl is None:
            return
        try:
            fcntl.flock(self._lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            self._lock = None
            raise EngineError(
                f"{folder} is in use by another local server; stop it, or pass another --data-dir"
            ) from None

    def _command(self) -> tuple[list[str], dict[str, str]]:
        data = [str(self.data)] if self.data is not None else []
        if self.name == "moto":
            options = ["--data", *data] if data else []
            return (
                [sys.executable, "-m", "local_api.moto_server", "--port", str(self.port), *options],
                {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"},
            )
        node = install_dynalite()
        return (
            [node, str(DYNALITE_SOURCE / "server.js"), str(self.port), *data],
            {"NODE_PATH": str(DYNALITE_DIR / "node_modules")},
        )

    def _output(self, limit: int | None = 2000) -> str:
        """What the engine printed so far: its last ``limit`` bytes, or all of it."""
        if self._log is None:
            return ""
        # The child shares the file's offset: read without moving it, or its next line
        # would overwrite what was read.
        fd = self._log.fileno()
        output = os.pread(fd, os.fstat(fd).st_size, 0)
        return output[-limit if limit else 0 :].decode(errors="replace").strip()

    def _said_error(self) -> str | None:
        """The engine's own ``error:`` line, if it printed one."""
        for line in reversed(self._output().splitlines()):
            if line.startswith("error: "):
                return line.removeprefix("error: ")
        return None

    def __enter__(self) -> Engine:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def install_dynalite() -> str:
    """Install dynalite into ``.local/dynalite`` unless its locked versions are there; ``node``."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        raise EngineError("--engine dynalite needs Node.js: node and npm on PATH")
    DYNALITE_DIR.mkdir(parents=True, exist_ok=True)
    with (LOCAL_DIR / "dynalite.lock").open("ab") as held:
        if fcntl is not None:
            fcntl.flock(held.fileno(), fcntl.LOCK_EX)  # one install at a time
        if not _dynalite_installed():
            _install(npm)
    return node


def _dynalite_installed() -> bool:
    copied = DYNALITE_DIR / "package-lock.json"
    return (
        (DYNALITE_DIR / "node_modules" / ".package-lock.json").is_file()
        and copied.is_file()
        and copied.read_bytes() == (DYNALITE_SOURCE / "package-lock.json").read_bytes()
    )


def _install(npm: str) -> None:
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(DYNALITE_SOURCE / name, DYNALITE_DIR / name)
    print("installing dynalite (first use) into .local/dynalite ...", file=sys.stderr, flush=True)
    # Its one native module (LevelDB) ships prebuilt binaries, so no install script runs.
    done = subprocess.run(
        [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=DYNALITE_DIR,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        (DYNALITE_DIR / "package-lock.json").unlink(missing_ok=True)
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise EngineError(f"could not install dynalite with npm: {last}")
