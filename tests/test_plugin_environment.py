"""The pytest plugin we publish leaves a project's environment alone unless asked.

Each test runs a small project's suite with pytest's own ``pytester``, as a plugin
author's repository that installs ``[testing]`` would: the plugin loads by its
entry point, and the project's ``AWS_PROFILE`` and ``TABLES`` are set outside.
"""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

#: A project's tests: one using none of our fixtures, one using ``table``, in that order.
SUITE = """
import os


def test_a_test_without_our_fixtures_keeps_the_environment():
    assert os.environ.get("AWS_PROFILE") == "their-profile"
    assert os.environ.get("TABLES") == "theirs"


def test_the_table_fixture_gets_fake_credentials(table):
    assert "AWS_PROFILE" not in os.environ
    assert os.environ["AWS_ACCESS_KEY_ID"] != "their-key"
    assert os.environ["TABLES"] != "theirs"
    table.put(table.key(1))
    assert table.items() == [table.key(1)]


def test_the_environment_is_back_after_a_test_with_our_fixtures():
    assert os.environ.get("AWS_PROFILE") == "their-profile"
"""

#: The same project's tests when it opts in: every test gets the test environment.
ISOLATED_SUITE = """
import os


def test_a_test_without_our_fixtures_gets_fake_credentials():
    assert "AWS_PROFILE" not in os.environ
    assert "TABLES" not in os.environ
    assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
"""


@pytest.fixture
def their_project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A project whose shell sets its own profile and a ``TABLES`` of its own."""
    monkeypatch.setenv("AWS_PROFILE", "their-profile")
    monkeypatch.setenv("TABLES", "theirs")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "their-key")
    return pytester


def test_a_project_using_none_of_our_fixtures_keeps_its_own_aws_profile(their_project):
    their_project.makepyfile(test_theirs=SUITE)

    result = their_project.runpytest("-p", "no:cacheprovider")

    result.assert_outcomes(passed=3)


def test_a_project_that_opts_in_gives_every_test_the_test_environment(their_project):
    their_project.makepyprojecttoml(
        "[tool.pytest.ini_options]\ndynamodb_operations_isolate = true\n"
    )
    their_project.makepyfile(test_theirs=ISOLATED_SUITE)

    result = their_project.runpytest("-p", "no:cacheprovider")

    result.assert_outcomes(passed=1)
