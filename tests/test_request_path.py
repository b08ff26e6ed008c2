"""A request's path through the function is the one ``docs/architecture.md`` lists.

The path is recorded, not assumed: a profiler notes each module of the function
(and the operation's) that control passes into while the handler serves a warm
read through an API Gateway event, on the fixtures' moto table.
"""

from __future__ import annotations

import itertools
import re
import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

import pytest

from infra.project import PROJECT_DIR

ARCHITECTURE = PROJECT_DIR / "docs" / "architecture.md"
#: The packages whose modules make the path: the function's, and the operation's.
TRACED = ("function", "operations")


def _traced(frame: FrameType | None) -> str | None:
    module = frame.f_globals.get("__name__", "") if frame is not None else ""
    return module if module.split(".")[0] in TRACED else None


def trace(serve: Callable[[], Any]) -> tuple[list[str], list[tuple[str, str]]]:
    """While ``serve`` runs: the modules control passes between, in order, and every call
    into them as ``(module, function)``."""
    path: list[str] = []
    calls: list[tuple[str, str]] = []

    def enter(module: str | None) -> None:
        if module is not None and (not path or path[-1] != module):
            path.append(module)

    def profile(frame: FrameType, event: str, _: Any) -> None:
        if event == "call" and (module := _traced(frame)) is not None:
            calls.append((module, frame.f_code.co_name))
            enter(module)
        elif event == "return" and _traced(frame) is not None:
            caller = frame.f_back
            while caller is not None and _traced(caller) is None:
                caller = caller.f_back
            enter(_traced(caller))

    sys.setprofile(profile)
    try:
        serve()
    finally:
        sys.setprofile(None)
    return path, calls


def documented_path() -> list[str]:
    """The modules the "How a request flows" section lists, one per numbered item."""
    section = ARCHITECTURE.read_text().split("## How a request flows\n", 1)[1].split("\n## ")[0]
    items = re.findall(r"^\d+\. [^`\n]*`([\w/]+)\.py`", section, re.MULTILINE)
    return [path.replace("/", ".") for path in items]


@pytest.fixture
def warm_read(table, post):
    """Serve a read once (the cold part: imports, schemas, the client), then trace another."""
    table.put({**table.key(1), "name": "Bob"})
    request = {"operation": "read", "tableName": table.name, "payload": {"Key": table.key(1)}}
    assert post(request).status == 200

    answers = []
    path, calls = trace(lambda: answers.append(post(request)))

    assert (answers[0].status, answers[0].json["Item"]["name"]) == (200, "Bob")
    return path, calls


def test_a_read_visits_the_modules_the_architecture_page_lists_in_its_order(warm_read):
    path, _ = warm_read

    assert list(dict.fromkeys(path)) == documented_path()


def test_a_request_reads_its_event_finds_its_operation_and_resolves_its_table_once(warm_read):
    path, calls = warm_read

    assert calls.count(("function.events", "read")) == 1
    assert list(itertools.pairwise(path)).count(("function.handler", "function.registry")) == 1
    assert calls.count(("function.tables", "configured")) == 1
    assert calls.count(("function.tables", "resolve_for")) == 1
