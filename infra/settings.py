"""A stack's settings, read and checked once for the Pulumi program and the local server.

Pulumi.yaml declares every setting with its type and default; a stack file
(``Pulumi.<stack>.yaml``) overrides some. :func:`stack_config` reads the files
the way the Pulumi CLI does (project defaults overlaid by the stack file), for
the local server and the tests; the Pulumi program gets the same values from
``pulumi.Config``. Either way :func:`settings_from` turns them into a checked
:class:`Settings`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import yaml

from function.deadline import WORST_CASE_SECONDS
from infra.project import PROJECT_DIR

#: API Gateway stops waiting for an integration after 29 s.
API_GATEWAY_TIMEOUT_SECONDS = 29
#: The retention periods CloudWatch Logs accepts.
LOG_RETENTION_DAYS = (
    *(1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731),
    *(1096, 1827, 2192, 2557, 2922, 3288, 3653),
)
AUTH_MODES = ("none", "apiKey", "iam")
#: A request with an idempotency key makes up to three DynamoDB calls in a row
#: (hold the key, the operation, keep the result); the timeout must allow them all.
MOST_DYNAMODB_CALLS = 3
_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")


class SettingsError(ValueError):
    """A stack setting is missing or out of range; the message names it."""


@dataclass(frozen=True)
class Settings:
    """Everything one deployment of the API is configured with.

    Each field is the Pulumi config key of the same name in camelCase
    (``table_name`` is ``tableName``).
    """

    table_name: str
    hash_key: str
    hash_key_type: str
    stage_name: str
    auth_mode: str
    throttle_rate_limit: int
    throttle_burst_limit: int
    api_key_quota_per_day: int
    log_retention_days: int
    memory_size: int
    timeout: int
    architecture: str
    point_in_time_recovery: bool
    deletion_protection: bool
    tracing: bool
    cors_allow_origin: str
    operation_packages: tuple[str, ...]

    def __post_init__(self) -> None:
        _check(
            self.hash_key_type in ("S", "N"),
            "hashKeyType",
            "must be S or N (JSON has no binary type, so callers could not send a B key)",
        )
        _check(self.auth_mode in AUTH_MODES, "authMode", f"must be one of {', '.join(AUTH_MODES)}")
        _check(self.architecture in ("arm64", "x86_64"), "architecture", "must be arm64 or x86_64")
        _check(
            self.log_retention_days in LOG_RETENTION_DAYS,
            "logRetentionDays",
            "must be a period CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...)",
        )
        _check(128 <= self.memory_size <= 10240, "memorySize", "must be 128 to 10240 MB")
        _check(
            MOST_DYNAMODB_CALLS * WORST_CASE_SECONDS < self.timeout < API_GATEWAY_TIMEOUT_SECONDS,
            "timeout",
            f"must exceed {MOST_DYNAMODB_CALLS} DynamoDB calls' bound "
            f"({MOST_DYNAMODB_CALLS} x {WORST_CASE_SECONDS:g} s) and stay under "
            f"API Gateway's {API_GATEWAY_TIMEOUT_SECONDS} s",
        )
        _check(self.throttle_rate_limit > 0, "throttleRateLimit", "must be positive")
        _check(self.throttle_burst_limit > 0, "throttleBurstLimit", "must be positive")
        _check(self.api_key_quota_per_day > 0, "apiKeyQuotaPerDay", "must be positive")
        _check(
            bool(re.fullmatch(r"[A-Za-z0-9_-]{1,128}", self.stage_name)),
            "stageName",
            "must be 1 to 128 letters, digits, '-' or '_'",
        )
        _check(
            self.cors_allow_origin in ("", "*") or bool(_ORIGIN.fullmatch(self.cors_allow_origin)),
            "corsAllowOrigin",
            "must be empty, * or one origin like https://app.example.com",
        )
        _check(bool(self.table_name), "tableName", "must not be empty")
        _check(bool(self.hash_key), "hashKey", "must not be empty")
        _check(bool(self.operation_packages), "operationPackages", "must name at least one package")


def settings_from(get: Callable[[str], Any]) -> Settings:
    """Build settings from a lookup of raw config values (strings or YAML-typed values)."""
    values: dict[str, Any] = {}
    for field in fields(Settings):
        key = config_key(field.name)
        raw = get(key)
        if raw is None:
            raise SettingsError(f"config {key} has no value (Pulumi.yaml declares a default)")
        values[field.name] = _coerce(key, field.type, raw)
    return Settings(**values)


def config_key(field_name: str) -> str:
    """The Pulumi config key of a settings field: ``table_name`` is ``tableName``."""
    first, *rest = field_name.split("_")
    return first + "".join(word.capitalize() for word in rest)


def stack_config(stack: str, project_dir: Path = PROJECT_DIR) -> dict[str, Any]:
    """Config as the Pulumi CLI gives it: project defaults overlaid by ``Pulumi.<stack>.yaml``.

    Keys are fully qualified (``dynamodb-operations:tableName``, ``aws:region``).
    """
    project = yaml.safe_load((project_dir / "Pulumi.yaml").read_text())
    name = project["name"]
    config = {
        f"{name}:{key}": spec["default"]
        for key, spec in (project.get("config") or {}).items()
        if isinstance(spec, dict) and "default" in spec
    }
    stack_file = project_dir / f"Pulumi.{stack}.yaml"
    if not stack_file.exists():
        raise SettingsError(
            f"no stack file {stack_file.name}; stacks: {', '.join(stacks(project_dir))}"
        )
    overrides = (yaml.safe_load(stack_file.read_text()) or {}).get("config") or {}
    for key, value in overrides.items():
        config[key if ":" in key else f"{name}:{key}"] = value
    return config


def project_name(project_dir: Path = PROJECT_DIR) -> str:
    return yaml.safe_load((project_dir / "Pulumi.yaml").read_text())["name"]


def stacks(project_dir: Path = PROJECT_DIR) -> list[str]:
    """The stacks that have a stack file."""
    return sorted(
        path.name[len("Pulumi.") : -len(".yaml")] for path in project_dir.glob("Pulumi.*.yaml")
    )


def stack_settings(stack: str, project_dir: Path = PROJECT_DIR) -> Settings:
    """The checked settings of a stack, read from its files."""
    config = stack_config(stack, project_dir)
    name = project_name(project_dir)
    return settings_from(lambda key: config.get(f"{name}:{key}"))


def _coerce(name: str, kind: Any, raw: Any) -> Any:
    kind = str(kind)
    try:
        if kind == "bool":
            if isinstance(raw, bool):
                return raw
            if str(raw).lower() in ("true", "false"):
                return str(raw).lower() == "true"
            raise ValueError(raw)
        if kind == "int":
            if isinstance(raw, bool):
                raise ValueError(raw)
            return int(raw)
        if kind.startswith("tuple"):
            items = json.loads(raw) if isinstance(raw, str) else raw
            if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
                raise ValueError(raw)
            return tuple(items)
        return str(raw)
    except ValueError:
        raise SettingsError(f"config {name}: {raw!r} is not a valid {kind}") from None


def _check(condition: bool, name: str, problem: str) -> None:
    if not condition:
        raise SettingsError(f"config {name} {problem}")
