"""The whole API as one Pulumi component: tables, function, and the API Gateway API in front.

Everything the tutorial builds by hand, without its traps:

* every table the stack declares (:mod:`infra.table_definitions`), on demand,
  protected from deletion and replacement where the stack asks for it;
* the function's role may do only what the registered operations declare, on
  the tables and indexes they run on and its own log group (:mod:`infra.policy`);
* in front of the function, the stack's ``apiType``: a REST API defined by its
  OpenAPI document (:mod:`infra.rest_gateway`) or an HTTP API, cheaper and
  faster, with a route per served route (:mod:`infra.http_api`);
* the Lambda permissions' source ARNs name this API's ``POST /DynamoDBManager`` and
  its routes (:func:`invoke_source_paths`), nothing else;
* the alarms and the dashboard watch the API by the metrics its type publishes,
  the function and every table;
* the URL is where ``POST /DynamoDBManager`` is called, through the stage or the
  custom domain.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws

from function import idempotency, metrics
from function.registry import Operation, Registry
from function.routes import MICROSERVICE_ENV, Route
from infra import openapi
from infra.alarms import Watched, declare_alarms
from infra.archive import ArchiveError, archive_files, generated_files
from infra.dashboard import dashboard_body
from infra.dependencies import LambdaPlatform
from infra.gateway import API_NAME, Backend, Front
from infra.grants import check_requirements, table_grants
from infra.http_api import http_gateway
from infra.policy import function_policy, lambda_trust_policy, policy_json
from infra.resource_names import function_resource_name, stack_resource_name
from infra.rest_api import RESOURCE_PATH
from infra.rest_gateway import ACCESS_LOG_FORMAT as ACCESS_LOG_FORMAT
from infra.rest_gateway import rest_gateway
from infra.settings import Settings
from infra.table_definitions import Index, TableDefinition, primary_table, table_resource_names

COMPONENT_TYPE = "dynamodb-operations:api:DynamoDBOperationsApi"
HANDLER = "function.handler.handler"
RUNTIME = "python3.13"
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
#: The catch-all's permission (``routes: proxy``): every stage, method and path, as the
#: console and SAM grant a ``/{proxy+}`` resource's ANY method.
EVERY_PATH = "/*/*/*"
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


def invoke_source_paths(routes: Iterable[Route], *, catch_all: bool = False) -> dict[str, str]:
    """What API Gateway may invoke the function on beside ``POST /DynamoDBManager``: each
    permission's name suffix and the path its source ARN has after the API's execution ARN.

    With the ``catch_all`` (``routes: proxy``) every path may reach the function, whatever
    routes it has now, so one permission takes them all: :data:`EVERY_PATH`. (It matches
    ``GET /DynamoDBManager`` too, which API Gateway never sends: that resource takes POST
    alone, and the catch-all leaves it out.)

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
    if catch_all:
        return {"proxy": EVERY_PATH}
    deeper: dict[str, str] = {}
    itself: dict[str, str] = {}
    for route in routes:
        first, _, rest = route.path.lstrip("/").partition("/")
        if rest:
            deeper[first] = f"/*/*/{first}/*"
        else:
            # "+" is in no table's name nor any path segment: no other permission has this name.
            itself[f"{first}+itself"] = f"/*/*/{first}"
    statements = ["/*/POST" + RESOURCE_PATH, *deeper.values(), *itself.values()]
    size = len(_POLICY) + sum(len(_STATEMENT) + len(path) + 1 for path in statements)
    if size > FUNCTION_POLICY_BYTES:
        deeper = {"routes": ALL_DEEPER_ROUTES}
    return dict(sorted({**deeper, **itself}.items()))


def metrics_namespace(stack: str) -> str:
    """Where a stack's per-operation metrics go in CloudWatch: one namespace per stack."""
    return f"{API_NAME}/{stack}"


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
        routed = openapi.served_routes(operations, settings)
        backend = Backend(
            name=name,
            settings=settings,
            operations=operations,
            routes=routed,
            route_paths=invoke_source_paths(routed, catch_all=settings.routes == "proxy"),
            function=function,
            live=live,
            component=self,
        )
        front: Front = (http_gateway if settings.api_type == "http" else rest_gateway)(backend)
        base_url = front.base_url
        self.domain_target = front.domain_target
        self.url = pulumi.Output.concat(base_url, RESOURCE_PATH)
        self.table_name = served[primary].name if primary is not None else None
        self.table_names = _physical_names(served)
        self.function_name = function.name
        self.api_key = front.api_key
        watched = Watched(
            api_type=front.api_type,
            api=front.api,
            stage_name=front.stage_name,
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
            api=watched.api,
            stage_name=watched.stage_name,
            function_name=watched.function_name,
            tables=pulumi.Output.all(**watched.tables),
            alarm_arns=pulumi.Output.all(*(alarm.arn for alarm in alarms)),
        ).apply(
            lambda names: json.dumps(
                dashboard_body(
                    title=self._stack_name(),
                    api_type=watched.api_type,
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
        if settings.microservice_resource:
            variables[MICROSERVICE_ENV] = settings.microservice_resource
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
