"""The moto engine's journal: every write it acknowledged, one JSON line each, replayed at start.

moto keeps its tables in memory. So that ``make serve`` keeps its data across
restarts, the engine appends each write it carried out to ``journal.jsonl``
before it answers, and replays the file when it starts again.

What a hard stop can lose: a ``kill -9`` of the server loses no acknowledged
write, because the line is in the operating system's hands before the answer
leaves. A crash of the machine itself can lose the lines the operating system
had not yet put on disk (there is no ``fsync`` per write). A line torn by a kill
in mid-append was never acknowledged, and is dropped at replay.

A refused write is journaled too, with its status: moto can apply part of a
request it then refuses (the puts of a batch before the one it fails on), and
replaying it the same way keeps the restarted tables equal to the stopped ones.

An entry that cannot be replayed as it was answered (a line damaged by hand, a
write moto once took that the engine now refuses) never stops a start: it is
appended to ``journal.set-aside.jsonl`` beside the journal, with the reason, and
every other entry is replayed.

After a replay the journal is rewritten as the tables and items now stand, so it
grows with the data, not with its history.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

JOURNAL_FILE = "journal.jsonl"
SET_ASIDE_FILE = "journal.set-aside.jsonl"


class JournalError(RuntimeError):
    """The journal cannot be read back."""


@dataclass(frozen=True)
class Entry:
    """One DynamoDB request: its operation (``PutItem``), region, JSON body and answer's status."""

    operation: str
    region: str
    body: dict[str, Any]
    status: int = 200
    #: Its line in the journal it was read from (1 for the first); 0 for a new one.
    number: int = field(default=0, compare=False)

    def line(self) -> bytes:
        document: dict[str, Any] = {
            "operation": self.operation,
            "region": self.region,
            "body": self.body,
        }
        if self.status != 200:
            document["status"] = self.status
        return (json.dumps(document, separators=(",", ":")) + "\n").encode()


@dataclass(frozen=True)
class SetAside:
    """A journal line left out of a replay: its number, its text, and why."""

    number: int
    line: str
    reason: str

    def record(self) -> bytes:
        """Its line in the set-aside file: when, which entry, why, and the entry's own text."""
        document = {
            "setAside": datetime.now(UTC).isoformat(timespec="seconds"),
            "entry": self.number,
            "reason": self.reason,
            "line": self.line,
        }
        return (json.dumps(document, separators=(",", ":")) + "\n").encode()


class Journal:
    """The append-only journal in ``folder``; one engine at a time uses it (its parent locks it)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / JOURNAL_FILE
        self.set_aside_path = folder / SET_ASIDE_FILE
        self._fd: int | None = None

    def open(self) -> Journal:
        """Open the journal for appends, creating it if need be; a torn last line is cut off."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.path.exists():
            content = self.path.read_bytes()
            whole = content.rfind(b"\n") + 1
            if whole < len(content):
                with self.path.open("r+b") as journal:
                    journal.truncate(whole)
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        return self

    def entries(self) -> Iterator[Entry | SetAside]:
        """The journal's entries in order, a line that is not one as :class:`SetAside`.

        A torn last line and blank lines are left out.
        """
        if not self.path.exists():
            return
        # What follows the last newline was torn by a kill in mid-append: never acknowledged.
        complete = self.path.read_bytes().split(b"\n")[:-1]
        for number, line in enumerate(complete, start=1):
            if not line.strip():
                continue
            try:
                document = json.loads(line)
                entry = Entry(
                    str(document["operation"]),
                    str(document["region"]),
                    document["body"],
                    int(document.get("status", 200)),
                    number,
                )
                if not isinstance(entry.body, dict):
                    raise TypeError("its body is not an object")
                yield entry
            except (ValueError, KeyError, TypeError, OverflowError, RecursionError) as error:
                reason = f"is not a journal entry ({type(error).__name__}: {error})"
                yield SetAside(number, line.decode(errors="replace"), reason)

    def set_aside(self, entry: SetAside) -> None:
        """Keep a line left out of the replay in the set-aside file, after any kept before."""
        with self.set_aside_path.open("ab") as kept:
            kept.write(entry.record())

    def append(self, entry: Entry) -> None:
        """Write one entry; it has reached the operating system when this returns."""
        if self._fd is None:
            raise JournalError("the journal is not open")
        os.write(self._fd, entry.line())

    def rewrite(self, entries: Iterable[Entry]) -> None:
        """Replace the journal by ``entries``, atomically: a crash leaves the old or the new one."""
        staged = self.path.with_suffix(".tmp")
        with staged.open("wb") as out:
            for entry in entries:
                out.write(entry.line())
            out.flush()
            os.fsync(out.fileno())
        staged.replace(self.path)
        if self._fd is not None:
            os.close(self._fd)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
