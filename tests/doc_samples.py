"""The docs' fenced blocks, and the sample files they show.

A block that shows code or data is a sample: the line before its fence is
``<!-- sample: PATH -->``, and the block is exactly the file at ``PATH``
(relative to the repository), a file the tests run or read. A block of plain
shell commands (``sh``, ``bash``, ``console``, ``text``) may go unmarked.

A sample shell session (``.sh``) reads as a reader runs it: each request is
followed by a comment holding the answer, ``# {...}`` or ``# 409 {...}`` (the
status when it is not 200), over as many comment lines as the JSON takes, then
any note. A request is ``post '<JSON body>'`` (through the API), ``http METHOD
PATH ['<JSON body>']`` (a table route) or an ``aws lambda invoke ... --payload
file://<event file>`` (a direct event). An answer without a body (204) is its
status alone; a note ``(Location: ...)`` or ``(Allow: ...)`` names a header the
answer has.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from infra.project import PROJECT_DIR

#: The pages checked here; docs/writing-operations.md names its samples (tests/guide_samples.py).
DOCUMENTS = tuple(
    PROJECT_DIR / name
    for name in (
        "README.md",
        "docs/api.md",
        "docs/deploying.md",
        "docs/local-development.md",
        "docs/operating.md",
        "docs/performance.md",
        "docs/security.md",
    )
)
#: Languages of blocks that may go unmarked: commands to type, or a program's output.
SHELL = frozenset({"sh", "bash", "console", "text"})
SAMPLES_DIR = PROJECT_DIR / "docs" / "samples"

_BLOCK = re.compile(
    r"^(?:<!-- sample: (?P<sample>\S+) -->\n)?```(?P<language>[\w-]*)\n(?P<text>.*?)^```[ \t]*$",
    re.MULTILINE | re.DOTALL,
)


@dataclass(frozen=True)
class Block:
    """One fenced block of a page."""

    document: Path
    line: int
    language: str
    text: str
    #: What its ``<!-- sample: ... -->`` marker names, if it has one.
    sample: str | None

    @property
    def where(self) -> str:
        return f"{self.document.relative_to(PROJECT_DIR)}:{self.line}"


def blocks(document: Path) -> list[Block]:
    """Every fenced block of ``document``, in order."""
    text = document.read_text(encoding="utf-8")
    return [
        Block(
            document,
            text.count("\n", 0, match.start("language")) + 1,
            match["language"],
            match["text"],
            match["sample"],
        )
        for match in _BLOCK.finditer(text)
    ]


def all_blocks() -> list[Block]:
    return [block for document in DOCUMENTS for block in blocks(document)]


def sample_file(block: Block) -> Path:
    """The file a marked block shows."""
    assert block.sample is not None, f"{block.where} is not a sample"
    return PROJECT_DIR / block.sample


@dataclass(frozen=True)
class Exchange:
    """One request of a sample session and the answer it documents."""

    line: int
    #: ``post`` (a body sent through the API), ``http`` (a table route) or ``invoke``.
    kind: str
    #: The body's text as sent, the direct event, or a route's (method, path, body).
    request: Any
    status: int
    answer: Any
    #: The comment's words after the answer's JSON.
    note: str


_POST = re.compile(r"^post '(?P<body>[^']*)'", re.MULTILINE)
_HTTP = re.compile(
    r"^http (?P<method>[A-Z]+) '?(?P<target>/[^'\s]*)'?(?: '(?P<body>[^']*)')?$", re.MULTILINE
)
#: The headers a note may name, ``(Location: /dev/LambdaTable/items/7)``.
HEADER_NOTE = re.compile(r"\((?P<name>Location|Allow): (?P<value>[^)]+)\)")
_PAYLOAD_FILE = re.compile(r"--payload file://(?P<path>\S+)")
_STATUS = re.compile(r"\s*(?P<status>[1-5]\d\d)(?: |$)")


def session(text: str) -> list[Exchange]:
    """The requests of a sample session, each with the answer the comment after it shows."""
    lines = text.splitlines()
    requests: list[tuple[int, str, Any]] = []
    for match in _POST.finditer(text):
        body = match["body"]
        end = text.count("\n", 0, match.end())
        _json(body, f"the body ending on line {end + 1}")
        requests.append((end, "post", body))
    for match in _HTTP.finditer(text):
        body = match["body"]
        end = text.count("\n", 0, match.end())
        if body is not None:
            _json(body, f"the body ending on line {end + 1}")
        requests.append((end, "http", (match["method"], match["target"], body)))
    for number, line in enumerate(lines):
        if (payload := _PAYLOAD_FILE.search(line)) is not None:
            event = (PROJECT_DIR / payload["path"]).read_text()
            requests.append((number, "invoke", json.loads(event)))
    requests.sort(key=lambda request: request[0])
    exchanges = []
    for last, kind, request in requests:
        start, comment = _answer_comment(lines, last + 1)
        status, answer, note = _answer(comment, f"line {start + 1}")
        exchanges.append(Exchange(start + 1, kind, request, status, answer, note))
    return exchanges


def _answer_comment(lines: list[str], first: int) -> tuple[int, str]:
    """The first comment from line ``first`` on, with the comment lines right after it."""
    for number in range(first, len(lines)):
        if _POST.match(lines[number]) or _HTTP.match(lines[number]):
            break
        if "#" in lines[number]:
            comment = [lines[number].split("#", 1)[1]]
            for following in lines[number + 1 :]:
                if not following.lstrip().startswith("#"):
                    break
                comment.append(following.lstrip()[1:])
            return number, "\n".join(comment)
    raise AssertionError(f"the request before line {first + 1} has no answer after it")


def _answer(comment: str, where: str) -> tuple[int, Any, str]:
    status = 200
    if (given := _STATUS.match(comment)) is not None:
        status, comment = int(given["status"]), comment[given.end() :]
    text = comment.lstrip()
    if status == 204:
        return status, None, " ".join(text.split())
    try:
        answer, end = json.JSONDecoder(parse_float=Decimal).raw_decode(text)
    except ValueError as error:
        raise AssertionError(f"{where}: the answer is not JSON ({error}): {text!r}") from None
    return status, answer, " ".join(text[end:].split())


def _json(text: str, where: str) -> Any:
    try:
        return json.loads(text, parse_float=Decimal)
    except ValueError as error:
        raise AssertionError(f"{where} is not JSON ({error}): {text!r}") from None
