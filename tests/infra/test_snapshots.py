"""The committed snapshots say what each stack deploys, and a replaced table is never silent."""

from __future__ import annotations

import copy
import importlib
import json

import pulumi_aws
import pytest

from tests.infra.conftest import (
    Deployment,
    Registered,
    deployment_of,
    run_everything,
    run_program,
)
from tests.infra.replacement import REPLACING
from tests.infra.snapshots import (
    DELETES_ITEMS,
    RefusedError,
    check,
    committed_names,
    dumps,
    main,
    mismatch,
    replacements,
    snapshot,
    update,
)

LAMBDA_TABLE = (
    "urn:pulumi:dev::dynamodb-operations::dynamodb-operations:api:DynamoDBOperationsApi"
    "$aws:dynamodb/table:Table::dynamodb-operations-table"
)
REASON = "LambdaTable: rekeyed to Id; items copied by scripts/rekey.py"


@pytest.mark.parametrize("name", committed_names())
def test_each_stack_deploys_what_its_committed_snapshot_says(name, request):
    """Ours, and a stack of the user's once ``make snapshots`` has written its snapshot."""
    problem = mismatch(name, deployment_of(name, request))

    if problem is not None:
        pytest.fail(problem, pytrace=False)


def test_a_rekeyed_table_fails_the_check_naming_the_table_its_key_and_the_loss(dev):
    rekeyed = run_program("dev", {"tables": {"LambdaTable": {"hashKey": "Key"}}})

    problem = check("dev", snapshot(dev), snapshot(rekeyed))

    assert problem is not None
    assert "run make snapshots" in problem
    assert f"AWS would replace or delete these tables, and {DELETES_ITEMS}" in problem
    assert f'LambdaTable ({LAMBDA_TABLE}): hashKey "Id" → "Key"' in problem
    assert 'make snapshots REPLACE="LambdaTable: ' in problem
    assert '-        "hashKey": "Id"' in problem
    assert '+        "hashKey": "Key"' in problem


def test_a_change_aws_cannot_make_to_a_table_fails_saying_what_to_do_instead(dev):
    """A key's new type the provider would drop; a TTL attribute UpdateTimeToLive refuses."""
    retyped = run_program("dev", {"tables": {"LambdaTable": {"hashKey": "Id", "hashKeyType": "N"}}})
    expiring = run_program(
        "dev", {"tables": {"LambdaTable": {"hashKey": "Id", "ttlAttribute": "a"}}}
    )
    moved = run_program("dev", {"tables": {"LambdaTable": {"hashKey": "Id", "ttlAttribute": "b"}}})

    retyped_problem = check("dev", snapshot(dev), snapshot(retyped))
    moved_problem = check("dev", snapshot(expiring), snapshot(moved))

    assert retyped_problem is not None
    assert "AWS cannot make these changes to a table" in retyped_problem
    assert f'LambdaTable ({LAMBDA_TABLE}): keyTypes {{"hash": "S"}} → {{"hash": "N"}}' in (
        retyped_problem
    )
    assert "give the table a new name" in retyped_problem
    assert moved_problem is not None
    assert 'ttlAttribute "a" → "b" (UpdateTimeToLive refuses' in moved_problem
    assert replacements(snapshot(dev), snapshot(expiring)) == []


def test_make_snapshots_refuses_a_change_aws_cannot_make_whatever_the_reason(dev, tmp_path):
    retyped = run_program("dev", {"tables": {"LambdaTable": {"hashKey": "Id", "hashKeyType": "N"}}})
    (tmp_path / "dev.json").write_text(dumps(snapshot(dev)))

    with pytest.raises(RefusedError, match="AWS cannot make these changes") as refused:
        update(["dev"], tmp_path, ["LambdaTable: numeric ids"], run=lambda name: retyped)

    assert "keyTypes" in str(refused.value)
    assert json.loads((tmp_path / "dev.json").read_text()) == snapshot(dev)


def test_a_removed_table_is_deleted_though_another_names_it_as_an_alias(dev):
    """The engine finds a resource by its own URN first: its aliases then mean nothing."""
    two = run_program(
        "dev", {"tables": {"LambdaTable": {"hashKey": "Id"}, "Notes": {"hashKey": "Id"}}}
    )
    one = run_program("dev", {"tables": {"Notes": {"hashKey": "Id"}}})

    (deleted,) = replacements(snapshot(two), snapshot(one))

    assert deleted.urn == LAMBDA_TABLE
    assert deleted.now is None


def test_a_table_renamed_with_an_alias_is_the_same_table(dev):
    renamed = run_program("dev", {"tables": {"Notes": {"hashKey": "Id"}}})

    problem = check("dev", snapshot(dev), snapshot(renamed))

    assert problem is not None, "its URN changed, which the snapshot shows"
    assert DELETES_ITEMS not in problem
    assert "Renamed, and kept by an alias (Pulumi moves them, AWS keeps them):" in problem
    assert f"  {LAMBDA_TABLE} → {LAMBDA_TABLE}-Notes" in problem


def test_a_table_renamed_with_an_alias_and_rekeyed_is_replaced_all_the_same(dev):
    renamed = run_program("dev", {"tables": {"Notes": {"hashKey": "noteId"}}})

    problem = check("dev", snapshot(dev), snapshot(renamed))

    assert problem is not None
    assert f'{LAMBDA_TABLE}, now {LAMBDA_TABLE}-Notes): hashKey "Id" → "noteId"' in problem
    assert DELETES_ITEMS in problem


def test_a_table_no_resource_takes_the_place_of_is_reported_deleted(dev):
    current = snapshot(dev)
    committed = copy.deepcopy(current)
    committed["resources"][f"{LAMBDA_TABLE}-Archive"] = {
        **committed["resources"][LAMBDA_TABLE],
        "table": "Archive",
        "protect": True,
    }

    problem = check("dev", committed, current)

    assert problem is not None
    assert (
        f"Archive ({LAMBDA_TABLE}-Archive): deleted: no resource has its URN or names it as "
        "an alias; protected, so pulumi up refuses it"
    ) in problem
    assert DELETES_ITEMS in problem


def test_a_replaced_resource_that_is_no_table_is_listed_without_the_warning(prod):
    current = snapshot(prod)
    committed = copy.deepcopy(current)
    permission = next(urn for urn in committed["resources"] if urn.endswith("-permission"))
    committed["resources"][permission]["replacingInputs"]["qualifier"] = "blue"

    problem = check("prod", committed, current)

    assert problem is not None
    assert "AWS would replace:" in problem
    assert "dynamodb-operations-permission (" in problem
    assert 'qualifier "blue" → "live"' in problem
    assert DELETES_ITEMS not in problem


@pytest.fixture
def rekeyed_dev(dev, tmp_path):
    """A snapshot directory whose dev.json says LambdaTable was keyed by Key, not Id."""
    committed = snapshot(dev)
    committed["resources"][LAMBDA_TABLE]["replacingInputs"]["hashKey"] = "Key"
    (tmp_path / "dev.json").write_text(dumps(committed))
    return tmp_path


def test_make_snapshots_refuses_to_record_a_replaced_table_without_its_reason(dev, rekeyed_dev):
    before = (rekeyed_dev / "dev.json").read_text()

    with pytest.raises(RefusedError) as refused:
        update(["dev"], rekeyed_dev, run=lambda name: dev)

    assert str(refused.value) == "\n".join(
        [
            "make snapshots refused, and wrote nothing.",
            f"AWS would replace or delete these tables, and {DELETES_ITEMS}:",
            f'  dev: LambdaTable ({LAMBDA_TABLE}): hashKey "Key" → "Id"',
            "If that is meant, say why (and what becomes of the items); the snapshot keeps it:",
            '  make snapshots REPLACE="<table>[, <table>...]: <reason>"  (one reason for all; '
            "for a reason each: python -m tests.infra.snapshots --replace ... --replace ...)",
        ]
    )
    assert (rekeyed_dev / "dev.json").read_text() == before


def test_make_snapshots_records_the_reason_in_the_tables_entry_and_keeps_it(dev, rekeyed_dev):
    update(["dev"], rekeyed_dev, [REASON], run=lambda name: dev)
    recorded = json.loads((rekeyed_dev / "dev.json").read_text())

    assert recorded["resources"][LAMBDA_TABLE]["replaced"] == (
        "rekeyed to Id; items copied by scripts/rekey.py"
    )
    assert recorded["resources"][LAMBDA_TABLE]["replacingInputs"] == {"hashKey": "Id"}
    assert update(["dev"], rekeyed_dev, run=lambda name: dev) == [
        f"{rekeyed_dev / 'dev.json'}: unchanged"
    ]
    assert mismatch("dev", dev, rekeyed_dev) is None


def test_make_snapshots_records_why_a_table_was_deleted(dev, tmp_path):
    committed = snapshot(dev)
    committed["resources"][f"{LAMBDA_TABLE}-Archive"] = {
        **committed["resources"][LAMBDA_TABLE],
        "table": "Archive",
    }
    (tmp_path / "dev.json").write_text(dumps(committed))

    update(["dev"], tmp_path, ["Archive: retired; exported to S3 first"], run=lambda name: dev)

    recorded = json.loads((tmp_path / "dev.json").read_text())
    assert recorded["deleted"] == {f"{LAMBDA_TABLE}-Archive": "retired; exported to S3 first"}
    assert mismatch("dev", dev, tmp_path) is None


def test_one_reason_may_name_several_tables(dev, tmp_path):
    two = run_program(
        "dev", {"tables": {"LambdaTable": {"hashKey": "Id"}, "Notes": {"hashKey": "Id"}}}
    )
    rekeyed = run_program(
        "dev", {"tables": {"LambdaTable": {"hashKey": "Key"}, "Notes": {"hashKey": "Key"}}}
    )
    (tmp_path / "dev.json").write_text(dumps(snapshot(two)))

    update(["dev"], tmp_path, ["LambdaTable, Notes: rekeyed; both copied"], run=lambda n: rekeyed)

    recorded = json.loads((tmp_path / "dev.json").read_text())["resources"]
    reasons = {entry.get("table"): entry.get("replaced") for entry in recorded.values()}
    assert reasons["LambdaTable"] == reasons["Notes"] == "rekeyed; both copied"


def test_make_snapshots_refuses_a_reason_for_a_table_nothing_replaces(dev, tmp_path):
    (tmp_path / "dev.json").write_text(dumps(snapshot(dev)))

    with pytest.raises(RefusedError, match="REPLACE names 'Orders', but no table"):
        update(["dev"], tmp_path, ["Orders: gone"], run=lambda name: dev)


def test_the_command_exits_non_zero_saying_why(rekeyed_dev, capsys):
    assert main(["--stack", "dev"], rekeyed_dev) == 1

    assert f'LambdaTable ({LAMBDA_TABLE}): hashKey "Key" → "Id"' in capsys.readouterr().err
    assert main(["--stack", "dev", "--replace", REASON], rekeyed_dev) == 0


def test_a_snapshot_is_the_same_on_every_run(everything, tmp_path):
    assert dumps(snapshot(run_everything(tmp_path))) == dumps(snapshot(everything))


def test_a_resource_type_with_no_replacing_inputs_listed_stops_the_snapshot():
    bucket = Registered(
        urn="urn:pulumi:dev::dynamodb-operations::aws:s3/bucket:Bucket::logs",
        type="aws:s3/bucket:Bucket",
        name="logs",
        id="logs",
        inputs={},
        state={},
        parent="",
        dependencies=[],
        custom=True,
    )

    with pytest.raises(LookupError, match=r"aws:s3/bucket:Bucket.*tests/infra/replacement\.py"):
        snapshot(Deployment("dev", {}, [bucket]))


@pytest.mark.parametrize("token", sorted(t for t in REPLACING if t.startswith("aws:")))
def test_every_replacing_input_listed_is_one_pulumi_aws_takes(token):
    module, kind = token.split(":")[1].split("/")[0], token.split(":")[2]
    args = getattr(
        importlib.import_module(f"pulumi_aws.{module.replace('lambda', 'lambda_')}"), f"{kind}Args"
    )

    assert set(REPLACING[token].inputs) <= _input_names(args)


def test_the_providers_replacing_input_is_one_pulumi_aws_takes():
    assert set(REPLACING["pulumi:providers:aws"].inputs) <= _input_names(pulumi_aws.ProviderArgs)


def _input_names(args: type) -> set[str]:
    """The camelCase input names of a pulumi_aws ``...Args`` class (its getters' names)."""
    return {
        getattr(member.fget, "_pulumi_name", None) or name
        for name, member in vars(args).items()
        if isinstance(member, property)
    }
