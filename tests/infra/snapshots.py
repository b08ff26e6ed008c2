"""What each stack deploys, committed, so that a review shows what an update will do on AWS.

A snapshot (``tests/infra/snapshots/<name>.json``) lists every resource a stack
registers under mocks, by URN: its type, the resources it depends on, its
provider, whether Pulumi protects it, its aliases, the values of the inputs
whose change makes AWS replace it (:mod:`tests.infra.replacement`), and its
other inputs but those that follow the operations (:data:`FOLLOWS_THE_OPERATIONS`).

The suite fails when the program no longer matches a committed snapshot
(``tests/infra/test_snapshots.py``), saying which tables AWS would replace, since
that deletes their items. ``make snapshots`` rewrites the files, and refuses to
record a table's replacement unless given the reason
(``make snapshots REPLACE="LambdaTable: rekeyed, items copied by ..."``), which
the table's entry then keeps (``"replaced"``) for the review and after. A
table's settings no update can change (:data:`FIXED`: its keys' types, its TTL
attribute while TTL is on) are recorded too, and a change to one is refused
whatever the reason, with what to do instead.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.project import PROJECT_DIR
from infra.settings import stacks
from tests.infra.conftest import (
    EVERYTHING,
    EVERYTHING_HTTP,
    EVERYTHING_OWN_CERTIFICATE,
    OWN_CERTIFICATE,
    Deployment,
    run_everything,
    run_everything_http,
    run_program,
)
from tests.infra.replacement import TABLE, replacing

SNAPSHOT_DIR = Path(__file__).parent / "snapshots"
#: The test stacks with every part on, the REST one both ways: snapshots beside the project's
#: stacks'.
EVERYTHING_SNAPSHOTS = (EVERYTHING, EVERYTHING_OWN_CERTIFICATE, EVERYTHING_HTTP)
#: The snapshots the project commits, whatever stacks a user adds.
COMMITTED = ("dev", "prod", "orders", *EVERYTHING_SNAPSHOTS)


def snapshot_names() -> tuple[str, ...]:
    """What ``make snapshots`` writes: every stack file's, and the test stacks'."""
    return (*stacks(), *EVERYTHING_SNAPSHOTS)


def committed_names(directory: Path | None = None) -> tuple[str, ...]:
    """The snapshots the suite checks: ours, and any a user committed for a stack of theirs."""
    found = {path.stem for path in (directory or SNAPSHOT_DIR).glob("*.json")}
    return tuple(sorted(found | set(COMMITTED)))


DELETES_ITEMS = "replacing a table deletes its items"

Snapshot = dict[str, Any]
#: Inputs the snapshot leaves out: they follow the operations, not the stack's settings,
#: so a user's new operation or plugin changes no snapshot. openapi.json shows the first.
FOLLOWS_THE_OPERATIONS = {
    "body": "the REST API's OpenAPI document (make openapi, checked by make lint)",
    "code": "the function's archive (tests/infra/test_archive.py)",
    "policy": "the role's grants, the operations' declared actions (tests/infra/test_policy.py)",
}
#: A table's key attributes' types: not ForceNew, yet no update can change them (see below).
#: A table's settings no update can change on AWS, with what to do instead. Recorded
#: under ``"fixed"``: a change is neither a replacement nor deployable, so it is refused.
FIXED = {
    "keyTypes": "AWS cannot change a key's type, and the provider drops the change "
    "(table.go sends attribute definitions only with an index's): give the table a new "
    "name, which creates it anew, and copy the items",
    "ttlAttribute": "UpdateTimeToLive refuses another attribute while TTL is on, and for an "
    "hour after it is turned off: deploy without ttlAttribute, then with the new one an "
    "hour later",
}


def deploy(name: str) -> Deployment:
    """Run the program under mocks for the stack the snapshot ``name`` records."""
    if name not in EVERYTHING_SNAPSHOTS:
        return run_program(name)
    with tempfile.TemporaryDirectory() as project_dir:
        if name == EVERYTHING_HTTP:
            return run_everything_http(Path(project_dir))
        overrides = OWN_CERTIFICATE if name == EVERYTHING_OWN_CERTIFICATE else None
        return run_everything(Path(project_dir), overrides)


def snapshot(deployment: Deployment, previous: Snapshot | None = None) -> Snapshot:
    """The deployment's snapshot; ``previous`` (the committed one) lends it its reasons.

    A table's ``"replaced"`` reason stays while its replacing inputs do; a
    deleted table's reason stays while its URN is gone.
    """
    short = _short_names(deployment)
    labels = _table_labels(deployment)
    resources: dict[str, Any] = {}
    for resource in deployment.resources:
        rule = replacing(resource.type)
        entry: dict[str, Any] = {
            "type": resource.type,
            "dependsOn": sorted({short.get(urn, urn) for urn in resource.dependencies}),
            "protect": resource.protect,
            "replacingInputs": {
                name: rule.unrecorded.get(name, resource.inputs[name])
                for name in rule.inputs
                if name in resource.inputs
            },
            "inputs": {
                name: value
                for name, value in resource.inputs.items()
                if name not in rule.inputs and name not in FOLLOWS_THE_OPERATIONS
            },
        }
        if resource.provider:
            provider = resource.provider.rsplit("::", 1)[0]
            entry["provider"] = short.get(provider, provider)
        if resource.aliases:
            entry["aliases"] = sorted(resource.aliases)
        if resource.type == TABLE:
            entry["table"] = labels.get(resource.urn, short[resource.urn])
            entry["fixed"] = _fixed(resource.inputs)
        resources[resource.urn] = entry
    current: Snapshot = {"resources": resources}
    if previous is not None:
        _keep_reasons(previous, current)
    return current


def dumps(recorded: Snapshot) -> str:
    """The snapshot as committed: indented JSON, keys sorted, ending with a newline."""
    return json.dumps(recorded, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def snapshot_path(name: str, directory: Path = SNAPSHOT_DIR) -> Path:
    return directory / f"{name}.json"


def load(name: str, directory: Path = SNAPSHOT_DIR) -> Snapshot | None:
    path = snapshot_path(name, directory)
    if not path.exists():
        return None
    loaded: Snapshot = json.loads(path.read_text())
    return loaded


#: Where a replacing input is not set.
MISSING = object()


@dataclass(frozen=True)
class Change:
    """A replacing input's value before and after (``MISSING`` where it is not set)."""

    input: str
    old: Any
    new: Any

    def __str__(self) -> str:
        return f"{self.input} {_shown(self.old)} → {_shown(self.new)}"


@dataclass(frozen=True)
class Replacement:
    """A resource of the committed snapshot AWS would replace, or, for a table, delete."""

    urn: str
    entry: Mapping[str, Any]
    #: The URN it has now (its own, or another naming it as an alias); None: it is deleted.
    now: str | None
    changes: tuple[Change, ...]
    #: What the stack calls the table now, if it was renamed.
    now_label: str | None = None
    #: Changes of a table's :data:`FIXED` settings, which no update makes.
    stuck: tuple[Change, ...] = ()

    @property
    def is_table(self) -> bool:
        return bool(self.entry["type"] == TABLE)

    @property
    def label(self) -> str:
        return str(self.entry.get("table") or self.urn.rsplit("::", 1)[1])

    def describe(self) -> str:
        what = (
            ", ".join(map(str, self.changes))
            if self.now is not None
            else "deleted: no resource has its URN or names it as an alias"
        )
        where = self.urn if self.now in (None, self.urn) else f"{self.urn}, now {self.now}"
        protected = "; protected, so pulumi up refuses it" if self.entry.get("protect") else ""
        if not self.changes and self.now is not None:
            what = ", ".join(f"{change} ({FIXED[change.input]})" for change in self.stuck)
            protected = ""
        name = self.label if self.is_table else f"{self.entry['type']} {self.label}"
        return f"{name} ({where}): {what}{protected}"


def replacements(old: Snapshot, new: Snapshot) -> list[Replacement]:
    """What AWS would replace going from ``old`` to ``new``, and the tables it would delete.

    A resource whose URN is gone is the same resource if a new one names that
    URN as an alias (Pulumi moves it rather than replacing it).
    """
    found = []
    for urn, now in _successors(old, new).items():
        entry = old["resources"][urn]
        if now is None:
            if entry["type"] == TABLE:
                found.append(Replacement(urn, entry, None, ()))
            continue
        successor = new["resources"][now]
        changes = _changes(entry["replacingInputs"], successor["replacingInputs"])
        stuck = () if changes else _stuck(entry.get("fixed", {}), successor.get("fixed", {}))
        if changes or stuck:
            found.append(Replacement(urn, entry, now, changes, successor.get("table"), stuck))
    return found


def _stuck(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[Change, ...]:
    """The :data:`FIXED` settings that changed from one value to another (not to or from none)."""
    return tuple(
        change
        for change in _changes(old, new)
        if change.old not in (None, MISSING) and change.new not in (None, MISSING)
    )


def moves(old: Snapshot, new: Snapshot) -> dict[str, str]:
    """The resources of ``old`` that have another URN in ``new``, kept by an alias: old to new."""
    return {urn: now for urn, now in _successors(old, new).items() if now not in (None, urn)}


def check(
    name: str, committed: Snapshot | None, current: Snapshot, directory: Path = SNAPSHOT_DIR
) -> str | None:
    """Why the program's snapshot ``current`` differs from the ``committed`` one; None if not."""
    path = _shown_path(snapshot_path(name, directory))
    if committed is None:
        return f"{path} is missing: run make snapshots, and commit it"
    if dumps(committed) == dumps(current):
        return None
    lines = [
        f"{path} no longer matches what the program deploys: run make snapshots, "
        "and review the change to it before committing it.",
    ]
    found = replacements(committed, current)
    stuck = [replacement for replacement in found if replacement.stuck]
    if stuck:
        lines += [
            "",
            "AWS cannot make these changes to a table (the update fails or does nothing):",
        ]
        lines += [f"  {replacement.describe()}" for replacement in stuck]
    found = [replacement for replacement in found if not replacement.stuck]
    tables = [replacement for replacement in found if replacement.is_table]
    if tables:
        lines += ["", f"AWS would replace or delete these tables, and {DELETES_ITEMS}:"]
        lines += [f"  {replacement.describe()}" for replacement in tables]
        lines.append(
            "make snapshots records this only with the reason, kept in the snapshot: "
            f'make snapshots REPLACE="{tables[0].label}: <why, and what becomes of its items>"'
        )
    others = [replacement for replacement in found if not replacement.is_table]
    if others:
        lines += ["", "AWS would replace:"]
        lines += [f"  {replacement.describe()}" for replacement in others]
    replaced = {replacement.urn for replacement in found}
    kept = {urn: now for urn, now in moves(committed, current).items() if urn not in replaced}
    if kept:
        lines += ["", "Renamed, and kept by an alias (Pulumi moves them, AWS keeps them):"]
        lines += [f"  {urn} → {now}" for urn, now in kept.items()]
    diff = difflib.unified_diff(
        dumps(committed).splitlines(),
        dumps(current).splitlines(),
        f"{path} (committed)",
        f"{path} (the program now)",
        lineterm="",
    )
    return "\n".join([*lines, "", *diff])


def mismatch(name: str, deployment: Deployment, directory: Path = SNAPSHOT_DIR) -> str | None:
    """Why ``deployment`` does not match the committed snapshot ``name``; None if it does."""
    committed = load(name, directory)
    return check(name, committed, snapshot(deployment, committed), directory)


class RefusedError(Exception):
    """``make snapshots`` would record a table's replacement without its reason."""


def update(
    names: Iterable[str],
    directory: Path = SNAPSHOT_DIR,
    reasons: Sequence[str] = (),
    run: Callable[[str], Deployment] = deploy,
) -> list[str]:
    """Rewrite the snapshots ``names``; what was done, one line each.

    Each reason is ``"<table>: <why>"``, the table by its logical name (as in
    the stack's ``tables``), its resource name or its URN. Writes nothing, and
    raises :class:`RefusedError`, if a replaced or deleted table has no reason,
    or a reason names no such table.
    """
    given = {table: why for reason in reasons for table, why in _parse_reason(reason)}
    used: set[str] = set()
    missing: list[str] = []
    impossible: list[str] = []
    written: dict[str, Snapshot] = {}
    for name in names:
        committed = load(name, directory)
        current = snapshot(run(name), committed)
        if committed is not None:
            for replacement in replacements(committed, current):
                if replacement.stuck:
                    impossible.append(f"  {name}: {replacement.describe()}")
                    continue
                if not replacement.is_table:
                    continue
                key = next((key for key in _keys(replacement) if key in given), None)
                if key is None:
                    missing.append(f"  {name}: {replacement.describe()}")
                    continue
                used.add(key)
                if replacement.now is None:
                    current.setdefault("deleted", {})[replacement.urn] = given[key]
                else:
                    current["resources"][replacement.now]["replaced"] = given[key]
        written[name] = current
    unused = sorted(set(given) - used)
    if missing or unused or impossible:
        raise RefusedError(_refusal(missing, unused, impossible))
    done = []
    for name, current in written.items():
        path = snapshot_path(name, directory)
        text = dumps(current)
        if path.exists() and path.read_text() == text:
            done.append(f"{_shown_path(path)}: unchanged")
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        done.append(f"wrote {_shown_path(path)}")
    return done


def main(argv: Sequence[str] | None = None, directory: Path = SNAPSHOT_DIR) -> int:
    """``make snapshots``: rewrite the committed snapshots from the program run under mocks."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.infra.snapshots", description=main.__doc__
    )
    parser.add_argument(
        "--stack", action="append", choices=snapshot_names(), help="only this one (repeatable)"
    )
    parser.add_argument(
        "--replace",
        action="append",
        default=[],
        metavar='"TABLE: REASON"',
        help="why a table may be replaced or deleted, recorded in its snapshot (repeatable)",
    )
    arguments = parser.parse_args(argv)
    try:
        done = update(arguments.stack or snapshot_names(), directory, arguments.replace)
    except RefusedError as refused:
        print(refused, file=sys.stderr)
        return 1
    print("\n".join(done))
    return 0


def _short_names(deployment: Deployment) -> dict[str, str]:
    """Each URN's resource name, where no other resource of the deployment has it."""
    names = [resource.urn.rsplit("::", 1)[1] for resource in deployment.resources]
    return {
        resource.urn: name
        for resource, name in zip(deployment.resources, names, strict=True)
        if names.count(name) == 1
    }


def _fixed(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """A table's :data:`FIXED` settings: its keys' types (by role) and its TTL attribute."""
    types = {attribute["name"]: attribute["type"] for attribute in inputs.get("attributes", [])}
    roles = {"hash": inputs.get("hashKey"), "range": inputs.get("rangeKey")}
    ttl = inputs.get("ttl") or {}
    return {
        "keyTypes": {role: types[key] for role, key in roles.items() if key is not None},
        "ttlAttribute": ttl.get("attributeName") if ttl.get("enabled") else None,
    }


def _table_labels(deployment: Deployment) -> dict[str, str]:
    """Each table's logical name (the stack's ``tables``), from the stack's tableNames output."""
    names = deployment.outputs.get("tableNames", {})
    logical = {physical: name for name, physical in names.items()}
    return {
        table.urn: logical[table.state["name"]]
        for table in deployment.of_type(TABLE)
        if table.state.get("name") in logical
    }


def _successors(old: Snapshot, new: Snapshot) -> dict[str, str | None]:
    """Each old resource's URN, and the URN of the new resource that is it, if any."""
    resources, before = new["resources"], old["resources"]
    claims: dict[str, list[str]] = {}
    for urn, entry in resources.items():
        if urn in before:
            continue  # The engine finds it by its own URN first, and never reads its aliases.
        for alias in entry.get("aliases", ()):
            claims.setdefault(alias, []).append(urn)
    # Two resources claiming one alias fail the update: the old resource has no successor.
    aliased = {alias: urns[0] for alias, urns in claims.items() if len(urns) == 1}
    return {urn: urn if urn in resources else aliased.get(urn) for urn in before}


def _changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[Change, ...]:
    return tuple(
        Change(name, old.get(name, MISSING), new.get(name, MISSING))
        for name in sorted(old.keys() | new.keys())
        if old.get(name, MISSING) != new.get(name, MISSING)
    )


def _keep_reasons(previous: Snapshot, current: Snapshot) -> None:
    replaced = {replacement.urn for replacement in replacements(previous, current)}
    for urn, now in _successors(previous, current).items():
        reason = previous["resources"][urn].get("replaced")
        if reason is not None and now is not None and urn not in replaced:
            current["resources"][now]["replaced"] = reason
    deleted = {
        urn: reason
        for urn, reason in previous.get("deleted", {}).items()
        if urn not in current["resources"]
    }
    if deleted:
        current["deleted"] = deleted


def _keys(replacement: Replacement) -> tuple[str, ...]:
    """What a reason may name the table by: its logical name, resource name or URN, then or now."""
    now = () if replacement.now is None else (replacement.now.rsplit("::", 1)[1], replacement.now)
    label = () if replacement.now_label is None else (replacement.now_label,)
    return (replacement.label, replacement.urn.rsplit("::", 1)[1], replacement.urn, *label, *now)


def _parse_reason(reason: str) -> list[tuple[str, str]]:
    """``"Orders, Invoices: why"``: each table named before ``": "``, and the reason."""
    tables, separator, why = reason.partition(": ")
    names = [name.strip() for name in tables.split(",")] if separator else []
    if not all(names) or not names or not why.strip():
        raise RefusedError(
            f"REPLACE={reason!r}: name the tables, then the reason, "
            'like REPLACE="LambdaTable: rekeyed; items copied by scripts/rekey.py" '
            '(or REPLACE="Orders, Invoices: ..." for several)'
        )
    return [(name, why.strip()) for name in names]


def _refusal(missing: list[str], unused: list[str], impossible: list[str]) -> str:
    lines = ["make snapshots refused, and wrote nothing."]
    if impossible:
        lines += [
            "AWS cannot make these changes to a table, whatever the reason given:",
            *impossible,
        ]
    if missing:
        lines += [
            f"AWS would replace or delete these tables, and {DELETES_ITEMS}:",
            *missing,
            "If that is meant, say why (and what becomes of the items); the snapshot keeps it:",
            '  make snapshots REPLACE="<table>[, <table>...]: <reason>"  (one reason for all; '
            "for a reason each: python -m tests.infra.snapshots --replace ... --replace ...)",
        ]
    if unused:
        lines.append(
            f"REPLACE names {', '.join(map(repr, unused))}, but no table of these snapshots "
            "is replaced or deleted."
        )
    return "\n".join(lines)


def _shown_path(path: Path) -> str:
    return (
        path.relative_to(PROJECT_DIR).as_posix() if path.is_relative_to(PROJECT_DIR) else str(path)
    )


def _shown(value: Any) -> str:
    if value is MISSING:
        return "(unset)"
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


if __name__ == "__main__":
    sys.exit(main())
