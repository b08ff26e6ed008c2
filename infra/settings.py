"""A stack's settings, read and checked once for the Pulumi program and the local server.

Pulumi.yaml declares every setting with its type and default; a stack file
(``Pulumi.<stack>.yaml``) overrides some. :func:`stack_config` reads the files
the way the Pulumi CLI does (project defaults overlaid by the stack file), for
the local server and the tests; the Pulumi program gets the same values from
Pulumi's config. Either way :func:`settings_from` turns them into a checked
:class:`Settings`, refusing any setting it does not know (naming the nearest
known one): a misspelt setting would otherwise be dropped without a word.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from function import operation_packages
from function.deadline import WORST_CASE_SECONDS
from infra.alarm_thresholds import AlarmThresholds, AlarmThresholdsError, alarm_thresholds
from infra.config_keys import config_key
from infra.project import PROJECT_DIR
from infra.table_definitions import (
    SYNONYMS,
    TABLE_FIELDS,
    TUTORIAL_TABLE_NAME,
    TableDefinition,
    TableDefinitionError,
    table_definitions,
)
from local_api.plugin_pruning import stale_plugins

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
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
_DOMAIN = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
_CERTIFICATE_ARN = re.compile(r"arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[A-Za-z0-9-]+")
_HOSTED_ZONE_ID = re.compile(r"Z[A-Z0-9]{1,31}")
#: The longest domain name ACM issues a certificate for: RequestCertificate's DomainName
#: "cannot exceed 64 octets, including periods" (it becomes the common name).
ACM_COMMON_NAME_LENGTH = 64
#: WAF's bounds on a rate-based rule's requests per IP in five minutes.
WAF_RATE_LIMITS = (10, 2_000_000_000)
#: Settings fields that no config key sets: they are worked out from the others.
_DERIVED = ("plugins", "warnings")
#: The settings ``tables`` replaced: still read, with a warning showing the ``tables`` form.
LEGACY_TABLE_SETTINGS = ("tableName", "hashKey", "hashKeyType")


class SettingsError(ValueError):
    """A stack setting is missing, unknown or out of range; the message names it."""


@dataclass(frozen=True)
class Settings:
    """Everything one deployment of the API is configured with.

    Each field is the Pulumi config key of the same name in camelCase
    (``stage_name`` is ``stageName``).
    """

    tables: Mapping[str, TableDefinition]
    stage_name: str
    auth_mode: str
    throttle_rate_limit: int
    throttle_burst_limit: int
    api_key_quota_per_day: int
    log_retention_days: int
    memory_size: int
    reserved_concurrency: int
    timeout: int
    architecture: str
    point_in_time_recovery: bool
    deletion_protection: bool
    tracing: bool
    versions: bool
    snap_start: bool
    access_logs: bool
    api_gateway_logging_role: str
    metrics: bool
    alarms: bool
    alarm_email: str
    alarm_thresholds: AlarmThresholds
    dashboard: bool
    domain_name: str
    certificate_arn: str
    hosted_zone_id: str
    waf: bool
    waf_rate_limit: int
    cors_allow_origin: str
    #: The stack's ``operationPackages``, then every installed plugin not in ``excludePlugins``.
    operation_packages: tuple[str, ...]
    #: Installed plugin distributions (or their packages) the stack leaves out.
    exclude_plugins: tuple[str, ...] = ()
    #: The distribution each plugin package in ``operation_packages`` comes from.
    plugins: Mapping[str, str] = field(default_factory=dict)
    #: What the stack's files should change (an old setting still read), for the deployer.
    warnings: tuple[str, ...] = ()

    @property
    def table_indexes(self) -> dict[str, tuple[str, ...]]:
        """Each table's index names: what operations' needs are checked against."""
        return {name: definition.index_names for name, definition in self.tables.items()}

    def __post_init__(self) -> None:
        _check(self.auth_mode in AUTH_MODES, "authMode", f"must be one of {', '.join(AUTH_MODES)}")
        _check(self.architecture in ("arm64", "x86_64"), "architecture", "must be arm64 or x86_64")
        _check(
            self.log_retention_days in LOG_RETENTION_DAYS,
            "logRetentionDays",
            "must be a period CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...)",
        )
        _check(128 <= self.memory_size <= 10240, "memorySize", "must be 128 to 10240 MB")
        _check(
            self.reserved_concurrency == -1 or self.reserved_concurrency >= 1,
            "reservedConcurrency",
            "must be -1 (no reservation) or at least 1 (0 would refuse every request)",
        )
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
        _check(
            self.versions or not self.snap_start,
            "snapStart",
            "needs versions: true (SnapStart applies to published versions only)",
        )
        _check(
            self.api_gateway_logging_role in ("manage", "existing"),
            "apiGatewayLoggingRole",
            "must be manage (this stack sets the account's role) or existing",
        )
        _check(
            self.alarms or not self.alarm_email,
            "alarmEmail",
            "needs alarms: true (it subscribes to the alarms' topic)",
        )
        _check(
            not self.alarm_email or bool(_EMAIL.fullmatch(self.alarm_email)),
            "alarmEmail",
            "must be one email address, like oncall@example.com",
        )
        self._check_domain()
        _check(
            WAF_RATE_LIMITS[0] <= self.waf_rate_limit <= WAF_RATE_LIMITS[1],
            "wafRateLimit",
            f"must be {WAF_RATE_LIMITS[0]} to {WAF_RATE_LIMITS[1]:,} requests per IP in 5 minutes",
        )
        _check(bool(self.tables), "tables", "must declare at least one table")
        _check(bool(self.operation_packages), "operationPackages", "must name at least one package")

    def _check_domain(self) -> None:
        if not self.domain_name:
            for key, value in (
                ("certificateArn", self.certificate_arn),
                ("hostedZoneId", self.hosted_zone_id),
            ):
                _check(not value, key, "needs domainName (the custom domain it is for)")
            return
        _check(
            bool(_DOMAIN.fullmatch(self.domain_name)),
            "domainName",
            "must be a lower-case DNS name like api.example.com",
        )
        _check(
            bool(self.certificate_arn or self.hosted_zone_id),
            "domainName",
            "needs certificateArn (an ACM certificate for it in the stack's region) or "
            "hostedZoneId (the Route 53 zone to validate a new certificate and point the name in)",
        )
        _check(
            bool(self.certificate_arn) or len(self.domain_name) <= ACM_COMMON_NAME_LENGTH,
            "domainName",
            f"is over {ACM_COMMON_NAME_LENGTH} characters, the longest name ACM issues a "
            "certificate for (its common name): give certificateArn, a certificate of yours "
            "that names it",
        )
        _check(
            not self.certificate_arn or bool(_CERTIFICATE_ARN.fullmatch(self.certificate_arn)),
            "certificateArn",
            "must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)",
        )
        _check(
            not self.hosted_zone_id or bool(_HOSTED_ZONE_ID.fullmatch(self.hosted_zone_id)),
            "hostedZoneId",
            "must be a Route 53 hosted zone id like Z0123456789ABCDEFGHIJ",
        )


def settings_from(values: Mapping[str, Any]) -> Settings:
    """Build settings from the project's config values (keys without the project prefix).

    Values are strings (as the Pulumi CLI hands them over) or YAML-typed values.
    """
    known = {config_key(field.name) for field in fields(Settings) if field.name not in _DERIVED}
    for key, value in values.items():
        if key not in known and key not in LEGACY_TABLE_SETTINGS:
            raise SettingsError(
                f"config {key} is not a setting of this project; {_hint(key, value, known)}"
            )
    raw: dict[str, Any] = {}
    for setting in fields(Settings):
        key = config_key(setting.name)
        if setting.name in ("tables", *_DERIVED):
            continue
        if values.get(key) is None:
            raise SettingsError(f"config {key} has no value (Pulumi.yaml declares a default)")
        raw[setting.name] = _coerce(key, setting.type, values[key])
    tables, warnings = _tables_setting(values)
    try:
        raw["operation_packages"], raw["plugins"], left_out = operation_packages.resolve(
            raw["operation_packages"], raw["exclude_plugins"]
        )
    except operation_packages.PluginError as error:
        raise SettingsError(str(error)) from None
    warnings += left_out
    try:
        raw["tables"] = table_definitions(
            tables,
            point_in_time_recovery=raw["point_in_time_recovery"],
            deletion_protection=raw["deletion_protection"],
        )
    except TableDefinitionError as error:
        raise SettingsError(str(error)) from None
    return Settings(**raw, warnings=warnings)


def _hint(key: str, value: Any, known: set[str]) -> str:
    """What the author of an unknown setting most likely meant."""
    if key in TABLE_FIELDS or SYNONYMS.get(key) in TABLE_FIELDS:
        key = SYNONYMS.get(key, key)
        example = yaml.safe_dump(
            {"tables": {TUTORIAL_TABLE_NAME: {"hashKey": "Id", key: value}}},
            default_flow_style=True,
        ).strip()
        return f"{key} belongs to a table's definition in tables, like {example}"
    nearest = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
    if nearest:
        return f"did you mean {nearest[0]}?"
    return f"the settings are {', '.join(sorted(known))}"


def _tables_setting(values: Mapping[str, Any]) -> tuple[Any, tuple[str, ...]]:
    """The ``tables`` value, built from the old single-table settings where a stack has them."""
    legacy = {key: values[key] for key in LEGACY_TABLE_SETTINGS if values.get(key) is not None}
    tables = values.get("tables")
    if not legacy:
        if tables is None:
            raise SettingsError("config tables has no value (Pulumi.yaml declares a default)")
        return tables, ()
    if tables is not None and _as_object(tables) != default_tables():
        raise SettingsError(
            f"config {', '.join(legacy)} and tables both describe the tables; "
            f"keep tables and remove {', '.join(legacy)}"
        )
    name = str(legacy.get("tableName", TUTORIAL_TABLE_NAME))
    definition = {"hashKey": str(legacy.get("hashKey", "Id"))}
    if legacy.get("hashKeyType", "S") != "S":
        definition["hashKeyType"] = str(legacy["hashKeyType"])
    form = yaml.safe_dump({f"{project_name()}:tables": {name: definition}}, sort_keys=False)
    warning = (
        f"config {', '.join(legacy)} {'is' if len(legacy) == 1 else 'are'} replaced by tables; "
        "the same table (nothing is replaced) is, in the stack file's config:\n"
        + "\n".join(f"  {line}" for line in form.splitlines())
    )
    return {name: definition}, (warning,)


def _as_object(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def default_tables(project_dir: Path = PROJECT_DIR) -> Any:
    """The ``tables`` default Pulumi.yaml declares."""
    return _project_file(project_dir)["config"]["tables"]["default"]


def stack_config(stack: str, project_dir: Path = PROJECT_DIR) -> dict[str, Any]:
    """Config as the Pulumi CLI gives it: project defaults overlaid by ``Pulumi.<stack>.yaml``.

    Keys are fully qualified (``dynamodb-operations:stageName``, ``aws:region``).
    """
    project = _project_file(project_dir)
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
    return str(_project_file(project_dir)["name"])


@lru_cache(maxsize=4)
def _project_file(project_dir: Path) -> Any:
    return yaml.safe_load((project_dir / "Pulumi.yaml").read_text())


def stacks(project_dir: Path = PROJECT_DIR) -> list[str]:
    """The stacks that have a stack file."""
    return sorted(
        path.name[len("Pulumi.") : -len(".yaml")] for path in project_dir.glob("Pulumi.*.yaml")
    )


def stack_settings(stack: str, project_dir: Path = PROJECT_DIR) -> Settings:
    """The checked settings of a stack, read from its files."""
    return settings_from(
        project_values(stack_config(stack, project_dir), project_name(project_dir))
    )


def project_values(config: Mapping[str, Any], project: str) -> dict[str, Any]:
    """The project's own settings out of fully qualified config (``aws:region`` left out)."""
    prefix = f"{project}:"
    return {key[len(prefix) :]: value for key, value in config.items() if key.startswith(prefix)}


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
        if kind == "AlarmThresholds":
            return alarm_thresholds(raw)
        if kind.startswith("tuple"):
            items = json.loads(raw) if isinstance(raw, str) else raw
            if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
                raise ValueError(raw)
            return tuple(items)
        return str(raw)
    except AlarmThresholdsError as error:
        raise SettingsError(str(error)) from None
    except ValueError:
        raise SettingsError(f"config {name}: {raw!r} is not a valid {kind}") from None


def _check(condition: bool, name: str, problem: str) -> None:
    if not condition:
        raise SettingsError(f"config {name} {problem}")


def without_unlocked_plugins(
    settings: Settings,
    lock: Path = PROJECT_DIR / "uv.lock",
    site_dirs: Sequence[str] | None = None,
) -> Settings:
    """``settings`` without the plugins still installed that ``lock`` no longer lists.

    ``uv remove`` leaves a plugin installed until a ``make`` target prunes it, and
    Pulumi's own sync removes nothing: the program would still find it by its
    entry point, and deploy it. Each one left out is a warning saying why. Without
    a lock (a copy of the project that has none) every installed plugin stays.
    """
    if not lock.is_file():
        return settings
    unlocked = set(stale_plugins(lock, site_dirs))
    gone = {package for package, name in settings.plugins.items() if name in unlocked}
    if not gone:
        return settings
    return replace(
        settings,
        operation_packages=tuple(p for p in settings.operation_packages if p not in gone),
        plugins={p: name for p, name in settings.plugins.items() if p not in gone},
        warnings=(
            *settings.warnings,
            *(
                f"plugin {name} is installed but uv.lock no longer lists it: left out "
                "(any make target uninstalls it)"
                for name in sorted({settings.plugins[package] for package in gone})
            ),
        ),
    )
