"""What schemathesis's answers were, read from its events file (``run --report ndjson``).

One JSON event a line; each finished scenario (an operation's cases in a phase, or
a stateful sequence) carries its recorder: the cases sent (method and path
template), each one's response and the outcome of each check run on it. The
format is schemathesis's own, as the version uv.lock pins writes it.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

#: An operation: its method and its path template (``GET``, ``/LambdaTable/items/{Id}``).
Operation = tuple[str, str]
#: The check whose outcome an answer is counted by.
SCHEMA_CHECK = "response_schema_conformance"


def answers_by_operation(events: Path) -> defaultdict[Operation, Counter[tuple[int, str | None]]]:
    """For each operation, how many answers of each status had each outcome of the schema
    check (``success``, ``failure``, ``skip``; ``None`` where it did not run)."""
    answers: defaultdict[Operation, Counter[tuple[int, str | None]]] = defaultdict(Counter)
    with events.open() as lines:
        for line in lines:
            event = json.loads(line)
            if "ScenarioFinished" not in event:
                continue
            recorder = event["ScenarioFinished"]["recorder"]
            for case_id, interaction in recorder.get("interactions", {}).items():
                if interaction.get("response") is None:
                    continue  # the request never got an answer (a network error)
                case = recorder["cases"][case_id]["value"]
                outcomes = {
                    check["status"]
                    for check in recorder.get("checks", {}).get(case_id, ())
                    if check["name"] == SCHEMA_CHECK
                }
                outcome = "failure" if "failure" in outcomes else min(outcomes, default=None)
                status = interaction["response"]["status_code"]
                answers[case["method"].upper(), case["path"]][status, outcome] += 1
    return answers
