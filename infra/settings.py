"""A stack's settings, read and checked once for the Pulumi program and the local server.

:class:`Settings` is the one home of every setting: its type, default, range and
description (pydantic models, grouped: the program's own here, the tables in
:mod:`infra.table_definitions`, the alarms' thresholds in
:mod:`infra.alarm_thresholds`, the domain and WAF in :mod:`infra.edge_settings`).
``Pulumi.yaml``'s ``config`` block and the settings table of ``docs/deploying.md``
are written from it (``python -m infra.settings_reference --write``).

A stack file (``Pulumi.<stack>.yaml``) overrides some defaults. :func:`stack_config`
reads the files the way the Pulumi CLI does (project defaults overlaid by the stack
file), for the local server and the tests; the Pulumi program gets the same values
from Pulumi's config. Either way :func:`settings_from` turns them into a checked
:class:`Settings`, refusing any setting it does not know (naming the nearest known
one): a misspelt setting would otherwise be dropped without a word.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, NoReturn, Self, get_args

import yaml
from pydantic import (
    BeforeValidator,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic import ModelWrapValidatorHandler as _Handler

from function import operation_packages
from function.deadline import WORST_CASE_SECONDS
from function.routes import RESOURCE_SEGMENT, SEGMENT_REFUSAL

if TYPE_CHECKING:
    from function.registry import Operation
from infra.alarm_thresholds import AlarmThresholds
from infra.edge_settings import CustomDomain, Firewall
from infra.plugin_pruning import stale_plugins
from infra.project import PROJECT_DIR
from infra.setting_values import (
    ConfigBool,
    ConfigInt,
    ConfigModel,
    ConfigNames,
    ConfigText,
    as_int,
    config_default,
    parsed_json,
    refuse,
    settings_error,
)
from infra.setting_values import SettingsError as SettingsError  # where callers find it
from infra.table_definitions import (
    SYNONYMS,
    TABLE_FIELDS,
    TUTORIAL_TABLE_NAME,
    TableDefinition,
    Tables,
    with_stack_protection,
)

#: API Gateway stops waiting for an integration after 29 s.
API_GATEWAY_TIMEOUT_SECONDS = 29
#: The retention periods CloudWatch Logs accepts.
LogRetentionDays = Literal[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
]  # fmt: skip
LOG_RETENTION_DAYS: tuple[int, ...] = get_args(LogRetentionDays)
AuthMode = Literal["none", "apiKey", "iam", "jwt"]
AUTH_MODES: tuple[str, ...] = get_args(AuthMode)
ApiType = Literal["rest", "http"]
#: What a stack without an ``authMode`` line gets, by its ``apiType``: never open by omission.
DEFAULT_AUTH_MODES: dict[str, str] = {"rest": "apiKey", "http": "iam"}
#: The settings whose default follows another's: Pulumi.yaml gives them none, so that a
#: stack file without the line is told from one that sets the default value.
FOLLOWING_DEFAULTS = ("authMode", "apiKeyQuotaPerDay")
#: A request with an idempotency key makes up to three DynamoDB calls in a row
#: (hold the key, the operation, keep the result); the timeout must allow them all.
MOST_DYNAMODB_CALLS = 3
#: The settings ``tables`` replaced: still read, with a warning showing the ``tables`` form.
LEGACY_TABLE_SETTINGS = ("tableName", "hashKey", "hashKeyType")


def _tables_text(value: Any) -> Any:
    parsed = parsed_json(value)
    if isinstance(parsed, str):
        refuse(f"must be an object of table definitions, not {value!r}")
    return parsed


def _thresholds_text(value: Any) -> Any:
    return {} if isinstance(value, str) and not value.strip() else parsed_json(value)


def _unit(extra: Any) -> str:
    unit = extra.get("unit") if isinstance(extra, dict) else None
    return f" {unit}" if unit else ""


class ProgramSettings(ConfigModel):
    """The program's own settings: the tables, the function, the stage and what watches them.

    Each field is the Pulumi config key of the same name in camelCase
    (``stage_name`` is ``stageName``). ``docs`` is its row in docs/deploying.md where
    that says more than ``description``, which ``pulumi config`` shows; ``refusal``
    words a value out of its range.
    """

    tables: Annotated[Tables, BeforeValidator(_tables_text)] = Field(
        {TUTORIAL_TABLE_NAME: TableDefinition.model_validate({"hashKey": "Id"})},
        description="The tables the API serves, by the logical name callers send as "
        "tableName: each with hashKey (and hashKeyType S, N or B), optional "
        "rangeKey/rangeKeyType, globalSecondaryIndexes, localSecondaryIndexes, ttlAttribute, "
        "stream, pointInTimeRecovery and deletionProtection. See docs/deploying.md.",
        json_schema_extra={
            "docs": "The tables the API serves, by logical name ([Tables](#tables)). Physical "
            "tables are auto-named; the function maps one to the other.",
        },
    )
    stage_name: ConfigText = Field(
        "dev",
        pattern=r"^[A-Za-z0-9_-]{1,128}$",
        description="The REST API's stage, the first segment of the URL path (an HTTP API "
        "has its $default stage, with none in the path).",
        json_schema_extra={"refusal": "must be 1 to 128 letters, digits, '-' or '_'"},
    )
    api_type: ApiType = Field(
        "rest",
        description="The kind of API Gateway API: rest (a REST API, the tutorial's: API keys, "
        "usage plans, WAF, request validation) or http (an HTTP API: cheaper and faster, "
        "JWT authorizers, no API keys or WAF). See docs/deploying.md.",
        json_schema_extra={
            "refusal": "must be rest or http",
            "docs": "`rest` (a REST API, the tutorial's) or `http` (an HTTP API: payload format "
            "2.0, a `$default` stage that deploys itself; [REST or HTTP "
            "API](#rest-or-http-api-apitype)).",
        },
    )
    routes: Literal["listed", "proxy"] = Field(
        "listed",
        description="How the API routes: listed (every route in its OpenAPI document, the "
        "default) or proxy (ANY /{proxy+}: every request reaches the function, which routes).",
        json_schema_extra={
            "refusal": "must be listed or proxy",
            "docs": "`listed`: every route is in the deployed OpenAPI document, with its "
            "parameters and answers, and a path the API lacks is API Gateway's 403 (an HTTP "
            "API's 404). `proxy`: "
            "the seed's catch-all, `ANY /{proxy+}` passed through, the function routing "
            "([Table routes](api.md#table-routes)).",
        },
    )
    microservice_resource: ConfigText = Field(
        "",
        pattern=f"^(|{RESOURCE_SEGMENT.strip('^$')})$",
        description="A resource for clients of the Lambda console's microservice blueprint "
        "(lambda-microservice, say): GET, POST, PUT and DELETE on it run Scan, PutItem, "
        "UpdateItem and DeleteItem with typed attribute values and TableName. Empty: none.",
        json_schema_extra={
            "refusal": SEGMENT_REFUSAL,
            "default_docs": "none",
            "docs": "The path segment of a resource that answers as the Lambda console's "
            "`microservice-http-endpoint` blueprint did, so its clients work unchanged "
            "([The microservice blueprint's resource](api.md#the-microservice-blueprints-"
            "resource)).",
        },
    )
    auth_mode: AuthMode = Field(
        "apiKey",
        description="Who may call the API: apiKey (an x-api-key header; a REST API's default, "
        "so that no stack is open by omission), iam (SigV4-signed; an HTTP API's default), jwt "
        "(an HTTP API's JWT authorizer: jwtIssuer, jwtAudience) or none (anyone: only where "
        "the stack file says so).",
        json_schema_extra={
            "refusal": f"must be one of {', '.join(AUTH_MODES)}",
            "default_docs": "`apiKey` (`iam` with `apiType: http`)",
            "docs": "`apiKey` (an `x-api-key` header, with a usage plan; REST APIs only), "
            "`iam` (SigV4-signed requests), `jwt` (a JWT from `jwtIssuer` for `jwtAudience`; "
            "HTTP APIs only), or `none` (anyone may call: only a stack file that says so is "
            "open; dev's does). Without the line a stack is never open: a REST API gets "
            "`apiKey`, an HTTP API `iam`. A stack deployed before this default without an "
            "`authMode` line was open and gets a key at its next `pulumi up`: add "
            "`authMode: none` to its stack file to keep it open.",
        },
    )
    jwt_issuer: ConfigText = Field(
        "",
        pattern=r"^(|https://[^\s]+)$",
        description="The issuer (iss) of the JWTs an HTTP API with authMode jwt accepts, an "
        "https URL (a Cognito user pool's, an OpenID provider's).",
        json_schema_extra={
            "refusal": "must be an https URL, like https://cognito-idp.us-east-1.amazonaws.com/"
            "us-east-1_AbCdEf123",
            "docs": "With `authMode: jwt`, the issuer of the tokens: an `https` URL whose "
            "`/.well-known/openid-configuration` API Gateway reads.",
        },
    )
    jwt_audience: ConfigNames = Field(
        (),
        description="The audiences (aud, or client_id) an HTTP API with authMode jwt accepts.",
        json_schema_extra={
            "docs": "With `authMode: jwt`, the audiences a token may be for (`aud`, or "
            "Cognito's `client_id`); at least one.",
        },
    )
    throttle_rate_limit: ConfigInt = Field(
        50,
        gt=0,
        description="Stage steady-state request rate limit, requests per second.",
        json_schema_extra={
            "refusal": "must be positive",
            "docs": "Steady-state requests per second for the stage, and for the API key's "
            "usage plan.",
        },
    )
    throttle_burst_limit: ConfigInt = Field(
        100,
        gt=0,
        description="Stage burst limit, requests.",
        json_schema_extra={
            "refusal": "must be positive",
            "docs": "Burst limit for the stage and the usage plan.",
        },
    )
    api_key_quota_per_day: ConfigInt = Field(
        10000,
        gt=0,
        description="Requests per day for the API key's usage plan (authMode apiKey).",
        json_schema_extra={
            "refusal": "must be positive",
            "default_docs": "`10000`",
            "docs": "Requests per day the API key may make (`authMode: apiKey`).",
        },
    )
    log_retention_days: Annotated[LogRetentionDays, BeforeValidator(as_int)] = Field(
        14,
        description="Days the function's CloudWatch logs are kept.",
        json_schema_extra={
            "refusal": "must be a period CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...)",
            "docs": "Days the function's logs are kept (a period CloudWatch accepts: 1, 3, 5, "
            "7, 14, 30, 60, 90, ...).",
        },
    )
    memory_size: ConfigInt = Field(
        256,
        ge=128,
        le=10240,
        description="The function's memory in MB (CPU scales with it).",
        json_schema_extra={
            "refusal": "must be 128 to 10240 MB",
            "docs": "The function's memory in MB; CPU scales with it.",
        },
    )
    reserved_concurrency: ConfigInt = Field(
        -1,
        ge=-1,
        description="Concurrent executions reserved for (and the most allowed to) the "
        "function; -1 for none, sharing the account's unreserved pool.",
        json_schema_extra={
            "refusal": "must be -1 (no reservation) or at least 1 (0 would refuse every request)",
            "docs": "Concurrent executions reserved for the function, which are also the most "
            "it may have; `-1` shares the account's unreserved pool. Sizing and the account's "
            "quota: [Operating](operating.md#reserved-concurrency-reservedconcurrency).",
        },
    )
    timeout: ConfigInt = Field(
        25,
        gt=MOST_DYNAMODB_CALLS * WORST_CASE_SECONDS,
        lt=API_GATEWAY_TIMEOUT_SECONDS,
        description="The function's timeout in seconds (over 21, three DynamoDB calls' bound; "
        "under API Gateway's 29).",
        json_schema_extra={
            "refusal": f"must exceed {MOST_DYNAMODB_CALLS} DynamoDB calls' bound "
            f"({MOST_DYNAMODB_CALLS} x {WORST_CASE_SECONDS:g} s) and stay under "
            f"API Gateway's {API_GATEWAY_TIMEOUT_SECONDS} s",
            "docs": "The function's timeout in seconds: over 21 s (three DynamoDB calls of at "
            "most 7 s each, what a request with an idempotency key usually makes; past that, no "
            "call starts that the time left could not see through, and the caller gets a 503) "
            "and under API Gateway's 29 s.",
        },
    )
    architecture: Literal["arm64", "x86_64"] = Field(
        "arm64",
        description="The function's architecture: arm64 or x86_64.",
        json_schema_extra={
            "refusal": "must be arm64 or x86_64",
            "docs": "`arm64` or `x86_64`. The code is pure Python, so either works.",
        },
    )
    point_in_time_recovery: ConfigBool = Field(
        False,
        description="Continuous backups of every table (a table's own pointInTimeRecovery "
        "overrides it).",
        json_schema_extra={
            "docs": "Continuous backups of every table (35 days), unless a table says otherwise.",
        },
    )
    deletion_protection: ConfigBool = Field(
        False,
        description="Refuse to delete or replace the tables (DynamoDB's deletion protection "
        "and Pulumi's protect); a table's own deletionProtection overrides it.",
        json_schema_extra={
            "docs": "The tables cannot be deleted or replaced (DynamoDB's deletion protection "
            "and Pulumi's `protect`); `pulumi destroy` fails until you turn it off and "
            "`pulumi up`. A table's own setting wins.",
        },
    )
    tracing: ConfigBool = Field(
        False,
        description="AWS X-Ray tracing for the stage and the function.",
        json_schema_extra={"docs": "X-Ray tracing for the stage and the function."},
    )
    versions: ConfigBool = Field(
        False,
        description="Publish a version of the function on each code change, and have API "
        "Gateway call it through the alias live, which a rollback points at an earlier version.",
        json_schema_extra={
            "docs": "Publish a version of the function on each code change; API Gateway and "
            "its invoke permission target the alias `live`, which a rollback points at an "
            "earlier version ([Operating](operating.md#rolling-back-versions)).",
        },
    )
    snap_start: ConfigBool = Field(
        False,
        description="Lambda SnapStart on the published versions (needs versions); the handler "
        "primes itself before the snapshot and renews its DynamoDB client after a restore.",
        json_schema_extra={
            "docs": "Lambda SnapStart on the published versions (needs `versions`): new "
            "environments start from a snapshot the handler primed "
            "([Operating](operating.md#starting-from-a-snapshot-snapstart)).",
        },
    )
    access_logs: ConfigBool = Field(
        False,
        description="The stage writes a JSON access log line per request (request id, caller, "
        "status, latencies) to a log group kept for logRetentionDays.",
        json_schema_extra={
            "docs": "The stage writes one JSON access-log line per request (request id, "
            "caller, key id, status, latencies, API Gateway's error) to "
            "`/aws/apigateway/<project>/<stack>/<name>/access`, kept `logRetentionDays` "
            "([Operating](operating.md#access-logs-accesslogs)).",
        },
    )
    api_gateway_logging_role: Literal["manage", "existing"] = Field(
        "existing",
        description="API Gateway writes logs only with a CloudWatch role set for the whole "
        "account and region. manage sets one from this stack; existing relies on one already "
        "set.",
        json_schema_extra={
            "refusal": "must be manage (this stack sets the account's role) or existing",
            "docs": "API Gateway writes logs only with a CloudWatch role set for the whole "
            "account and region: with `accessLogs`, `manage` sets one from this stack "
            "(`aws.apigateway.Account`; [one stack per account and "
            "region](#the-accounts-logging-role-apigatewayloggingrole)), `existing` relies on "
            "one already set.",
        },
    )
    metrics: ConfigBool = Field(
        False,
        description="Per-operation metrics (requests, latency, 4xx, 5xx) in the request's log "
        "line, in CloudWatch's Embedded Metric Format, namespace DynamoDBOperations/<stack>.",
        json_schema_extra={
            "docs": "Per-operation metrics in namespace `DynamoDBOperations/<stack>`, dimension "
            "`operation`: `Requests`, `Latency` (ms), `ClientErrors` (4xx), `ServerErrors` "
            "(5xx). They ride the request's existing log line in CloudWatch's Embedded Metric "
            "Format: no API call, no dependency, no permission beyond writing logs. Requests "
            "that name no registered operation count under `-`, so callers cannot mint "
            "metrics. A log level above INFO (`AWS_LAMBDA_LOG_LEVEL`) turns them off with the "
            "line.",
        },
    )
    alarms: ConfigBool = Field(
        False,
        description="CloudWatch alarms on API Gateway's 5xx rate and p99 latency, the "
        "function's errors, throttles and duration near its timeout, and each table's "
        "throttled requests and system errors, notifying an SNS topic (stack output "
        "alarmTopicArn). See docs/operating.md.",
        json_schema_extra={
            "docs": "CloudWatch alarms (API Gateway's 5xx rate and p99 latency; the function's "
            "errors, throttles and duration near its timeout; each table's throttled requests "
            "and system errors) notifying an SNS topic, the `alarmTopicArn` output "
            "([Operating](operating.md#alarms-alarms)).",
        },
    )
    alarm_email: ConfigText = Field(
        "",
        pattern=r"^(|[^@\s]+@[^@\s]+\.[A-Za-z]{2,})$",
        description="An email address subscribed to the alarms' topic (needs alarms); AWS "
        "mails it a link to confirm first.",
        json_schema_extra={
            "refusal": "must be one email address, like oncall@example.com",
            "docs": "An address subscribed to the alarms' topic (needs `alarms`); it must "
            "confirm AWS's email first.",
        },
    )
    alarm_thresholds: Annotated[AlarmThresholds, BeforeValidator(_thresholds_text)] = Field(
        AlarmThresholds.model_validate({}),
        description="Thresholds that differ from the defaults (AWS's recommended alarms): "
        f"{', '.join(AlarmThresholds.config_keys())}. See docs/operating.md.",
        json_schema_extra={
            "docs": "Thresholds that differ from the defaults, by key: "
            + ", ".join(
                f"`{field.alias}` ({field.default}{_unit(field.json_schema_extra)})"
                for field in AlarmThresholds.model_fields.values()
            )
            + ".",
        },
    )
    dashboard: ConfigBool = Field(
        False,
        description="A CloudWatch dashboard named <project>-<stack> with the API's, the "
        "function's, the tables' and the per-operation metrics, and the alarms.",
        json_schema_extra={
            "docs": "A CloudWatch dashboard `<project>-<stack>`: the alarms, API Gateway, the "
            "function, each operation and each table "
            "([Operating](operating.md#dashboard-dashboard)).",
        },
    )
    cors_allow_origin: ConfigText = Field(
        "",
        pattern=r"^(|\*|https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?)$",
        description='An origin browsers may call the API from ("*" for any); empty for no CORS.',
        json_schema_extra={
            "refusal": "must be empty, * or one origin like https://app.example.com",
            "docs": "An origin browsers may call from (`*` for any); empty for no CORS.",
        },
    )
    #: The stack's ``operationPackages``; on :class:`Settings`, every installed plugin
    #: not in ``excludePlugins`` follows them.
    operation_packages: ConfigNames = Field(
        operation_packages.DEFAULT_PACKAGES,
        min_length=1,
        description="Python packages whose modules are the API's operations. Installed "
        "plugins (distributions with a dynamodb_operations entry point) are added to them, "
        "unless excludePlugins names them.",
        json_schema_extra={
            "refusal": "must name at least one package",
            "docs": "Python packages whose modules are the API's operations; installed plugins "
            "(distributions with a `dynamodb_operations` entry point) are added to them. Each "
            "is packaged with the function; the role gets exactly the actions their operations "
            "declare.",
        },
    )
    exclude_plugins: ConfigNames = Field(
        (),
        description="Installed plugin distributions (or their entry points or packages) this "
        "stack leaves out.",
        json_schema_extra={
            "docs": "Installed plugins this stack leaves out, by distribution, entry-point or "
            "package name; a name that matches none is a warning.",
        },
    )

    @field_validator("reserved_concurrency")
    @classmethod
    def _reserves_some(cls, value: int) -> int:
        if value == 0:
            raise ValueError("0 would refuse every request")
        return value

    @model_validator(mode="before")
    @classmethod
    def _never_open_by_omission(cls, raw: Any) -> Any:
        """A stack without an ``authMode`` line gets its API type's default, never none."""
        if isinstance(raw, dict) and "authMode" not in raw:
            api_type = raw.get("apiType", "rest")
            return {**raw, "authMode": DEFAULT_AUTH_MODES.get(str(api_type), "apiKey")}
        return raw

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.snap_start and not self.versions:
            refuse(
                "needs versions: true (SnapStart applies to published versions only)",
                at=("snapStart",),
            )
        if self.alarm_email and not self.alarms:
            refuse("needs alarms: true (it subscribes to the alarms' topic)", at=("alarmEmail",))
        http = self.api_type == "http"
        if http and self.auth_mode == "apiKey":
            refuse(
                "apiKey needs apiType rest: HTTP APIs have no API keys or usage plans; use "
                "iam, jwt or none",
                at=("authMode",),
            )
        if http and "api_key_quota_per_day" in self.model_fields_set:
            refuse("needs apiType rest: HTTP APIs have no usage plans", at=("apiKeyQuotaPerDay",))
        if self.auth_mode == "jwt":
            if not http:
                refuse(
                    "jwt needs apiType http: a REST API takes iam, apiKey or none here",
                    at=("authMode",),
                )
            if not self.jwt_issuer:
                refuse("needs jwtIssuer: the https URL of the tokens' issuer", at=("authMode",))
            if not self.jwt_audience:
                refuse("needs jwtAudience: the audiences a token may be for", at=("authMode",))
            if not all(self.jwt_audience):
                refuse(
                    "must name each audience; an empty one matches no token", at=("jwtAudience",)
                )
        else:
            for key, value in (("jwtIssuer", self.jwt_issuer), ("jwtAudience", self.jwt_audience)):
                if value:
                    refuse("needs authMode: jwt", at=(key,))
        return self

    @model_validator(mode="wrap")
    @classmethod
    def _tables_protected_as_the_stack_says(cls, raw: Any, handler: _Handler[Self]) -> Self:
        """Each table named, with the stack's backups and protection unless it has its own."""
        settings = handler(raw)
        tables = with_stack_protection(
            settings.tables,
            point_in_time_recovery=settings.point_in_time_recovery,
            deletion_protection=settings.deletion_protection,
        )
        return settings.model_copy(update={"tables": tables})

    @classmethod
    def refuse_unknown(cls, key: str, value: Any) -> NoReturn:
        refuse(
            f"is not a setting of this project; {_hint(key, value, cls.config_keys())}", at=(key,)
        )


class Settings(Firewall, CustomDomain, ProgramSettings):
    """Everything one deployment of the API is configured with: every group of settings.

    Its fields are the config keys of a stack (``stage_name`` is ``stageName``);
    ``plugins`` and ``warnings`` are worked out from them by :func:`settings_from`.
    """

    _plugins: Mapping[str, str] = PrivateAttr(default_factory=dict)
    _warnings: tuple[str, ...] = PrivateAttr(())

    @model_validator(mode="after")
    def _edge_fits_the_api_type(self) -> Self:
        if self.api_type == "http" and self.waf:
            refuse(
                "needs apiType rest: AWS WAF protects REST API stages, not HTTP APIs (put a "
                "CloudFront distribution with WAF in front of an HTTP API instead)",
                at=("waf",),
            )
        return self

    @property
    def plugins(self) -> Mapping[str, str]:
        """The distribution each plugin package in ``operation_packages`` comes from."""
        return self._plugins

    @property
    def warnings(self) -> tuple[str, ...]:
        """What the stack's files should change (an old setting still read), for the deployer."""
        return self._warnings

    @property
    def table_indexes(self) -> dict[str, tuple[str, ...]]:
        """Each table's index names: what operations' needs are checked against."""
        return {name: definition.index_names for name, definition in self.tables.items()}

    def tables_of(self, operation: Operation) -> list[str]:
        """The stack's tables ``operation`` runs on, by logical name, in the stack's order."""
        return [
            name for name, indexes in self.table_indexes.items() if operation.serves(name, indexes)
        ]

    def served(
        self,
        operation_packages: tuple[str, ...],
        plugins: Mapping[str, str],
        warnings: tuple[str, ...],
    ) -> Settings:
        """These settings serving ``operation_packages`` (plugins' among them), with warnings."""
        if not operation_packages:
            raise SettingsError("config operationPackages must name at least one package")
        served = self.model_copy(update={"operation_packages": operation_packages})
        served._plugins, served._warnings = dict(plugins), warnings
        return served


def settings_from(values: Mapping[str, Any]) -> Settings:
    """Build settings from the project's config values (keys without the project prefix).

    Values are strings (as the Pulumi CLI hands them over) or YAML-typed values;
    a setting left out has its default.
    """
    values = dict(values)
    empty = [
        key
        for key, value in values.items()
        if value is None and key not in LEGACY_TABLE_SETTINGS  # those are read if set
    ]
    if empty:
        raise SettingsError(
            f"config {empty[0]} has no value; give one, or remove it for its default"
        )
    tables, warnings = _tables_setting(values)
    for key in LEGACY_TABLE_SETTINGS:
        values.pop(key, None)
    if tables is not None:
        values["tables"] = tables
    try:
        settings = Settings.model_validate(values)
    except ValidationError as error:
        raise settings_error(error, Settings) from None
    try:
        packages, plugins, left_out = operation_packages.resolve(
            settings.operation_packages, settings.exclude_plugins
        )
    except operation_packages.PluginError as error:
        raise SettingsError(str(error)) from None
    return settings.served(packages, plugins, (*warnings, *left_out))


def _hint(key: str, value: Any, known: tuple[str, ...]) -> str:
    """What the author of an unknown setting most likely meant."""
    if key in TABLE_FIELDS or SYNONYMS.get(key) in TABLE_FIELDS:
        key = SYNONYMS.get(key, key)
        example = yaml.safe_dump(
            {"tables": {TUTORIAL_TABLE_NAME: {"hashKey": "Id", key: value}}},
            default_flow_style=True,
        ).strip()
        return f"{key} belongs to a table's definition in tables, like {example}"
    same_but_case = [name for name in known if name.lower() == key.lower()]
    nearest = same_but_case or difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
    if nearest:
        return f"did you mean {nearest[0]}?"
    return f"the settings are {', '.join(sorted(known))}"


def _tables_setting(values: Mapping[str, Any]) -> tuple[Any, tuple[str, ...]]:
    """The ``tables`` value built from the old single-table settings, if a stack has them.

    ``None`` (and no warning) where it has none: ``tables`` is then as given.
    """
    legacy = {key: values[key] for key in LEGACY_TABLE_SETTINGS if values.get(key) is not None}
    tables = values.get("tables")
    if not legacy:
        return None, ()
    if tables is not None and parsed_json(tables) != default_tables():
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


def default_tables() -> Any:
    """The ``tables`` default, as Pulumi.yaml declares it: the tutorial's one table."""
    return config_default(Settings, "tables")


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
    return settings.served(
        tuple(p for p in settings.operation_packages if p not in gone),
        {p: name for p, name in settings.plugins.items() if p not in gone},
        (
            *settings.warnings,
            *(
                f"plugin {name} is installed but uv.lock no longer lists it: left out "
                "(any make target uninstalls it)"
                for name in sorted({settings.plugins[package] for package in gone})
            ),
        ),
    )
