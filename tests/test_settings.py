"""Stack settings: Pulumi.yaml's defaults overlaid by the stack file, checked before use."""

from __future__ import annotations

import dataclasses

import pytest

from infra.settings import SettingsError, stack_settings


def test_the_stack_files_give_each_environment_its_settings():
    dev, prod = stack_settings("dev"), stack_settings("prod")

    assert (dev.stage_name, dev.auth_mode, dev.deletion_protection) == ("dev", "none", False)
    assert (prod.stage_name, prod.auth_mode, prod.deletion_protection) == ("prod", "apiKey", True)
    assert dev.table_name == prod.table_name == "LambdaTable"
    assert prod.log_retention_days > dev.log_retention_days


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"timeout": 15}, "timeout"),
        ({"timeout": 29}, "timeout"),
        ({"hash_key_type": "B"}, "hashKeyType"),
        ({"auth_mode": "cognito"}, "authMode"),
        ({"cors_allow_origin": "https://a.example.com, https://b.example.com"}, "corsAllowOrigin"),
        ({"cors_allow_origin": "'*'"}, "corsAllowOrigin"),
        ({"log_retention_days": 10}, "logRetentionDays"),
        ({"stage_name": "my stage"}, "stageName"),
    ],
)
def test_a_setting_out_of_range_is_refused_naming_it(change, named):
    with pytest.raises(SettingsError, match=named):
        dataclasses.replace(stack_settings("dev"), **change)
