"""The function's IAM policies, derived from what the registered operations declare.

The function may do exactly what its operations say they need, on its own tables
and nothing else: per table, the union of the actions of the operations that run
on it, on the table's ARN; index actions on exactly the indexes that exist and
those operations use (``<arn>/index/<name>``, never ``*``); keeping idempotency
records in its own table (:mod:`function.idempotency`), writing to its own log
group, and sending traces when tracing is on (X-Ray's actions take no resource,
so they are the one ``"*"``). Which operation runs where is :mod:`infra.grants`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from function import idempotency
from infra.grants import TableGrant

POLICY_VERSION = "2012-10-17"
#: IAM's limit on the inline policies of one role, counted without whitespace.
INLINE_POLICY_LIMIT = 10240
LOG_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents")
XRAY_ACTIONS = ("xray:PutTelemetryRecords", "xray:PutTraceSegments")


def function_policy(
    grants: Iterable[TableGrant],
    *,
    table_arns: Mapping[str, str],
    log_group_arn: str,
    tracing: bool,
    idempotency_table_arn: str | None = None,
) -> dict[str, Any]:
    """The inline policy of the function's role (a policy document as a dict).

    ``table_arns`` maps each logical table of ``grants`` to its ARN. Tables (and
    indexes) granted the same actions share one statement, so the policy stays
    within IAM's 10,240 characters for a role's inline policies as tables grow.
    """
    on_tables: dict[tuple[str, ...], list[str]] = {}
    on_indexes: dict[tuple[str, ...], list[str]] = {}
    for grant in grants:
        arn = table_arns[grant.table]
        if grant.actions:
            on_tables.setdefault(grant.actions, []).append(arn)
        for index, actions in grant.index_actions.items():
            on_indexes.setdefault(actions, []).append(f"{arn}/index/{index}")
    statements = [
        *_grouped("TableActions", on_tables),
        *_grouped("IndexActions", on_indexes),
    ]
    if idempotency_table_arn is not None:
        statements.append(
            _allow("IdempotencyRecords", sorted(idempotency.ACTIONS), idempotency_table_arn)
        )
    statements.append(_allow("WriteOwnLogs", list(LOG_ACTIONS), f"{log_group_arn}:*"))
    if tracing:
        statements.append(_allow("SendTraces", list(XRAY_ACTIONS), "*"))
    return {"Version": POLICY_VERSION, "Statement": statements}


class PolicyTooLargeError(ValueError):
    """The role's policy would be over IAM's limit: too many tables granted different actions."""


def policy_json(document: Mapping[str, Any]) -> str:
    """The policy as IAM receives it, refused here if IAM would refuse it."""
    text = json.dumps(document, separators=(",", ":"))
    if len(text) > INLINE_POLICY_LIMIT:
        raise PolicyTooLargeError(
            f"the function's policy would be {len(text)} characters, over IAM's "
            f"{INLINE_POLICY_LIMIT} for a role's inline policies; declare fewer tables, "
            "or give more of them the same operations"
        )
    return text


def _grouped(sid: str, by_actions: Mapping[tuple[str, ...], list[str]]) -> list[dict[str, Any]]:
    """One statement per set of actions, over every resource granted exactly that set."""
    groups = sorted((sorted(resources), actions) for actions, resources in by_actions.items())
    return [
        _allow(
            sid if number == 1 else f"{sid}{number}",
            list(actions),
            resources[0] if len(resources) == 1 else resources,
        )
        for number, (resources, actions) in enumerate(groups, start=1)
    ]


def lambda_trust_policy() -> dict[str, Any]:
    """The function role's trust policy: only the Lambda service may assume it."""
    return service_trust_policy("lambda.amazonaws.com")


def service_trust_policy(service: str) -> dict[str, Any]:
    """A role's trust policy: only ``service`` may assume it."""
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": service},
                "Action": "sts:AssumeRole",
            }
        ],
    }


def _allow(sid: str, actions: list[str], resource: str | list[str]) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resource}
