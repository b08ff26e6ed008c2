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

from collections.abc import Iterable, Mapping
from typing import Any

from function import idempotency
from infra.grants import TableGrant

POLICY_VERSION = "2012-10-17"
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

    ``table_arns`` maps each logical table of ``grants`` to its ARN.
    """
    statements: list[dict[str, Any]] = []
    sids: set[str] = set()
    for grant in grants:
        arn = table_arns[grant.table]
        sid = _sid(f"Table{grant.table}", sids)
        if grant.actions:
            statements.append(_allow(sid, list(grant.actions), arn))
        by_actions: dict[tuple[str, ...], list[str]] = {}
        for index, actions in grant.index_actions.items():
            by_actions.setdefault(actions, []).append(f"{arn}/index/{index}")
        for actions, resources in by_actions.items():
            statements.append(
                _allow(_sid(f"{sid}Indexes", sids), list(actions), _one_or_list(resources))
            )
    if idempotency_table_arn is not None:
        statements.append(
            _allow("IdempotencyRecords", sorted(idempotency.ACTIONS), idempotency_table_arn)
        )
    statements.append(_allow("WriteOwnLogs", list(LOG_ACTIONS), f"{log_group_arn}:*"))
    if tracing:
        statements.append(_allow("SendTraces", list(XRAY_ACTIONS), "*"))
    return {"Version": POLICY_VERSION, "Statement": statements}


def _sid(wanted: str, taken: set[str]) -> str:
    """A statement id from ``wanted`` (IAM allows letters and digits only), unique in the policy."""
    base = "".join(character for character in wanted if character.isalnum() and character.isascii())
    sid, number = base, 1
    while sid in taken:
        number += 1
        sid = f"{base}{number}"
    taken.add(sid)
    return sid


def _one_or_list(resources: list[str]) -> str | list[str]:
    return resources[0] if len(resources) == 1 else sorted(resources)


def lambda_trust_policy() -> dict[str, Any]:
    """The role's trust policy: only the Lambda service may assume it."""
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }


def _allow(sid: str, actions: list[str], resource: str | list[str]) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resource}
