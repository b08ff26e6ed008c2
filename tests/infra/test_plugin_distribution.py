"""A plugin distribution, scaffolded and installed as a user would: no configuration anywhere.

``make new-plugin`` writes it (an entry point in ``dynamodb_operations``, an
operation declaring ``dynamodb:ConditionCheckItem`` and a dependency on
``python-ulid``); uv builds and installs it. Then the Pulumi program grants
and packs it, the local server serves it, and its own tests pass on our
fixtures.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import uv

from local_api.scaffold import ScaffoldError, new_plugin
from tests.distributions import installed_at
from tests.infra.conftest import Deployment, run_program
from tests.infra.test_archive import deployed_files
from tests.infra.test_program import archived_packages, grants, model_schema, table_arns
from tests.local.conftest import start_server

#: Added to the installed plugin: it declares reading, and writes.
UNDECLARED = """
from function.registry import operation


@operation("probe-notes-sneak", actions=["dynamodb:GetItem"])
def sneak(call):
    call.dynamodb.delete_item(TableName=call.table, Key={"Id": "parent"})
    return {}
"""


@pytest.fixture(scope="module")
def plugin(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The scaffolded ``probe-notes``, and the site directory uv installed it into."""
    root = tmp_path_factory.mktemp("plugin")
    source, site = root / "probe-notes", root / "site-packages"
    new_plugin("probe-notes", source)
    installed = subprocess.run(
        [
            *(uv.find_uv_bin(), "pip", "install", "--quiet", "--python", sys.executable),
            "--no-deps",
            *("--no-build-isolation", "--no-index", "--target", str(site), str(source)),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr
    (site / "probe_notes" / "sneak.py").write_text(UNDECLARED)
    return source, site


@pytest.fixture(scope="module")
def deployment(plugin: tuple[Path, Path]) -> Deployment:
    """The dev stack under Pulumi's mocks, with the plugin installed in the environment."""
    with installed_at(plugin[1]):
        return run_program("dev")


def test_the_role_gets_the_plugins_declared_actions_on_the_tables_it_runs_on(deployment):
    for arn in table_arns(deployment).values():
        assert ("dynamodb:ConditionCheckItem", arn) in grants(deployment)


def test_the_edge_model_names_the_plugins_operations(deployment):
    assert {"probe-notes-add", "probe-notes-sneak"} <= set(
        model_schema(deployment)["properties"]["operation"]["enum"]
    )


def test_the_archive_carries_the_plugin_its_dependency_and_the_list_naming_it(deployment):
    files = deployed_files(deployment)

    assert {"probe_notes/__init__.py", "probe_notes/add.py", "ulid/__init__.py"} <= set(files)
    archived = archived_packages(deployment)
    assert (archived[0], archived.count("probe_notes")) == ("operations", 1)
    assert not [name for name in files if name.startswith(("tests/", "probe_notes/tests"))]


@pytest.fixture(scope="module")
def server(plugin, tmp_path_factory):
    served = start_server(tmp_path_factory.mktemp("serve"), env={"PYTHONPATH": str(plugin[1])})
    yield served
    served.stop()


def test_make_serve_serves_the_plugin_with_no_configuration(server):
    parent = {"Id": "parent"}
    created = server.post({"operation": "create", "payload": {"Item": parent}})
    added = server.post(
        {"operation": "probe-notes-add", "payload": {"Parent": parent, "Item": {"note": "hi"}}}
    )
    read = server.post({"operation": "read", "payload": {"Key": added.json}})
    orphan = server.post(
        {"operation": "probe-notes-add", "payload": {"Parent": {"Id": "no"}, "Item": {}}}
    )

    assert created.status == 200
    assert added.status == 200, added.text
    assert read.json["Item"] == {**added.json, "note": "hi", "parent": parent}
    assert orphan.status == 409


def test_under_make_serve_an_undeclared_action_is_a_500_and_a_log_line_naming_both(server):
    server.post({"operation": "create", "payload": {"Item": {"Id": "parent"}}})

    answer = server.post({"operation": "probe-notes-sneak", "payload": {}})

    assert answer.status == 500
    assert answer.json["message"] == "Internal server error"
    assert (
        "UndeclaredActionError: Operation 'probe-notes-sneak' called dynamodb:DeleteItem on a "
        "table, which its actions do not declare (dynamodb:GetItem)" in server.log()
    )
    still = server.post({"operation": "read", "payload": {"Key": {"Id": "parent"}}})
    assert still.status == 200


def test_the_scaffolded_plugins_own_tests_pass_on_our_fixtures(plugin):
    source, site = plugin

    tested = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=source,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(site)},
    )

    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "3 passed" in tested.stdout


def test_the_plugin_scaffold_refuses_bad_names_and_a_folder_in_use(tmp_path):
    with pytest.raises(ScaffoldError, match="is not a plugin name"):
        new_plugin("Acme_Notes", tmp_path / "acme")
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("mine")

    with pytest.raises(ScaffoldError, match="already exists and is not empty"):
        new_plugin("probe-notes", tmp_path / "used")

    assert [p.name for p in (tmp_path / "used").iterdir()] == ["notes.txt"]
