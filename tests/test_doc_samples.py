"""The docs' code and data are files the tests run or read, so a page cannot drift from them.

Each marked block is its file, and each sample file is run: a shell session's
requests go through the real handler and get the answers the page shows, a
stack file is read as settings, a Logs Insights query names fields the logs
have. An unmarked block may only hold commands, and the commands must exist.
"""

from __future__ import annotations

import json
import logging
import re
import shlex
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from function import metrics
from infra.project import PROJECT_DIR
from infra.settings import stack_settings
from local_api import cli
from tests.doc_samples import (
    DOCUMENTS,
    HEADER_NOTE,
    SAMPLES_DIR,
    SHELL,
    Block,
    all_blocks,
    blocks,
    sample_file,
    session,
)

BLOCKS = all_blocks()
MARKED = [block for block in BLOCKS if block.sample is not None]
UNMARKED = [block for block in BLOCKS if block.sample is None]
#: The stack each sample session runs against, as ``make serve STACK=...`` would serve it.
SESSION_STACKS = {
    "docs/samples/tutorial.sh": "dev",
    "docs/samples/lambda-invoke.sh": "dev",
    "docs/samples/several-items.sh": "orders",
    "docs/samples/table-routes.sh": "dev",
    "docs/samples/microservice.sh": "orders",
}
#: What each kind of sample file is checked as, by its name's ending.
KINDS = {".sh": "a session", ".yaml": "a stack file", ".logs-insights": "a Logs Insights query"}


def _where(block: Block) -> str:
    return block.where


def _samples(suffix: str) -> list[str]:
    return sorted(
        {block.sample for block in MARKED if block.sample and block.sample.endswith(suffix)}
    )


# --- every block --------------------------------------------------------------------------


@pytest.mark.parametrize("block", MARKED, ids=_where)
def test_a_marked_block_is_exactly_its_sample_file(block: Block) -> None:
    path = sample_file(block)

    assert path.is_file(), f"{block.where} shows {block.sample}, which does not exist"
    assert block.text == path.read_text(encoding="utf-8"), (
        f"{block.where} differs from {block.sample}: copy the file into the page"
    )


def test_every_sample_is_checked_and_every_sample_file_shown() -> None:
    unchecked = [block.where for block in MARKED if not str(block.sample).endswith(tuple(KINDS))]
    sessions_without_stack = set(_samples(".sh")) - set(SESSION_STACKS)
    shown = {block.sample for block in MARKED}
    unshown = {
        str(path.relative_to(PROJECT_DIR)) for path in SAMPLES_DIR.rglob("*") if path.is_file()
    } - shown

    assert not unchecked, f"samples no test here runs (kinds: {KINDS}): {unchecked}"
    assert not sessions_without_stack, f"give these sessions a stack: {sessions_without_stack}"
    assert not unshown, f"sample files no page shows: {sorted(unshown)}"


@pytest.mark.parametrize("block", UNMARKED, ids=_where)
def test_an_unmarked_block_holds_only_commands(block: Block) -> None:
    assert block.language in SHELL, (
        f"{block.where} is a {block.language or 'plain'} block without a sample marker: "
        "put its code in a file a test runs and mark it <!-- sample: PATH -->"
    )
    assert not _INLINE_JSON.search(block.text), (
        f"{block.where} sends a JSON body of its own: make it a sample session, or send a "
        "file the tests send (-d @tests/events/..., file://tests/events/...)"
    )


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.language in ("sh", "bash")], ids=_where)
def test_a_shell_block_parses_as_bash(block: Block) -> None:
    bash = shutil.which("bash")
    assert bash is not None, "bash is not installed"

    parsed = subprocess.run(
        [bash, "-n"], input=block.text, capture_output=True, text=True, check=False
    )

    assert parsed.returncode == 0, f"{block.where} is not valid bash: {parsed.stderr}"


# --- the commands blocks name -------------------------------------------------------------

#: A JSON object written into a command: ``-d '{"operation": ...}'``.
_INLINE_JSON = re.compile(r"""['"]\{\s*["']""")
_MAKE = re.compile(r"\bmake\s+(?:[A-Z_]+=\S+\s+)*(?P<target>[a-z][\w-]*)")
_INLINE_CODE = re.compile(r"`([^`\n]+)`")
_FILE_ARGUMENT = re.compile(r"(?:file://|(?:-d|--data|--data-binary) @)(?P<path>[^\s'\"]+)")


def _code(document: Path) -> str:
    """A page's blocks and inline code: where commands are written."""
    inline = _INLINE_CODE.findall(document.read_text(encoding="utf-8"))
    return "\n".join([block.text for block in blocks(document)] + inline)


def _make_targets() -> set[str]:
    makefile = (PROJECT_DIR / "Makefile").read_text()
    return set(re.findall(r"^([a-z][\w-]*):", makefile, re.MULTILINE))


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_every_make_target_a_page_names_exists(document: Path) -> None:
    named = {match["target"] for match in _MAKE.finditer(_code(document))}

    assert named - _make_targets() == set(), f"{document.name} names targets the Makefile lacks"


@pytest.mark.parametrize("block", BLOCKS, ids=_where)
def test_every_file_a_command_sends_exists(block: Block) -> None:
    missing = [
        match["path"]
        for match in _FILE_ARGUMENT.finditer(block.text)
        if not (PROJECT_DIR / match["path"]).is_file()
    ]

    assert not missing, f"{block.where} sends files the repository does not have: {missing}"


def _serve_options(capsys: pytest.CaptureFixture[str]) -> set[str]:
    with pytest.raises(SystemExit):
        cli.main(["serve", "--help"])
    return set(re.findall(r"--[a-z][\w-]*", capsys.readouterr().out))


def test_every_option_given_to_make_serve_is_one_it_takes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    given = {
        f"{block.where}: {option}"
        for block in BLOCKS
        for args in re.findall(r'make serve ARGS="([^"]*)"', block.text)
        for option in re.findall(r"--[a-z][\w-]*", args)
    }
    known = _serve_options(capsys)

    assert given, "no block passes options to make serve: this test checks nothing"
    assert {entry for entry in given if entry.rpartition(" ")[2] not in known} == set()


def test_every_setting_pulumi_config_set_names_is_one_of_the_project() -> None:
    project = yaml.safe_load((PROJECT_DIR / "Pulumi.yaml").read_text())
    settings = set(project["config"])
    named = {
        (block.where, key)
        for block in BLOCKS
        for line in block.text.splitlines()
        if line.startswith("pulumi config set")
        for key in [_config_key(shlex.split(line, comments=True))]
    }

    assert named, "no block sets a setting: this test checks nothing"
    assert {
        (where, key) for where, key in named if not key.startswith("aws:") and key not in settings
    } == set()


def _config_key(words: list[str]) -> str:
    """The setting ``pulumi config set [--path] KEY VALUE`` sets: its top-level key."""
    key = next(word for word in words[3:] if not word.startswith("-"))
    return re.split(r"[.\[]", key, maxsplit=1)[0]


# --- sessions: each request through the real handler --------------------------------------

#: What moto adds to answers that DynamoDB leaves out when not asked for (its known
#: differences, docs/local-development.md): a session's answer shows DynamoDB's.
MOTO_ADDITIONS = ("ConsumedCapacity", "ItemCollectionMetrics")


def _as_dynamodb_answers(answer: Any, shown: Any) -> Any:
    if isinstance(answer, dict) and isinstance(shown, dict):
        return {
            key: value for key, value in answer.items() if key in shown or key not in MOTO_ADDITIONS
        }
    return answer


@pytest.mark.parametrize(
    "sample",
    [
        pytest.param(path, marks=pytest.mark.stack(SESSION_STACKS.get(path, "dev")), id=path)
        for path in _samples(".sh")
    ],
)
def test_a_sample_session_gets_the_answers_it_shows(
    sample: str, tables: Any, post: Any, http: Any, invoke: Any
) -> None:
    exchanges = session((PROJECT_DIR / sample).read_text(encoding="utf-8"))

    assert exchanges, f"{sample} sends no request"
    for exchange in exchanges:
        if exchange.kind == "post":
            answer = post(exchange.request)
            got = (answer.status, answer.json)
        elif exchange.kind == "http":
            method, target, body = exchange.request
            answer = http(method, target, None if body is None else body.encode())
            got = (answer.status, answer.json if answer.text else None)
            for header in HEADER_NOTE.finditer(exchange.note):
                assert answer.headers.get(header["name"]) == header["value"], (
                    f"{sample}, line {exchange.line}: {header['name']}"
                )
        else:
            got = (200, json.loads(json.dumps(invoke(exchange.request)), parse_float=Decimal))
        status, body = got
        assert (status, _as_dynamodb_answers(body, exchange.answer)) == (
            exchange.status,
            exchange.answer,
        ), f"{sample}, line {exchange.line}"


def test_a_session_reads_each_answer_after_its_request() -> None:
    text = (
        'post \'{"operation": "ping"}\'\n# "pong"\n'
        'post \'{"operation": "read",\n  "payload": {}}\'\n'
        '# 404 {"message": "x",\n#   "type": "ItemNotFound"}   (a note,\n#   on two lines)\n'
    )

    (ping, read) = session(text)

    assert (ping.line, ping.status, ping.answer, ping.note) == (2, 200, "pong", "")
    assert (read.request, read.status) == ('{"operation": "read",\n  "payload": {}}', 404)
    assert read.answer == {"message": "x", "type": "ItemNotFound"}
    assert read.note == "(a note, on two lines)"


def test_a_request_without_an_answer_fails_naming_its_line() -> None:
    with pytest.raises(AssertionError, match="before line 2 has no answer"):
        session('post \'{"operation": "ping"}\'\npost \'{"operation": "ping"}\'\n# "pong"\n')


# --- stack files: read as a stack's settings ----------------------------------------------


@pytest.mark.parametrize("sample", _samples(".yaml"))
def test_a_sample_stack_file_is_settings_a_stack_may_have(sample: str, tmp_path: Path) -> None:
    shutil.copy(PROJECT_DIR / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    shutil.copy(PROJECT_DIR / sample, tmp_path / "Pulumi.sample.yaml")

    settings = stack_settings("sample", tmp_path)

    assert settings.warnings == (), f"{sample} uses settings that are going: {settings.warnings}"


# --- Logs Insights queries: every field is one the logs have ------------------------------

_QUERY_WORDS = frozenset(
    {"fields", "filter", "sort", "stats", "by", "desc", "asc", "and", "or", "not", "like", "in",
     "limit", "display", "parse", "as", "count", "avg", "max", "min", "sum", "pct"}
)  # fmt: skip


def query_fields(query: str) -> set[str]:
    """The log fields a Logs Insights query names (``@`` system fields left out)."""
    without_strings = re.sub(r'"[^"]*"', "", query)
    words = re.findall(r"(?<![@\w])[A-Za-z_]\w*", without_strings)
    return {word for word in words if word not in _QUERY_WORDS}


#: What every LogRecord has; Lambda's JSON log format writes the other attributes as members.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"asctime"}


@pytest.fixture
def function_log_fields(
    table: Any, post: Any, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> set[str]:
    """The members of a request's line in the function's log, metrics on (prod's)."""
    monkeypatch.setenv(metrics.NAMESPACE_VARIABLE, "DynamoDBOperations/test")
    with caplog.at_level(logging.INFO):
        post({"operation": "ping"})
    (record,) = [r for r in caplog.records if hasattr(r, "request_id")]
    return {"message", *(name for name in vars(record) if name not in _STANDARD)}


@pytest.mark.parametrize("sample", _samples(".logs-insights"))
def test_a_sample_query_names_fields_of_the_function_log_or_the_access_log(
    sample: str, function_log_fields: set[str]
) -> None:
    from infra.api import ACCESS_LOG_FORMAT  # imports Pulumi: only this test pays for it

    access_log_fields = set(ACCESS_LOG_FORMAT)
    named = query_fields((PROJECT_DIR / sample).read_text())

    assert named, f"{sample} names no field"
    assert named <= function_log_fields or named <= access_log_fields, (
        f"{sample} names fields neither log has: not in the function's "
        f"{sorted(named - function_log_fields)}, not in the access log "
        f"{sorted(named - access_log_fields)}"
    )


def test_a_query_names_its_fields_not_its_words_or_strings() -> None:
    query = (
        "fields @timestamp, status\n"
        '| filter requestId = "a b" and ServerErrors > 0\n'
        "| sort @timestamp desc"
    )

    assert query_fields(query) == {"status", "requestId", "ServerErrors"}
