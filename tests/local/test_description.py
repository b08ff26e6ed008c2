"""What ``make serve`` says about the API: /openapi.json, /docs in a browser, the banner's curls.

The server runs the project's operations and a scaffolded one in a package of
its own, so everything here must hold for an operation the project never saw.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from openapi_spec_validator import validate
from playwright.sync_api import Browser, sync_playwright

from local_api.cli import main
from local_api.scaffold import new_operation
from tests.installed import stock_registry
from tests.local.conftest import LocalServer, start_server

#: Not count-items, which a newcomer's first make new-operation writes into operations/.
SCAFFOLDED = "probe-scaffolded"
LIST_VALUES = "options => options.map(option => option.value)"
LIST_TEXTS = "cells => cells.map(cell => cell.textContent)"
LATE = '''"""late: added while the server runs."""
from function.registry import operation


@operation("late", example={})
def late(call):
    return "here"
'''


@pytest.fixture(scope="module")
def plugins(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding ``scaffolded_ops``: the operation ``make new-operation`` writes."""
    root = tmp_path_factory.mktemp("scaffold")
    (root / "tests").mkdir()
    (root / "operations").mkdir()
    written = new_operation(SCAFFOLDED, root=root)[0]
    package = root / "plugins" / "scaffolded_ops"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    written.rename(package / written.name)
    return root / "plugins"


@pytest.fixture(scope="module")
def server(plugins: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    served = start_server(
        tmp_path_factory.mktemp("serve"),
        "--operations",
        "operations,scaffolded_ops",
        env={"PYTHONPATH": str(plugins)},
    )
    yield served
    served.stop()


#: The operations the tutorial has; the banner orders their examples so the item is made first.
TUTORIAL_OPERATIONS = frozenset(
    {"create", "read", "update", "list", "query", "delete", "echo", "ping"}
)


def every_operation() -> set[str]:
    """What the server serves: the packages it is given (not the installed plugins)."""
    return {*stock_registry().all(), SCAFFOLDED}


def test_openapi_json_is_valid_openapi_3_naming_every_operation_with_its_schema(server):
    answer = server.request("GET", "/openapi.json")
    document = answer.json

    assert answer.status == 200
    assert answer.headers["content-type"] == "application/json"
    validate(document)
    schemas = document["components"]["schemas"]
    assert set(schemas["DynamoDBOperationsRequest"]["discriminator"]["mapping"]) == (
        every_operation()
    )
    assert schemas["ProbeScaffoldedPayload"]["properties"] == {
        "ConsistentRead": {"type": "boolean"}
    }
    assert document["servers"][0]["url"] == "/"


def chromium() -> str:
    """Debian's Chromium; missing, the browser test is skipped here and fails in CI."""
    found = shutil.which("chromium")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI runs the docs page in Chromium: apt-get install chromium")
        pytest.skip("the docs page test needs Chromium (apt-get install chromium)")
    return found


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright."""
    executable = chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable,
            args=[
                *("--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"),
                *("--disable-background-networking", "--disable-component-update"),
            ],
        )
        yield launched
        launched.close()


def test_the_docs_page_shows_every_operation_in_a_real_browser(server, browser):
    page = browser.new_page()
    page.goto(f"{server.base}/docs")
    page.wait_for_selector(".examples-select-element")

    examples = set(page.eval_on_selector_all(".examples-select-element option", LIST_VALUES))
    listed = set(page.eval_on_selector_all(".info table td:first-child code", LIST_TEXTS))
    with_examples = {n for n, op in stock_registry().all().items() if op.example is not None}
    assert examples >= with_examples | {SCAFFOLDED}
    assert listed == every_operation()
    assert page.locator(".model-title", has_text="ProbeScaffoldedPayload").count() == 1


def test_the_docs_page_sends_an_operations_example_and_shows_the_answer(server, browser):
    page = browser.new_page()
    page.goto(f"{server.base}/docs")
    page.wait_for_selector(".examples-select-element")

    page.click("button.try-out__btn")
    first = json.loads(page.input_value("textarea.body-param__text"))
    page.select_option(".examples-select-element", "ping")
    page.click("button.execute")
    answer = page.wait_for_selector(".live-responses-table .response-col_description pre")

    assert first["operation"] == sorted(every_operation())[0]
    assert answer.inner_text() == '"pong"'
    assert "POST /DynamoDBManager ping 200" in server.log()


def test_the_docs_page_loads_nothing_from_elsewhere(server):
    page = server.request("GET", "/docs")
    bundle = server.request("GET", "/docs/swagger-ui-bundle.js")

    assert page.status == 200
    assert page.headers["content-type"].startswith("text/html")
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources
    assert all(source.startswith("/docs/") for source in sources), sources
    assert (bundle.status, bundle.headers["content-type"]) == (
        200,
        "text/javascript; charset=utf-8",
    )
    assert "SwaggerUIBundle" in bundle.text
    assert server.request("GET", "/docs/../pyproject.toml").status == 403


def test_the_banner_has_a_curl_for_every_operation_with_an_example(server):
    curls = [line for line in server.log().splitlines() if line.strip().startswith("curl ")]
    posted = [json.loads(re.search(r"-d '(.*)'$", line)[1])["operation"] for line in curls]

    with_examples = {n for n, op in stock_registry().all().items() if op.example is not None}
    tutorials = [name for name in posted if name in TUTORIAL_OPERATIONS]

    assert set(posted) == with_examples | {SCAFFOLDED}
    assert tutorials[:5] == ["create", "read", "update", "list", "query"]
    assert tutorials[-3:] == ["delete", "echo", "ping"]
    for line in curls:
        body = json.loads(re.search(r"-d '(.*)'$", line)[1])
        assert server.post(body).status in (200, 404), line


def test_a_module_added_while_serving_is_served_and_an_unknown_one_is_named_in_the_log(
    server, plugins
):
    unknown = server.post({"operation": "nope"})
    (plugins / "scaffolded_ops" / "late.py").write_text(LATE)

    late = server.post({"operation": "late"})

    assert (unknown.status, unknown.json) == (400, {"message": "Invalid request body"})
    known = re.search(r"unknown operation 'nope'; this server knows ([\w, -]*)", server.log())[1]
    assert set(known.split(", ")) == every_operation()
    assert (late.status, late.json) == (200, "here")


def test_debug_mode_serves_one_request_at_a_time_without_reload(tmp_path):
    served = start_server(tmp_path, "--debug")
    try:
        created = served.post({"operation": "create", "payload": {"Item": {"Id": "d"}}})
        read = served.post({"operation": "read", "payload": {"Key": {"Id": "d"}}})
    finally:
        served.stop()

    assert created.status == 200
    assert read.json == {"Item": {"Id": "d"}}
    assert "reload: off; debug: one request at a time, no deadline" in served.log()
    assert "  function: INFO read LambdaTable 200 " in served.log()


def test_a_port_in_use_is_one_error_line(server, capsys, monkeypatch):
    monkeypatch.setenv("LOG_LEVEL", "INFO")  # what serve sets, put back after

    status = main(["serve", "--port", str(server.port)])

    assert status == 2
    assert capsys.readouterr().err == (
        f"error: cannot listen on 127.0.0.1:{server.port}: Address already in use\n"
    )
