"""Plugins as installed distributions: found by their entry point, left out on request."""

from __future__ import annotations

import pytest

from function import operation_packages
from function.registry import DuplicateOperationError, Registry
from infra.settings import SettingsError, project_values, settings_from, stack_config
from tests.conftest import install_distribution
from tests.installed import plugin_packages

COUNT_MODULE = """
from function.registry import operation


@operation("probe-count", actions=["dynamodb:Scan"])
def count(call):
    return {"Count": call.dynamodb.scan(TableName=call.table, Select="COUNT")["Count"]}
"""

PING_MODULE = """
from function.registry import operation


@operation("ping")
def ping(call):
    return "pong from a plugin"
"""


def dev_settings(**overrides: object):
    """The dev stack's settings, with config values changed as a stack file would."""
    values = project_values(stack_config("dev"), "dynamodb-operations")
    return settings_from({**values, **overrides})


def test_an_installed_plugin_is_served_with_no_configuration(site_packages, table, run_operation):
    install_distribution(site_packages, "acme-counting", {"acme_counting": {"count": COUNT_MODULE}})
    table.put(table.key(1))
    table.put(table.key(2))

    assert run_operation("probe-count") == {"Count": 2}
    assert dev_settings().operation_packages == ("operations", *plugin_packages())
    assert "acme_counting" in plugin_packages()
    assert dev_settings().plugins["acme_counting"] == "acme-counting"


@pytest.mark.parametrize("name", ["acme-counting", "Acme_Counting", "counting", "acme_counting"])
def test_a_stack_leaves_a_plugin_out_by_its_distribution_entry_point_or_package(
    site_packages, name
):
    install_distribution(
        site_packages,
        "acme-counting",
        {"acme_counting": {"count": COUNT_MODULE}},
        entry_points={"counting": "acme_counting"},
    )

    settings = dev_settings(excludePlugins=[name])

    assert "acme_counting" in plugin_packages()
    assert settings.operation_packages == (
        "operations",
        *(package for package in plugin_packages() if package != "acme_counting"),
    )
    assert settings.warnings == ()
    assert "probe-count" not in Registry(settings.operation_packages).all()


def test_leaving_out_a_plugin_that_is_not_installed_is_a_warning_naming_the_installed_ones(
    site_packages,
):
    install_distribution(site_packages, "acme-counting", {"acme_counting": {"count": COUNT_MODULE}})

    settings = dev_settings(excludePlugins=["acme-countnig"])

    assert "acme_counting" in settings.operation_packages
    (warning,) = settings.warnings
    assert warning.startswith(
        "config excludePlugins: 'acme-countnig' is not an installed plugin (installed: "
    )
    assert "acme-counting" in warning.removeprefix("config excludePlugins: 'acme-countnig'")


def test_one_operation_name_in_two_distributions_fails_naming_both(site_packages):
    install_distribution(site_packages, "acme-counting", {"acme_counting": {"count": COUNT_MODULE}})
    install_distribution(
        site_packages, "other-counting", {"other_counting": {"tally": COUNT_MODULE}}
    )
    settings = dev_settings()

    with pytest.raises(DuplicateOperationError) as raised:
        Registry(settings.operation_packages, settings.plugins).all()

    assert str(raised.value) == (
        "operation 'probe-count' is registered by both acme_counting.count (distribution "
        "acme-counting) and other_counting.tally (distribution other-counting)"
    )


def test_a_plugin_may_not_take_a_stock_operations_name(site_packages):
    install_distribution(site_packages, "acme-ping", {"acme_ping": {"ping": PING_MODULE}})
    settings = dev_settings()

    with pytest.raises(DuplicateOperationError, match=r"operations\.ping and acme_ping\.ping "):
        Registry(settings.operation_packages, settings.plugins).all()


def test_an_entry_point_naming_a_function_is_refused_naming_the_distribution(site_packages):
    install_distribution(
        site_packages,
        "acme-counting",
        {"acme_counting": {"count": COUNT_MODULE}},
        entry_points={"counting": "acme_counting.count:count"},
    )

    with pytest.raises(SettingsError, match=r"^acme-counting: entry point counting = "):
        dev_settings()


def test_the_archives_generated_list_wins_over_what_is_installed(
    site_packages, monkeypatch, tmp_path
):
    install_distribution(site_packages, "acme-counting", {"acme_counting": {"count": COUNT_MODULE}})
    generated = tmp_path / operation_packages.PACKAGES_FILE
    generated.write_text(operation_packages.encode(["operations"]))
    monkeypatch.setattr(operation_packages, "__file__", str(generated))
    operation_packages.refresh()

    assert operation_packages.configured() == ("operations",)

    monkeypatch.setenv(operation_packages.PACKAGES_ENV, "operations, acme_counting")
    assert operation_packages.configured() == ("operations", "acme_counting")


def test_one_package_from_two_distributions_is_refused_naming_both(site_packages):
    install_distribution(site_packages, "acme-counting", {"acme_counting": {"count": COUNT_MODULE}})
    (site_packages / "acme_counting_fork-1.0.dist-info").mkdir()
    for name in ("METADATA", "entry_points.txt"):
        text = (site_packages / "acme_counting-1.0.dist-info" / name).read_text()
        (site_packages / "acme_counting_fork-1.0.dist-info" / name).write_text(
            text.replace("Name: acme-counting", "Name: acme-counting-fork")
        )

    with pytest.raises(SettingsError, match=r"declared by two distributions, acme-counting"):
        dev_settings()
