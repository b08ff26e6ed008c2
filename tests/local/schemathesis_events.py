"""What schemathesis's answers were, read from its events file (``run --report ndjson``).

One JSON event a line; each finished scenario (an operation's cases in a phase, or
a stateful sequence) carries its recorder: the cases sent (method and path
template), each one's response and the outcome of each check run on it. The
format is schemathesis's own, as the version uv.lock pins writes it.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: An operation: its method and its path template (``GET``, ``/LambdaTable/items/{Id}``).
Operation = tuple[str, str]
#: The check whose outcome an answer is counted by.
SCHEMA_CHECK = "response_schema_conformance"
#: The envelope's own: its answer against the named operation's (:mod:`.schemathesis_hooks`).
ENVELOPE_CHECK = "envelope_answer_conformance"
ENVELOPE: Operation = ("POST", "/DynamoDBManager")


def answers_by_operation(events: Path) -> defaultdict[Operation, Counter[tuple[int, str | None]]]:
    """For each operation, how many answers of each status had each outcome of the schema
    check (``success``, ``failure``, ``skip``; ``None`` where it did not run)."""
    answers: defaultdict[Operation, Counter[tuple[int, str | None]]] = defaultdict(Counter)
    for case, status, checks in _answered(events):
        answers[case["method"].upper(), case["path"]][status, _outcome(checks, SCHEMA_CHECK)] += 1
    return answers


def envelope_answers(events: Path) -> defaultdict[str, Counter[tuple[int, str | None]]]:
    """For each operation a ``POST /DynamoDBManager`` named, how many answers of each status
    had each outcome of :data:`ENVELOPE_CHECK`."""
    answers: defaultdict[str, Counter[tuple[int, str | None]]] = defaultdict(Counter)
    for case, status, checks in _answered(events):
        body = case.get("body")
        if (case["method"].upper(), case["path"]) != ENVELOPE or not isinstance(body, dict):
            continue
        if isinstance(name := body.get("operation"), str):
            answers[name][status, _outcome(checks, ENVELOPE_CHECK)] += 1
    return answers


def _answered(events: Path) -> Iterator[tuple[dict[str, Any], int, list[dict[str, Any]]]]:
    """Each case that got an answer: the case sent, the answer's status and its checks."""
    with events.open() as lines:
        for line in lines:
            event = json.loads(line)
            if "ScenarioFinished" not in event:
                continue
            recorder = event["ScenarioFinished"]["recorder"]
            for case_id, interaction in recorder.get("interactions", {}).items():
                if interaction.get("response") is None:
                    continue  # the request never got an answer (a network error)
                checks = recorder.get("checks", {}).get(case_id, [])
                case = recorder["cases"][case_id]["value"]
                yield case, interaction["response"]["status_code"], checks


def _outcome(checks: list[dict[str, Any]], name: str) -> str | None:
    outcomes = {check["status"] for check in checks if check["name"] == name}
    return "failure" if "failure" in outcomes else min(outcomes, default=None)
