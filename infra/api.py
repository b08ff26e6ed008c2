"""The whole API as one Pulumi component: tables, function, REST API, stage and its protection.

Everything the tutorial builds by hand, without its traps:

* every table the stack declares (:mod:`infra.table_definitions`), on demand,
  protected from deletion and replacement where the stack asks for it;
* the function's role may do only what the registered operations declare, on
  the tables and indexes they run on and its own log group (:mod:`infra.policy`);
* the REST API is defined by its OpenAPI document (:mod:`infra.openapi`, from
  the same registry), as SAM's ``DefinitionBody`` does: the proxy integration,
  the request model and validator, API keys or IAM, CORS. Removing a part
  removes it in the same update, which a REST API built part by part cannot
  promise (pulumi-aws#3289);
* the Lambda permissions' source ARNs name this API's ``POST /DynamoDBManager`` and
  its routes (:func:`invoke_source_paths`), nothing else;
* the deployment is replaced whenever the document changes (its ``triggers``
  hash it), and the stage moves to it;
* the URL is the stage's invoke URL (which ends with the stage name) plus the
  resource path, so the stage appears once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws

from function import idempotency, metrics
from function.registry import Operation, Registry
from function.routes import Route
from infra import openapi
from infra.alarms import Watched, declare_alarms
from infra.archive import ArchiveError, archive_files, generated_files
from infra.dashboard import dashboard_body
from infra.dependencies import LambdaPlatform
from infra.domain import custom_domain
from infra.firewall import web_acl
from infra.grants import check_requirements, table_grants
from infra.policy import (
    function_policy,
    lambda_trust_policy,
    policy_json,
    service_trust_policy,
)
from infra.resource_names import function_resource_name, stack_resource_name
from infra.rest_api import RESOURCE_PATH
from infra.settings import Settings
from infra.table_definitions import Index, TableDefinition, primary_table, table_resource_names

COMPONENT_TYPE = "dynamodb-operations:api:DynamoDBOperationsApi"
HANDLER = "function.handler.handler"
RUNTIME = "python3.13"
REST_API_NAME = "DynamoDBOperations"
#: AWS's managed policy for API Gateway's account-wide logging role.
API_GATEWAY_LOGGING_POLICY = (
    "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
)
#: One JSON object per request: who called, what, the answer, and how long each part took.
ACCESS_LOG_FORMAT = {
    "requestId": "$context.requestId",
    "extendedRequestId": "$context.extendedRequestId",
    "requestTime": "$context.requestTime",
    "ip": "$context.identity.sourceIp",
    "caller": "$context.identity.caller",
    "user": "$context.identity.user",
    "userArn": "$context.identity.userArn",
    "apiKeyId": "$context.identity.apiKeyId",
    "userAgent": "$context.identity.userAgent",
    "httpMethod": "$context.httpMethod",
    "resourcePath": "$context.resourcePath",
    "protocol": "$context.protocol",
    "status": "$context.status",
    "responseLength": "$context.responseLength",
    "responseLatency": "$context.responseLatency",
    "integrationStatus": "$context.integration.status",
    "integrationLatency": "$context.integrationLatency",
    "errorType": "$context.error.responseType",
    "errorMessage": "$context.error.message",
    "validationError": "$context.error.validationErrorString",
}
#: The alias API Gateway calls when the stack publishes versions.
LIVE_ALIAS = "live"
#: The largest resource-based policy a function (or alias) may have: one statement per
#: permission. "Function resource-based policy: 20 KB", a quota that cannot be changed
#: (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
FUNCTION_POLICY_BYTES = 20 * 1024
#: How API Gateway names a method it calls a function for: ``arn:aws:execute-api:{region}:
#: {account}:{api-id}/{stage}/{METHOD}/{resource path}``; ``*`` for any stage or method.
EXECUTE_API_ARNS = (
    "https://docs.aws.amazon.com/apigateway/latest/developerguide/"
    "api-gateway-control-access-using-iam-policies-to-invoke-api.html",
    "https://docs.aws.amazon.com/apigateway/latest/developerguide/"
    "api-gateway-iam-policy-examples-for-api-execution.html",
)
#: How a permission's source ARN is matched: ``ArnLike``, each of the ARN's six
#: colon-separated parts on its own, ``*`` for any characters and ``?`` for one.
ARN_LIKE = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
    "reference_policies_elements_condition_operators.html#Conditions_ARN"
)
#: The routes' permission when one per first path segment would not fit in the policy:
#: every path of two segments or more (``/DynamoDBManager`` has one).
ALL_DEEPER_ROUTES = "/*/*/*/*"
#: The longest a permission's statement can be, but for its source path, as Lambda stores
#: it: the provider's statement id (``terraform-`` and 26 characters), the longest
#: partition, a longer region than any, a 64-character function name and its alias, a
#: 10-character API id.
_STATEMENT = json.dumps(
    {
        "Sid": "terraform-" + "0" * 26,
        "Effect": "Allow",
        "Principal": {"Service": "apigateway.amazonaws.com"},
        "Action": "lambda:InvokeFunction",
        "Resource": f"arn:aws-us-gov:lambda:{'r' * 20}:123456789012:function:{'f' * 64}:"
        f"{LIVE_ALIAS}",
        "Condition": {
            "ArnLike": {
                "AWS:SourceArn": f"arn:aws-us-gov:execute-api:{'r' * 20}:123456789012:{'i' * 10}"
            }
        },
    },
    separators=(",", ":"),
)
_POLICY = json.dumps({"Version": "2012-10-17", "Id": "default", "Statement": []})


def invoke_source_paths(routes: Iterable[Route]) -> dict[str, str]:
    """What API Gateway may invoke the function on beside ``POST /DynamoDBManager``: each
    permission's name suffix and the path its source ARN has after the API's execution ARN.

    API Gateway names a call ``{execution ARN}/{stage}/{METHOD}/{resource path}``
    (:data:`EXECUTE_API_ARNS`), and ``ArnLike`` lets ``*`` stand for any characters, ``/``
    included (:data:`ARN_LIKE`). So ``/*/*/{table}/*`` is every stage's every method on a
    table's routes, the ANY method's included, whatever the path parameters' values: one
    permission per first segment of the routes' paths (``/{first}`` itself too, where a
    route an operation declares is that one segment). Where those would not fit in the
    function's policy (:data:`FUNCTION_POLICY_BYTES`: some 45 tables, fewer with long
    names), one takes every path of two segments or more, ``/*/*/*/*``, which in this API
    are routes and nothing else (``/DynamoDBManager`` has one segment).
    """
    deeper: dict[str, str] = {}
    itself: dict[str, str] = {}
    for route in routes:
        first, _, rest = route.path.lstrip("/").partition("/")
        if rest:
            deeper[first] = f"/*/*/{first}/*"
        else:
            itself[f"{first}-itself"] = f"/*/*/{first}"
    statements = ["/*/POST" + RESOURCE_PATH, *deeper.values(), *itself.values()]
    size = len(_POLICY) + sum(len(_STATEMENT) + len(path) + 1 for path in statements)
    if size > FUNCTION_POLICY_BYTES:
        deeper = {"routes": ALL_DEEPER_ROUTES}
    return dict(sorted({**deeper, **itself}.items()))


def metrics_namespace(stack: str) -> str:
    """Where a stack's per-operation metrics go in CloudWatch: one namespace per stack."""
    return f"{REST_API_NAME}/{stack}"


def rest_api_name(stack: str) -> str:
    """The REST API's name: the stack in it, so dev and prod are told apart in the console."""
    return f"{REST_API_NAME}-{stack}"


def api_gateway_logging_role_name(region: str) -> str:
    """The logging role's name: one per account and region, as the setting it serves is."""
    return f"api-gateway-cloudwatch-logs-{region}"


def log_group_name(project: str, stack: str, name: str) -> str:
    """The function's log group: fixed per project, stack and component, so operators find it."""
    return f"/aws/lambda/{project}/{stack}/{name}"


class DynamoDBOperationsApi(pulumi.ComponentResource):
    """The tutorial's DynamoDB operations API, deployed whole from one stack's settings.

    Child resources are named from ``name``, so one program may hold several.
    """

    url: pulumi.Output[str]
    #: The physical name of the primary table (see :func:`primary_table`), if there is one.
    table_name: pulumi.Output[str] | None
    #: Every logical table name and its physical name.
    table_names: pulumi.Output[dict[str, str]]
    function_name: pulumi.Output[str]
    api_key: pulumi.Output[str] | None
    #: The API's OpenAPI document, its server the stage's URL (what ``/docs`` shows locally).
    openapi: pulumi.Output[str]
    #: The SNS topic the alarms notify (``alarms``), for more subscriptions.
    alarm_topic_arn: pulumi.Output[str] | None
    #: The CloudWatch dashboard's name (``dashboard``).
    dashboard_name: pulumi.Output[str] | None
    #: What the custom domain's DNS name must point at (``domainName``).
    domain_target: pulumi.Output[str] | None

    def __init__(
        self, name: str, settings: Settings, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(COMPONENT_TYPE, name, None, opts)
        self._name = name
        self._settings = settings
        operations = Registry(settings.operation_packages, settings.plugins).all()
        check_requirements(
            operations.values(),
            settings.table_indexes,
        )

        primary = primary_table(settings.tables)
        resource_names = table_resource_names(settings.tables, name)
        served = {
            table: self._table(definition, *resource_names[table])
            for table, definition in settings.tables.items()
        }
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=log_group_name(pulumi.get_project(), pulumi.get_stack(), name),
            retention_in_days=settings.log_retention_days,
            opts=self._child(),
        )
        records = self._idempotency_table()
        function = self._function(operations, served, records, log_group)
        live = self._live_alias(function) if settings.versions else None
        invoke_arn = live.invoke_arn if live is not None else function.invoke_arn

        body = invoke_arn.apply(
            lambda uri: openapi.dumps(openapi.api_gateway_document(operations, settings, uri))
        )
        # Not "-rest-api", the API version 1 built part by part: importing the document over
        # it would leave Pulumi deleting its old parts (by name and id) from the new one.
        rest_api = aws.apigateway.RestApi(
            f"{name}-api",
            name=rest_api_name(pulumi.get_stack()),
            description=f"DynamoDB operations over HTTPS (POST /DynamoDBManager), stack "
            f"{pulumi.get_stack()}",
            body=body,
            # Each update replaces the whole definition, so a part the document lost is gone.
            put_rest_api_mode="overwrite",
            endpoint_configuration={"types": "REGIONAL"},
            opts=self._child(),
        )

        permission = aws.lambda_.Permission(
            f"{name}-permission",
            function=function.name,
            qualifier=live.name if live is not None else None,
            action="lambda:InvokeFunction",
            principal="apigateway.amazonaws.com",
            source_arn=pulumi.Output.concat(rest_api.execution_arn, "/*/POST", RESOURCE_PATH),
            opts=self._child(),
        )
        routed = openapi.served_routes(operations, settings)
        permissions = [permission] + [
            aws.lambda_.Permission(
                f"{name}-permission-{suffix}",
                function=function.name,
                qualifier=live.name if live is not None else None,
                action="lambda:InvokeFunction",
                principal="apigateway.amazonaws.com",
                source_arn=pulumi.Output.concat(rest_api.execution_arn, path),
                opts=self._child(),
            )
            for suffix, path in invoke_source_paths(routed).items()
        ]

        stage = self._stage(rest_api, body, permissions)
        base_url: pulumi.Output[str] = stage.invoke_url
        self.domain_target = None
        if settings.domain_name:
            domain = custom_domain(name, settings, rest_api, stage, self._child())
            base_url, self.domain_target = domain.base_url, domain.target
        if settings.waf:
            web_acl(name, self._stack_name(), settings.waf_rate_limit, stage, self._child())
        self.url = pulumi.Output.concat(base_url, RESOURCE_PATH)
        self.table_name = served[primary].name if primary is not None else None
        self.table_names = _physical_names(served)
        self.function_name = function.name
        self.api_key = self._api_key(rest_api, stage) if settings.auth_mode == "apiKey" else None
        watched = Watched(
            api_name=rest_api.name,
            stage_name=stage.stage_name,
            function_name=function.name,
            timeout_seconds=settings.timeout,
            tables={
                **{f"table-{table}": served[table].name for table in served},
                "idempotency-records": records.name,
            },
            metrics_namespace=metrics_namespace(pulumi.get_stack()) if settings.metrics else None,
        )
        self.alarm_topic_arn, alarms = self._alarms(watched)
        self.dashboard_name = self._dashboard(watched, alarms) if settings.dashboard else None
        self.openapi = base_url.apply(
            lambda base: openapi.dumps(
                openapi.document(operations, settings, servers=[{"url": base}])
            )
        )
        outputs: dict[str, Any] = {
            "url": self.url,
            "tableNames": self.table_names,
            "functionName": self.function_name,
            "openapi": self.openapi,
        }
        if self.table_name is not None:
            outputs["tableName"] = self.table_name
        if self.api_key is not None:
            outputs["apiKey"] = self.api_key
        for key, value in (
            ("alarmTopicArn", self.alarm_topic_arn),
            ("dashboardName", self.dashboard_name),
            ("domainTarget", self.domain_target),
        ):
            if value is not None:
                outputs[key] = value
        self.register_outputs(outputs)

    def _child(self, **options: Any) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, **options)

    def _stack_name(self) -> str:
        return stack_resource_name(pulumi.get_project(), pulumi.get_stack())

    def _alarms(
        self, watched: Watched
    ) -> tuple[pulumi.Output[str] | None, list[aws.cloudwatch.MetricAlarm]]:
        """The alarms and the topic they notify (its ARN), where the stack turns them on."""
        settings, name = self._settings, self._name
        if not settings.alarms:
            return None, []
        topic = aws.sns.Topic(
            f"{name}-alarms",
            display_name=f"{self._stack_name()} alarms",
            opts=self._child(),
        )
        if settings.alarm_email:
            aws.sns.TopicSubscription(
                f"{name}-alarm-email",
                topic=topic.arn,
                protocol="email",
                endpoint=settings.alarm_email,
                opts=self._child(),
            )
        alarms = declare_alarms(
            self._stack_name(), watched, settings.alarm_thresholds, topic.arn, self._child()
        )
        return topic.arn, alarms

    def _dashboard(
        self, watched: Watched, alarms: list[aws.cloudwatch.MetricAlarm]
    ) -> pulumi.Output[str]:
        """The stack's dashboard (its name): what ``watched`` names, and the alarms' states."""
        region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self)).region
        body = pulumi.Output.all(
            region=region,
            api_name=watched.api_name,
            stage_name=watched.stage_name,
            function_name=watched.function_name,
            tables=pulumi.Output.all(**watched.tables),
            alarm_arns=pulumi.Output.all(*(alarm.arn for alarm in alarms)),
        ).apply(
            lambda names: json.dumps(
                dashboard_body(
                    title=self._stack_name(),
                    metrics_namespace=watched.metrics_namespace,
                    **names,
                )
            )
        )
        dashboard = aws.cloudwatch.Dashboard(
            f"{self._name}-dashboard",
            dashboard_name=self._stack_name(),
            dashboard_body=body,
            opts=self._child(),
        )
        return dashboard.dashboard_name

    def _table(
        self, definition: TableDefinition, resource_name: str, aliases: tuple[str, ...]
    ) -> aws.dynamodb.Table:
        """One declared table; protected (Pulumi refuses to delete or replace it) when asked.

        A key or local index change replaces a table, and so loses its items.
        """
        args: dict[str, Any] = {
            "billing_mode": "PAY_PER_REQUEST",
            "hash_key": definition.hash_key,
            "attributes": [
                {"name": name, "type": kind}
                for name, kind in sorted(definition.attribute_types.items())
            ],
            "point_in_time_recovery": {"enabled": definition.point_in_time_recovery},
            "deletion_protection_enabled": definition.deletion_protection,
        }
        if definition.range_key is not None:
            args["range_key"] = definition.range_key
        if definition.global_indexes:
            args["global_secondary_indexes"] = [
                _projected(
                    index,
                    name=index.name,
                    key_schemas=[
                        {"attribute_name": index.hash_key, "key_type": "HASH"},
                        *(
                            [{"attribute_name": index.range_key, "key_type": "RANGE"}]
                            if index.range_key is not None
                            else []
                        ),
                    ],
                )
                for index in definition.global_indexes
            ]
        if definition.local_indexes:
            args["local_secondary_indexes"] = [
                _projected(index, name=index.name, range_key=index.range_key)
                for index in definition.local_indexes
            ]
        if definition.ttl_attribute is not None:
            args["ttl"] = {"attribute_name": definition.ttl_attribute, "enabled": True}
        if definition.stream is not None:
            args["stream_enabled"] = True
            args["stream_view_type"] = definition.stream
        return aws.dynamodb.Table(
            resource_name,
            **args,
            opts=self._child(
                protect=definition.deletion_protection,
                aliases=[pulumi.Alias(name=alias) for alias in aliases],
            ),
        )

    def _idempotency_table(self) -> aws.dynamodb.Table:
        """Where retried requests find their first result; records expire by TTL."""
        return aws.dynamodb.Table(
            f"{self._name}-idempotency",
            billing_mode="PAY_PER_REQUEST",
            hash_key=idempotency.RECORD_KEY,
            attributes=[{"name": idempotency.RECORD_KEY, "type": "S"}],
            ttl={"attribute_name": idempotency.EXPIRES_AT, "enabled": True},
            opts=self._child(),
        )

    def _function(
        self,
        operations: Mapping[str, Operation],
        served: Mapping[str, aws.dynamodb.Table],
        records: aws.dynamodb.Table,
        log_group: aws.cloudwatch.LogGroup,
    ) -> aws.lambda_.Function:
        settings, name = self._settings, self._name
        role = aws.iam.Role(
            f"{name}-role",
            assume_role_policy=json.dumps(lambda_trust_policy()),
            description="The DynamoDB operations function: its tables and its logs, nothing else",
            opts=self._child(),
        )
        grants = table_grants(
            operations.values(),
            settings.table_indexes,
        )
        table_arns = pulumi.Output.all(**{table: served[table].arn for table in served})
        policy = aws.iam.RolePolicy(
            f"{name}-policy",
            role=role.name,
            policy=pulumi.Output.all(table_arns, log_group.arn, records.arn).apply(
                lambda arns: policy_json(
                    function_policy(
                        grants,
                        table_arns=arns[0],
                        log_group_arn=arns[1],
                        tracing=settings.tracing,
                        idempotency_table_arn=arns[2],
                    )
                )
            ),
            opts=self._child(),
        )
        variables: dict[str, pulumi.Input[str]] = {
            "TABLES": _physical_names(served).apply(
                lambda names: json.dumps(names, separators=(",", ":"))
            ),
            "IDEMPOTENCY_TABLE": records.name,
        }
        if settings.cors_allow_origin:
            variables["CORS_ALLOW_ORIGIN"] = settings.cors_allow_origin
        if settings.metrics:
            variables[metrics.NAMESPACE_VARIABLE] = metrics_namespace(pulumi.get_stack())
        return aws.lambda_.Function(
            function_resource_name(name),
            description="Serves POST /DynamoDBManager: DynamoDB operations on its tables, stack "
            f"{pulumi.get_stack()}",
            role=role.arn,
            runtime=RUNTIME,
            handler=HANDLER,
            code=asset_archive(
                archive_files(
                    settings.operation_packages,
                    plugins=settings.plugins,
                    platform=LambdaPlatform(RUNTIME.removeprefix("python"), settings.architecture),
                ),
                generated=generated_files(
                    settings.operation_packages,
                    {table: spec.key_schema for table, spec in settings.tables.items()},
                ),
            ),
            architectures=[settings.architecture],
            memory_size=settings.memory_size,
            reserved_concurrent_executions=settings.reserved_concurrency,
            timeout=settings.timeout,
            environment={"variables": variables},
            logging_config={"log_format": "JSON", "log_group": log_group.name},
            tracing_config={"mode": "Active" if settings.tracing else "PassThrough"},
            publish=settings.versions,
            snap_start={"apply_on": "PublishedVersions"} if settings.snap_start else None,
            opts=self._child(depends_on=[policy, log_group]),
        )

    def _live_alias(self, function: aws.lambda_.Function) -> aws.lambda_.Alias:
        """``live``: the published version API Gateway calls; rolling back moves it."""
        return aws.lambda_.Alias(
            f"{self._name}-live",
            name=LIVE_ALIAS,
            description="The version API Gateway calls; point it at an earlier one to roll back",
            function_name=function.name,
            function_version=function.version,
            opts=self._child(),
        )

    def _stage(
        self,
        rest_api: aws.apigateway.RestApi,
        body: pulumi.Output[str],
        permissions: list[aws.lambda_.Permission],
    ) -> aws.apigateway.Stage:
        """The stage, on a deployment replaced whenever the API's document changes.

        The deployment waits for API Gateway's permissions to invoke the function
        (or the alias a ``versions`` toggle moves it to), so the stage never serves
        a route it may not call: that would be a 500 to every caller meanwhile.
        """
        settings, name = self._settings, self._name
        deployment = aws.apigateway.Deployment(
            f"{name}-deployment",
            rest_api=rest_api.id,
            description="Replaced whenever the API's OpenAPI document changes",
            triggers={
                "redeployment": body.apply(lambda text: hashlib.sha256(text.encode()).hexdigest())
            },
            opts=self._child(depends_on=[rest_api, *permissions]),
        )
        stage = aws.apigateway.Stage(
            f"{name}-stage",
            rest_api=rest_api.id,
            deployment=deployment.id,
            stage_name=settings.stage_name,
            xray_tracing_enabled=settings.tracing,
            **self._access_logs(),
        )
        aws.apigateway.MethodSettings(
            f"{name}-method-settings",
            rest_api=rest_api.id,
            stage_name=stage.stage_name,
            method_path="*/*",
            settings={
                "metrics_enabled": True,
                "throttling_rate_limit": settings.throttle_rate_limit,
                "throttling_burst_limit": settings.throttle_burst_limit,
            },
            opts=self._child(),
        )
        return stage

    def _access_logs(self) -> dict[str, Any]:
        """The stage's JSON access log, where the stack turns it on, and what it needs first.

        API Gateway writes access logs only with a CloudWatch role set for the
        whole account and region; ``apiGatewayLoggingRole: manage`` sets one.
        """
        settings, name = self._settings, self._name
        if not settings.access_logs:
            return {"opts": self._child()}
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-access-logs",
            name=f"/aws/apigateway/{pulumi.get_project()}/{pulumi.get_stack()}/{name}/access",
            retention_in_days=settings.log_retention_days,
            opts=self._child(),
        )
        needs: list[pulumi.Resource] = [log_group]
        if settings.api_gateway_logging_role == "manage":
            needs.append(self._api_gateway_logging_role())
        return {
            "access_log_settings": {
                "destination_arn": log_group.arn,
                "format": json.dumps(ACCESS_LOG_FORMAT, separators=(",", ":")),
            },
            "opts": self._child(depends_on=needs),
        }

    def _api_gateway_logging_role(self) -> aws.apigateway.Account:
        """API Gateway's CloudWatch role for the account and region, set from this stack.

        The setting is one per account and region, so the role's name is too
        (:func:`api_gateway_logging_role_name`): a second stack that would manage
        it fails to create the role, naming it, before it can take the setting
        over. The policy is attached as a resource of its own, never through the
        role's deprecated ``managed_policy_arns``; the setting waits for it.
        """
        name = self._name
        region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self)).region
        role = aws.iam.Role(
            f"{name}-api-gateway-logging-role",
            name=region.apply(api_gateway_logging_role_name),
            assume_role_policy=json.dumps(service_trust_policy("apigateway.amazonaws.com")),
            description=f"API Gateway's CloudWatch role for the account and region, managed by "
            f"stack {pulumi.get_project()}/{pulumi.get_stack()}",
            opts=self._child(),
        )
        attachment = aws.iam.RolePolicyAttachment(
            f"{name}-api-gateway-logging-policy",
            role=role.name,
            policy_arn=API_GATEWAY_LOGGING_POLICY,
            opts=self._child(),
        )
        return aws.apigateway.Account(
            f"{name}-api-gateway-account",
            cloudwatch_role_arn=role.arn,
            opts=self._child(depends_on=[attachment]),
        )

    def _api_key(
        self, rest_api: aws.apigateway.RestApi, stage: aws.apigateway.Stage
    ) -> pulumi.Output[str]:
        settings, name = self._settings, self._name
        key = aws.apigateway.ApiKey(
            f"{name}-api-key",
            description="The key callers send as x-api-key",
            enabled=True,
            opts=self._child(),
        )
        plan = aws.apigateway.UsagePlan(
            f"{name}-usage-plan",
            description="Throttle and daily quota of the API key",
            api_stages=[{"api_id": rest_api.id, "stage": stage.stage_name}],
            throttle_settings={
                "rate_limit": settings.throttle_rate_limit,
                "burst_limit": settings.throttle_burst_limit,
            },
            quota_settings={"limit": settings.api_key_quota_per_day, "period": "DAY"},
            opts=self._child(),
        )
        aws.apigateway.UsagePlanKey(
            f"{name}-usage-plan-key",
            key_id=key.id,
            key_type="API_KEY",
            usage_plan_id=plan.id,
            opts=self._child(),
        )
        return pulumi.Output.secret(key.value)


def _projected(index: Index, **args: Any) -> dict[str, Any]:
    """An index's arguments with its projection."""
    args["projection_type"] = index.projection_type
    if index.included_attributes:
        args["non_key_attributes"] = list(index.included_attributes)
    return args


def _physical_names(served: Mapping[str, aws.dynamodb.Table]) -> pulumi.Output[dict[str, str]]:
    return pulumi.Output.all(**{table: resource.name for table, resource in served.items()}).apply(
        lambda names: dict(sorted(names.items()))
    )


def asset_archive(
    files: Mapping[str, Path], generated: Mapping[str, str] | None = None
) -> pulumi.AssetArchive:
    """The code archive handed to the engine: one asset per entry (the engine zips them).

    ``generated`` adds the program's own files, as text (see :func:`infra.archive.generated_files`).
    """
    assets: dict[str, pulumi.Asset] = {name: pulumi.FileAsset(str(p)) for name, p in files.items()}
    for name, text in (generated or {}).items():
        if name in assets:
            raise ArchiveError(f"{name} is generated, but a package already has that file")
        assets[name] = pulumi.StringAsset(text)
    return pulumi.AssetArchive(dict(sorted(assets.items())))
