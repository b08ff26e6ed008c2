"""Stack settings: Pulumi.yaml's defaults overlaid by the stack file, checked before use."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from infra.project import PROJECT_DIR
from infra.settings import SettingsError, default_tables, stack_config, stack_settings
from infra.table_definitions import TableDefinitionError, define


def write_stack(tmp_path: Path, config: dict, stack: str = "try") -> Path:
    """A copy of the project's Pulumi.yaml and one stack file holding ``config``."""
    (tmp_path / "Pulumi.yaml").write_text((PROJECT_DIR / "Pulumi.yaml").read_text())
    (tmp_path / f"Pulumi.{stack}.yaml").write_text(
        yaml.safe_dump({"config": {"aws:region": "us-east-1", **config}})
    )
    return tmp_path


def settings_of(tmp_path: Path, **config):
    return stack_settings(
        "try", write_stack(tmp_path, {f"dynamodb-operations:{k}": v for k, v in config.items()})
    )


def test_the_stack_files_give_each_environment_its_settings():
    dev, prod = stack_settings("dev"), stack_settings("prod")

    assert (dev.stage_name, dev.auth_mode, dev.deletion_protection) == ("dev", "none", False)
    assert (prod.stage_name, prod.auth_mode, prod.deletion_protection) == ("prod", "apiKey", True)
    assert "LambdaTable" in dev.tables
    assert prod.log_retention_days > dev.log_retention_days


def test_the_default_is_the_tutorials_table():
    assert default_tables() == {"LambdaTable": {"hashKey": "Id"}}
    table = stack_settings("dev").tables["LambdaTable"]
    assert (table.hash_key, table.range_key, table.attribute_types) == ("Id", None, {"Id": "S"})


def test_the_issues_stack_file_works_as_written():
    orders = stack_settings("orders").tables["Orders"]

    assert {"LambdaTable", "Orders"} <= set(stack_settings("orders").tables)
    assert (orders.hash_key, orders.range_key) == ("customerId", "orderId")
    assert orders.attribute_types == {
        "customerId": "S",
        "orderId": "S",
        "status": "S",
        "createdAt": "S",
    }
    (index,) = orders.global_indexes
    assert (index.name, index.hash_key, index.range_key) == ("byStatus", "status", "createdAt")
    assert index.projection_type == "ALL"
    assert orders.ttl_attribute == "expiresAt"


def test_a_table_falls_back_to_the_stack_wide_protection_unless_it_says_otherwise(tmp_path):
    settings = settings_of(
        tmp_path,
        deletionProtection=True,
        pointInTimeRecovery=True,
        tables={
            "Kept": {"hashKey": "Id"},
            "Scratch": {"hashKey": "Id", "deletionProtection": False},
        },
    )

    assert settings.tables["Kept"].deletion_protection is True
    assert settings.tables["Kept"].point_in_time_recovery is True
    assert settings.tables["Scratch"].deletion_protection is False
    assert settings.tables["Scratch"].point_in_time_recovery is True


@pytest.mark.parametrize(
    ("setting", "nearest"),
    [("tabels", "tables"), ("stagename", "stageName"), ("tracng", "tracing")],
)
def test_an_unknown_setting_is_refused_naming_it_and_the_nearest_known_one(
    tmp_path, setting, nearest
):
    with pytest.raises(SettingsError, match=rf"config {setting} is not a setting.*{nearest}\?"):
        settings_of(tmp_path, **{setting: "orderDate"})


def test_a_table_field_set_as_a_stack_setting_is_refused_showing_where_it_goes(tmp_path):
    """As a new user would try it: the sort key as a setting of its own, silently dropped before."""
    with pytest.raises(SettingsError) as refused:
        settings_of(tmp_path, rangeKey="orderDate")

    assert str(refused.value) == (
        "config rangeKey is not a setting of this project; rangeKey belongs to a table's "
        "definition in tables, like {tables: {LambdaTable: {hashKey: Id, rangeKey: orderDate}}}"
    )


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        ({"rangeKey": "orderId"}, r"tables.Tab.hashKey is required"),
        ({"hashKey": "Id", "sortKey": "x"}, r"unknown field 'sortKey'; did you mean 'rangeKey'"),
        ({"partitionKey": "Id"}, r"unknown field 'partitionKey'; did you mean 'hashKey'"),
        ({"hashKey": "Id", "rangKey": "x"}, r"unknown field 'rangKey'; did you mean 'rangeKey'"),
        ({"hashKey": "Id", "hashKeyType": "BOOL"}, r"tables.Tab.hashKeyType: 'BOOL' must be S"),
        ({"hashKey": "Id", "rangeKey": "Id"}, r"tables.Tab.rangeKey: 'Id' is the hashKey too"),
        ({"hashKey": "Id", "rangeKeyType": "N"}, r"tables.Tab.rangeKeyType: there is no rangeKey"),
        (
            {"hashKey": "Id", "ttlAttribute": "Id"},
            r"tables.Tab.ttlAttribute: 'Id' is the table's hashKey",
        ),
        (
            {
                "hashKey": "a",
                "globalSecondaryIndexes": {"byB": {"hashKey": "b"}},
                "ttlAttribute": "b",
            },
            r"tables.Tab.ttlAttribute: 'b' is a S key of an index \(byB.hashKey\)",
        ),
        (
            {"hashKey": "a", "globalSecondaryIndexes": {"byB": {"rangeKey": "b"}}},
            r"tables.Tab.globalSecondaryIndexes.byB.hashKey is required",
        ),
        (
            {"hashKey": "a", "globalSecondaryIndexes": {"byB": {"hashKey": "b", "sort": "c"}}},
            r"globalSecondaryIndexes.byB: unknown field 'sort'",
        ),
        (
            {
                "hashKey": "a",
                "hashKeyType": "N",
                "globalSecondaryIndexes": {"byA": {"hashKey": "a", "hashKeyType": "S"}},
            },
            r"attribute 'a' is N as hashKey but S as byA.hashKey",
        ),
        (
            {"hashKey": "a", "localSecondaryIndexes": {"byB": {"rangeKey": "b"}}},
            r"localSecondaryIndexes: a local index needs a table with a rangeKey",
        ),
        (
            {
                "hashKey": "a",
                "rangeKey": "b",
                "localSecondaryIndexes": {"byC": {"hashKey": "x", "rangeKey": "c"}},
            },
            r"byC.hashKey: a local index's hashKey is the table's \('a'\)",
        ),
        (
            {
                "hashKey": "a",
                "globalSecondaryIndexes": {"byB": {"hashKey": "b", "projection": "SOME"}},
            },
            r"byB.projection: 'SOME' must be ALL, KEYS_ONLY or a list",
        ),
        ({"hashKey": "a", "stream": "NEW"}, r"tables.Tab.stream: 'NEW' is not a stream view type"),
        ({"hashKey": "a", "deletionProtection": "yes"}, r"deletionProtection: 'yes' must be true"),
        (
            {
                "hashKey": "a",
                "globalSecondaryIndexes": {f"i{n:02}": {"hashKey": "b"} for n in range(21)},
            },
            r"21 indexes; DynamoDB allows 20 per table",
        ),
    ],
)
def test_a_table_definition_mistake_names_the_table_and_the_field(definition, message):
    with pytest.raises(TableDefinitionError, match=message):
        define("Tab", **definition)


def test_a_mistake_in_a_stack_file_fails_naming_the_table_and_field(tmp_path):
    with pytest.raises(
        SettingsError, match=r"config tables.Orders.globalSecondaryIndexes.byStatus"
    ):
        settings_of(
            tmp_path,
            tables={
                "Orders": {
                    "hashKey": "customerId",
                    "globalSecondaryIndexes": {"byStatus": {"hashkey": "status"}},
                }
            },
        )


def test_a_type_given_anywhere_holds_wherever_it_is_left_out_in_any_order():
    table = define(
        "Sessions",
        hashKey="id",
        globalSecondaryIndexes={
            "byUser": {"hashKey": "user", "rangeKey": "expiresAt"},
            "byExpiry": {"hashKey": "kind", "rangeKey": "expiresAt", "rangeKeyType": "N"},
        },
        ttlAttribute="expiresAt",
    )

    assert table.attribute_types["expiresAt"] == "N"
    assert table.ttl_attribute == "expiresAt"


def test_index_keys_take_the_type_the_table_gives_them():
    table = define(
        "Orders",
        hashKey="customerId",
        rangeKey="total",
        rangeKeyType="N",
        globalSecondaryIndexes={"byTotal": {"hashKey": "total"}, "byTag": {"hashKey": "tag"}},
        localSecondaryIndexes={"byDay": {"rangeKey": "day", "rangeKeyType": "N"}},
    )

    assert table.attribute_types == {"customerId": "S", "total": "N", "tag": "S", "day": "N"}
    assert table.key_schema.indexes["byDay"].hash_key == "customerId"


def test_the_old_single_table_settings_still_work_with_a_warning_showing_the_new_form(tmp_path):
    settings = settings_of(tmp_path, tableName="Products", hashKey="sku", hashKeyType="N")

    (table,) = settings.tables.values()
    assert (table.name, table.hash_key, table.attribute_types) == ("Products", "sku", {"sku": "N"})
    (warning,) = settings.warnings
    assert "replaced by tables" in warning
    suggested = yaml.safe_load("\n".join(line for line in warning.splitlines()[1:]))
    assert suggested == {
        "dynamodb-operations:tables": {"Products": {"hashKey": "sku", "hashKeyType": "N"}}
    }
    rewritten = settings_of(tmp_path, tables=suggested["dynamodb-operations:tables"])
    assert rewritten.tables == settings.tables
    assert rewritten.warnings == ()


def test_old_and_new_table_settings_together_are_refused(tmp_path):
    with pytest.raises(SettingsError, match="tableName and tables both describe"):
        settings_of(tmp_path, tableName="Products", tables={"Orders": {"hashKey": "id"}})


def test_the_stack_file_replaces_the_default_tables_whole(tmp_path):
    config = stack_config(
        "try", write_stack(tmp_path, {"dynamodb-operations:tables": {"Orders": {"hashKey": "id"}}})
    )

    assert config["dynamodb-operations:tables"] == {"Orders": {"hashKey": "id"}}


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"timeout": 15}, "timeout"),
        ({"timeout": 29}, "timeout"),
        ({"authMode": "cognito"}, "authMode"),
        ({"corsAllowOrigin": "https://a.example.com, https://b.example.com"}, "corsAllowOrigin"),
        ({"corsAllowOrigin": "'*'"}, "corsAllowOrigin"),
        ({"logRetentionDays": 10}, "logRetentionDays"),
        ({"stageName": "my stage"}, "stageName"),
        ({"tables": {}}, "tables"),
    ],
)
def test_a_setting_out_of_range_is_refused_naming_it(tmp_path, change, named):
    with pytest.raises(SettingsError, match=rf"^config {named} "):
        settings_of(tmp_path, **change)


def test_values_as_the_cli_hands_them_over_are_the_stack_files_values(tmp_path):
    """The CLI gives the program every value as text, objects and arrays as JSON."""
    written = {
        "tracing": True,
        "timeout": 28,
        "reservedConcurrency": -1,
        "alarmThresholds": {"apiLatencyP99": 1000},
        "excludePlugins": ["acme-counting"],
        "tables": {"Orders": {"hashKey": "id", "deletionProtection": True}},
    }
    as_text = {
        "tracing": "True",
        "timeout": "28",
        "reservedConcurrency": "-1",
        "alarmThresholds": '{"apiLatencyP99": 1000}',
        "excludePlugins": '["acme-counting"]',
        "tables": '{"Orders": {"hashKey": "id", "deletionProtection": true}}',
    }

    assert settings_of(tmp_path, **as_text) == settings_of(tmp_path, **written)


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("tracing", "yes", r"^config tracing: 'yes' must be true or false$"),
        ("tracing", "1", r"^config tracing: '1' must be true or false$"),
        ("tracing", 1, r"^config tracing: 1 must be true or false$"),
        ("memorySize", True, r"^config memorySize: True must be a whole number$"),
        ("memorySize", "512MB", r"^config memorySize: '512MB' must be a whole number$"),
        ("operationPackages", "operations", r"^config operationPackages: 'operations' must be"),
        ("alarmThresholds", "[1]", r"^config alarmThresholds: \[1\] is not an object$"),
    ],
)
def test_a_value_of_the_wrong_kind_is_refused_naming_the_setting(tmp_path, setting, value, message):
    with pytest.raises(SettingsError, match=message):
        settings_of(tmp_path, **{setting: value})


def test_every_mistake_of_a_stack_file_is_told_at_once_one_line_each(tmp_path):
    with pytest.raises(SettingsError) as refused:
        settings_of(tmp_path, memorySize=64, wafRateLimit=5)

    assert str(refused.value).splitlines() == [
        "config memorySize must be 128 to 10240 MB",
        "config wafRateLimit must be 10 to 2,000,000,000 requests per IP in 5 minutes",
    ]


@pytest.mark.parametrize(
    ("threshold", "shown"),
    [("Infinity", "inf"), ("1e400", "inf"), ("NaN", "nan"), ("1" + "0" * 400, "1000")],
)
def test_an_alarm_threshold_cloudwatch_cannot_compare_with_is_refused(tmp_path, threshold, shown):
    with pytest.raises(SettingsError) as refused:
        settings_of(tmp_path, alarms=True, alarmThresholds=f'{{"functionErrors": {threshold}}}')

    (line,) = str(refused.value).splitlines()
    assert line.startswith(f"config alarmThresholds.functionErrors: {shown}")
    assert line.endswith("is not a finite number of at least 0")
    assert len(line) < 200


def test_a_stage_name_yaml_reads_as_a_date_is_the_text_the_cli_hands_over(tmp_path):
    write_stack(tmp_path, {"stageName": "2024-01-01"})
    (tmp_path / "Pulumi.try.yaml").write_text(
        (tmp_path / "Pulumi.try.yaml").read_text().replace("'2024-01-01'", "2024-01-01")
    )

    assert stack_settings("try", tmp_path).stage_name == "2024-01-01"


def test_a_setting_misspelt_only_in_case_is_named(tmp_path):
    with pytest.raises(
        SettingsError, match=r"^config WAF is not a setting of this project; did you mean waf\?$"
    ):
        settings_of(tmp_path, WAF=True)


def test_json_text_nested_too_deeply_to_read_is_one_config_line(tmp_path):
    with pytest.raises(SettingsError, match=r"^config tables: nested too deeply to read$"):
        settings_of(tmp_path, tables="[" * 100_000)
