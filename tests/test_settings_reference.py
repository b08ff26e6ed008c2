"""Pulumi.yaml's config block and the docs' settings table are the settings' models, written out."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from infra import settings_reference
from infra.project import PROJECT_DIR
from infra.settings import project_values, settings_from, stack_config

#: The config types Pulumi.yaml may declare (Pulumi's project schema).
PULUMI_TYPES = {"string", "integer", "boolean", "object", "array"}


def project_copy(tmp_path: Path) -> Path:
    """The files the reference is written into, copied: Pulumi.yaml, prod's stack file, the docs."""
    (tmp_path / "docs").mkdir()
    for name in ("Pulumi.yaml", "Pulumi.prod.yaml", "docs/deploying.md"):
        shutil.copy(PROJECT_DIR / name, tmp_path / name)
    return tmp_path


def test_pulumi_yaml_and_the_docs_table_say_what_the_models_say():
    stale = settings_reference.stale()

    assert not stale, (
        f"{', '.join(stale)} disagree with the settings' models (infra/settings.py and its "
        f"groups): run {settings_reference.WRITE_COMMAND}"
    )


def test_a_changed_default_is_caught_in_either_file_and_writing_puts_it_back(tmp_path):
    project = project_copy(tmp_path)
    pulumi_yaml, docs = project / "Pulumi.yaml", project / "docs" / "deploying.md"
    original_pulumi, original_docs = pulumi_yaml.read_text(), docs.read_text()
    pulumi_yaml.write_text(original_pulumi.replace("default: 2000", "default: 3000"))
    docs.write_text(
        original_docs.replace("| `wafRateLimit` | `2000` |", "| `wafRateLimit` | `3000` |")
    )

    assert settings_reference.stale(project) == ["Pulumi.yaml", "docs/deploying.md"]
    assert settings_reference.write(project) == ["Pulumi.yaml", "docs/deploying.md"]
    assert settings_reference.stale(project) == []
    assert (pulumi_yaml.read_text(), docs.read_text()) == (original_pulumi, original_docs)


def test_writing_leaves_the_rest_of_pulumi_yaml_and_of_the_docs_as_they_are(tmp_path):
    project = project_copy(tmp_path)
    pulumi_yaml, docs = project / "Pulumi.yaml", project / "docs" / "deploying.md"
    header = yaml.safe_load(pulumi_yaml.read_text())
    pulumi_yaml.write_text(pulumi_yaml.read_text().split("config:\n")[0])
    before, settings_section = docs.read_text().split("## Settings\n")
    after = settings_section[settings_section.index("\n## ") :]
    docs.write_text(f"{before}## Settings\n\nsomething stale\n{after}")

    settings_reference.write(project)

    written = yaml.safe_load(pulumi_yaml.read_text())
    assert {key: written[key] for key in ("name", "description", "runtime")} == {
        key: header[key] for key in ("name", "description", "runtime")
    }
    assert written["config"] == settings_reference.pulumi_config()
    assert docs.read_text().startswith(before)
    assert docs.read_text().endswith(after)
    assert "something stale" not in docs.read_text()


def test_the_config_block_keeps_to_pulumis_schema():
    config = yaml.safe_load((PROJECT_DIR / "Pulumi.yaml").read_text())["config"]

    for key, declared in config.items():
        assert set(declared) <= {"type", "items", "default", "description"}, key
        assert declared["type"] in PULUMI_TYPES, key
        assert ("items" in declared) == (declared["type"] == "array"), key
        assert declared["description"], key


def test_the_cli_given_pulumi_yamls_defaults_builds_the_settings_the_models_default_to():
    """What the CLI hands over for a stack file with no settings is what the models assume."""
    as_the_cli_reads_them = project_values(stack_config("dev"), "dynamodb-operations")
    del as_the_cli_reads_them["stageName"], as_the_cli_reads_them["authMode"]

    assert settings_from(as_the_cli_reads_them) == settings_from({})
