"""The local server under hostile HTTP: thousands of seeded requests, no crash and no 5xx.

The requests come from :mod:`tests.local.http_fuzz`; ``FUZZ_SEED`` picks another
sequence and ``FUZZ_REQUESTS`` a longer (or shorter) run. A failure names the
seed and the request's bytes, and the command that replays it against ``make serve``.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.local.conftest import LocalServer, start_server
from tests.local.http_fuzz import DEFAULT_SEED, Connection, Outcome, connections, send

SEED = int(os.environ.get("FUZZ_SEED") or DEFAULT_SEED)
REQUESTS = int(os.environ.get("FUZZ_REQUESTS") or 2000)
#: Requests between two checks that the server is alive and answers a ping.
BATCH = 100
#: Connections open at once.
THREADS = 4
#: Failed requests a report lists in full.
SHOWN = 8


def fuzz_server(tmp: Path) -> LocalServer:
    """The dev stack on moto, as ``make serve`` runs it."""
    tmp.mkdir(parents=True)
    return start_server(tmp, "--stack", "dev", "--engine", "moto")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LocalServer]:
    served = fuzz_server(tmp_path / "fuzzed")
    try:
        yield served
    finally:
        if served.process.poll() is None:
            served.stop()


def batches(plan: list[Connection]) -> Iterator[list[Connection]]:
    """The run's connections in groups of about ``BATCH`` requests."""
    batch: list[Connection] = []
    for connection in plan:
        batch.append(connection)
        if sum(len(each.requests) for each in batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def pings(server: LocalServer) -> str:
    """Why the server is not serving (it exited, or a ping fails); empty when it is."""
    code = server.process.poll()
    if code is not None:
        return f"the server exited with code {code}{_signal_name(code)}"
    try:
        answer = server.post({"operation": "ping"})
    except OSError as error:
        try:  # a server that just crashed may still be exiting
            code = server.process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            return f"the server is running but a ping failed: {type(error).__name__}: {error}"
        return f"the server exited with code {code}{_signal_name(code)}"
    if answer.status != 200:
        return f"the server is running but a ping got {answer.status}: {answer.text[:200]}"
    code = server.process.poll()
    return "" if code is None else f"the server exited with code {code}{_signal_name(code)}"


def _signal_name(code: int) -> str:
    return (
        f" ({signal.Signals(-code).name})" if code < 0 and -code in signal.valid_signals() else ""
    )


def killer(tmp: Path, batch: list[Connection]) -> tuple[int | None, str]:
    """Which request of ``batch``, sent one connection at a time to a fresh server, stops it."""
    server = fuzz_server(tmp)
    try:
        for connection in batch:
            send(server.port, connection)
            if trouble := pings(server):
                last = connection.requests[-1]
                return last.index, (
                    f"Sent one connection at a time to a fresh server, #{last.index} stopped it"
                    f" ({trouble}):\n  #{last.index} {last.kind}\n    {last.shown()}"
                )
        return None, "Sent one connection at a time to a fresh server, the batch did not stop it."
    finally:
        if server.process.poll() is None:
            server.stop()


def report(
    number: int, trouble: str, found: str, culprit: int | None, failed: list[Outcome]
) -> str:
    """A failure's account: the seed, what went wrong, each failed request's bytes, replay."""
    answered = [outcome for outcome in failed if outcome.status is not None]
    unanswered = [outcome for outcome in failed if outcome.status is None]
    lines = [f"HTTP fuzz, FUZZ_SEED={SEED} FUZZ_REQUESTS={REQUESTS}, batch {number}:"]
    lines += [line for line in (trouble, found) if line]
    if failed:
        lines.append(f"{len(answered)} wrong answer(s), {len(unanswered)} request(s) unanswered:")
    for outcome in (answered + unanswered)[:SHOWN]:
        lines.append(f"  {outcome.describe()}: {'; '.join(outcome.problems)}")
        lines.append(f"    {outcome.request.shown()}")
    if len(failed) > SHOWN:
        lines.append(f"  ... and {len(failed) - SHOWN} more")
    first = culprit if culprit is not None else (answered + unanswered)[0].request.index
    lines.append(
        "Replay against make serve: python -m tests.local.http_fuzz"
        f" --seed {SEED} --count {REQUESTS} --port 3000 --only {first}"
    )
    return "\n".join(lines)


def test_hostile_http_neither_stops_the_server_nor_gets_a_5xx_or_an_html_page(
    server: LocalServer, tmp_path: Path
) -> None:
    with ThreadPoolExecutor(THREADS) as pool:
        for number, batch in enumerate(batches(connections(SEED, REQUESTS)), start=1):
            outcomes = [
                outcome
                for sent in pool.map(lambda connection: send(server.port, connection), batch)
                for outcome in sent
            ]
            failed = [outcome for outcome in outcomes if outcome.problems]
            trouble = pings(server)
            if failed or trouble:
                culprit, found = (
                    killer(tmp_path / f"replay-{number}", batch) if trouble else (None, "")
                )
                log = "\n".join(server.log().splitlines()[-15:])
                pytest.fail(
                    f"{report(number, trouble, found, culprit, failed)}\n"
                    f"The server's log, last lines:\n{log}",
                    pytrace=False,
                )
