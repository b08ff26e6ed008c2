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


#: A project's own autouse fixture that points DynamoDB elsewhere, as a conftest might.
THEIR_ENDPOINT_CONFTEST = """
import pytest


@pytest.fixture(autouse=True)
def their_endpoint(monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:9")
"""

#: Tests that reach DynamoDB and the handler, whatever the shell or a conftest set.
REACHING_SUITE = """
import os


def test_run_operation_reaches_the_fixtures_dynamodb(run_operation, table):
    assert "AWS_ENDPOINT_URL_DYNAMODB" not in os.environ
    run_operation("create", {"Item": table.key(1)})
    assert table.items() == [table.key(1)]


def test_post_with_an_idempotency_key_gets_no_real_idempotency_table(post):
    answer = post({"operation": "ping", "idempotencyKey": "k-1"})
    assert (answer.status, answer.json["type"]) == (400, "IdempotencyNotEnabled")
"""


@pytest.mark.parametrize("isolate", ["true", "false"])
def test_a_projects_autouse_fixture_does_not_redirect_the_fixtures_dynamodb(their_project, isolate):
    their_project.makepyprojecttoml(
        f"[tool.pytest.ini_options]\ndynamodb_operations_isolate = {isolate}\n"
    )
    their_project.makeconftest(THEIR_ENDPOINT_CONFTEST)
    their_project.makepyfile(test_theirs=REACHING_SUITE)

    result = their_project.runpytest("-p", "no:cacheprovider")

    result.assert_outcomes(passed=2)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("AWS_USE_FIPS_ENDPOINT", "true"),
        ("AWS_USE_DUALSTACK_ENDPOINT", "true"),
        ("AWS_DEFAULT_PROFILE", "their-profile"),
        ("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:9"),
        ("AWS_CA_BUNDLE", "/nowhere/ca.pem"),
        ("AWS_RETRY_MODE", "theirs"),
        ("IDEMPOTENCY_TABLE", "their-idempotency-records"),
    ],
)
def test_nothing_the_shell_sets_sends_the_fixtures_calls_elsewhere(
    their_project, monkeypatch, variable, value
):
    monkeypatch.setenv(variable, value)
    their_project.makepyfile(test_theirs=REACHING_SUITE)

    result = their_project.runpytest("-p", "no:cacheprovider")

    result.assert_outcomes(passed=2)


#: What botocore reads that the test environment keeps: set by it, or unable to
#: redirect or fail a DynamoDB call made with credentials from the environment.
KEPT_BOTOCORE_VARIABLES = {
    "AWS_CONFIG_FILE",
    "AWS_DEFAULT_REGION",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
    "AWS_EC2_METADATA_V1_DISABLED",
    "AWS_IMDS_USE_IPV6",
    "AWS_S3_DISABLE_EXPRESS_SESSION_AUTH",
    "AWS_SIGV4A_SIGNING_REGION_SET",
    "BOTOCORE_TCP_KEEPALIVE",
}


def test_every_variable_botocore_reads_is_cleared_or_known_to_be_harmless():
    """A botocore upgrade that reads a new variable fails here until it is judged."""
    from botocore.configprovider import BOTOCORE_DEFAUT_SESSION_VARIABLES

    from local_api.pytest_plugin import FOREIGN_VARIABLES

    read: set[str] = set()
    for _, names, *_ in BOTOCORE_DEFAUT_SESSION_VARIABLES.values():
        read.update([names] if isinstance(names, str) else names or ())

    assert read - set(FOREIGN_VARIABLES) - KEPT_BOTOCORE_VARIABLES == set()


@pytest.mark.parametrize("value", ["maybe", "", "2"])
def test_an_odd_isolate_value_stops_pytest_once_naming_the_option(pytester, value):
    pytester.makeini(f"[pytest]\ndynamodb_operations_isolate = {value}\n")
    pytester.makepyfile(test_theirs="def test_one():\n    pass\n\ndef test_two():\n    pass\n")

    result = pytester.runpytest("-p", "no:cacheprovider")

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    said = [line for line in result.errlines if "dynamodb_operations_isolate" in line]
    assert said == [
        "ERROR: dynamodb_operations_isolate in the pytest configuration is true or false "
        f"(any case): invalid truth value {value!r}"
    ]
