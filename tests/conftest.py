"""This repository's own test helpers; the fixtures operation authors use are a pytest plugin.

``table``, ``tables``, ``run_operation``, ``invoke``, ``post`` and the rest are in
:mod:`local_api.pytest_plugin`, which pytest loads by its entry point; the names
tests import from here are re-exported from it. Here are the helpers only this
repository's tests need: sample events, and packages and distributions made on
the fly.
"""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from local_api.lambda_context import LambdaContext
from local_api.pytest_plugin import (
    GATEWAY_REQUEST_ID,
    IDEMPOTENCY_TABLE,
    REGION,
    TEST_STACK,
    HttpAnswer,
    Table,
    physical_name,
    proxy_event,
    run_direct,
    serve_tables,
)
from local_api.table import create_table
from tests.distributions import install_distribution, installed_at

__all__ = [
    "GATEWAY_REQUEST_ID",
    "IDEMPOTENCY_TABLE",
    "REGION",
    "TEST_STACK",
    "HttpAnswer",
    "LambdaContext",
    "Table",
    "create_table",
    "install_distribution",
    "physical_name",
    "proxy_event",
    "run_direct",
    "serve_tables",
]

EVENTS = Path(__file__).parent / "events"
TABLE = "LambdaTable"
PHYSICAL_TABLE = "dynamodb-operations-test-LambdaTable"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Slow tests' modules go first; a module's tests stay on one worker unless ``independent``.

    ``make test`` (``--dist loadgroup``) hands each group to a worker in collection
    order. A module is one group, so its module-scoped servers start once, and a long
    module collected last would leave one worker running it alone at the end. The
    tests of an ``independent`` module (nothing costly shared) are groups of their
    own, spread over every worker.
    """
    slow = {item.nodeid.split("::")[0] for item in items if item.get_closest_marker("slow")}
    for item in items:
        if not item.get_closest_marker("independent"):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
    items.sort(
        key=lambda item: (
            item.nodeid.split("::")[0] not in slow,
            item.get_closest_marker("slow") is None,
        )
    )


def load_event(name: str) -> dict[str, Any]:
    """A sample event from ``tests/events`` (a fresh copy each time)."""
    return json.loads((EVENTS / name).read_text())


@pytest.fixture
def plugin_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[dict[str, str]], str]]:
    """Create an importable package of operation modules outside the repository.

    ``make({"module": source, ...})`` writes the package and returns its (unique) name.
    """
    created: list[str] = []

    def make(modules: dict[str, str]) -> str:
        name = f"plugins_{uuid.uuid4().hex[:12]}"
        package = tmp_path / name
        package.mkdir()
        (package / "__init__.py").write_text("")
        for module, source in modules.items():
            (package / f"{module}.py").write_text(source)
        created.append(name)
        return name

    monkeypatch.syspath_prepend(str(tmp_path))
    yield make
    for name in created:
        for module in [m for m in sys.modules if m == name or m.startswith(f"{name}.")]:
            del sys.modules[module]


@pytest.fixture
def site_packages(tmp_path: Path) -> Iterator[Path]:
    """A directory on the path where a test installs distributions (see ``install_distribution``).

    What the registry found before is forgotten on the way in and out.
    """
    site = tmp_path / "site-packages"
    site.mkdir()
    with installed_at(site):
        yield site
