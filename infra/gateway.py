"""What the REST API and the HTTP API are built on, and what each gives back.

The component (:mod:`infra.api`) builds what both API types share: the tables, the
function and its ``live`` alias, its logs, its alarms and dashboard. In front of the
function it puts one API Gateway API, a REST API (:mod:`infra.rest_gateway`) or an HTTP
API (:mod:`infra.http_api`), which is given a :class:`Backend` and gives back a
:class:`Front`. Both invoke the function through the same permissions
(:meth:`Backend.permissions`) and log to the same access-log group.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from function.registry import Operation
from function.routes import Route
from infra.policy import service_trust_policy
from infra.resource_names import stack_resource_name
from infra.rest_api import RESOURCE_PATH
from infra.settings import Settings

#: The API's name in API Gateway, before the stack's: ``DynamoDBOperations-<stack>``.
API_NAME = "DynamoDBOperations"
#: AWS's managed policy for API Gateway's account-wide logging role.
API_GATEWAY_LOGGING_POLICY = (
    "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
)


def api_name(stack: str) -> str:
    """The API's name: the stack in it, so dev and prod are told apart in the console."""
    return f"{API_NAME}-{stack}"


def api_gateway_logging_role_name(region: str) -> str:
    """The logging role's name: one per account and region, as the setting it serves is."""
    return f"api-gateway-cloudwatch-logs-{region}"


@dataclass(frozen=True)
class Backend:
    """The function an API Gateway API is put in front of, and how to add resources beside it.

    Every resource is the component's child, named from ``name``, so the REST API's keep
    the URNs they had when the component built them itself.
    """

    name: str
    settings: Settings
    operations: Mapping[str, Operation]
    #: The routes the API serves beside ``POST /DynamoDBManager`` (``served_routes``).
    routes: tuple[Route, ...]
    #: What API Gateway may invoke the function on beside ``POST /DynamoDBManager``: each
    #: permission's name suffix and its source ARN's path after the execution ARN.
    route_paths: Mapping[str, str]
    function: aws.lambda_.Function
    #: The alias API Gateway calls when the stack publishes versions.
    live: aws.lambda_.Alias | None
    component: pulumi.ComponentResource

    @property
    def invoke_arn(self) -> pulumi.Output[str]:
        """What API Gateway's integration calls: the ``live`` alias, or the function."""
        return self.live.invoke_arn if self.live is not None else self.function.invoke_arn

    @property
    def stack_name(self) -> str:
        """``<project>-<stack>``: what names the stack's alarms, dashboard and web ACL."""
        return stack_resource_name(pulumi.get_project(), pulumi.get_stack())

    def child(self, **options: Any) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self.component, **options)

    def region(self) -> pulumi.Output[str]:
        """The region of the component's provider."""
        options = pulumi.InvokeOutputOptions(parent=self.component)
        return aws.get_region_output(opts=options).region

    def permissions(self, execution_arn: pulumi.Input[str]) -> list[aws.lambda_.Permission]:
        """API Gateway's permissions to invoke the function (or its alias): on this API's
        ``POST /DynamoDBManager`` (``{execution ARN}/*/POST/DynamoDBManager``, every
        stage), and on :attr:`route_paths`, nothing else.
        """
        paths = {"": f"/*/POST{RESOURCE_PATH}", **self.route_paths}
        return [
            aws.lambda_.Permission(
                f"{self.name}-permission" + (f"-{suffix}" if suffix else ""),
                function=self.function.name,
                qualifier=self.live.name if self.live is not None else None,
                action="lambda:InvokeFunction",
                principal="apigateway.amazonaws.com",
                source_arn=pulumi.Output.concat(execution_arn, path),
                opts=self.child(),
            )
            for suffix, path in paths.items()
        ]

    def access_log_group(self) -> aws.cloudwatch.LogGroup:
        """Where the stage writes one JSON line per request, kept ``logRetentionDays``."""
        return aws.cloudwatch.LogGroup(
            f"{self.name}-access-logs",
            name=f"/aws/apigateway/{pulumi.get_project()}/{pulumi.get_stack()}/{self.name}/access",
            retention_in_days=self.settings.log_retention_days,
            opts=self.child(),
        )

    def api_gateway_logging_role(self) -> aws.apigateway.Account:
        """API Gateway's CloudWatch role for the account and region, set from this stack.

        REST APIs write access logs only once it is set; HTTP APIs need no role (CloudWatch
        Logs delivers their logs), but a stack that manages the account's role keeps it
        whatever its API type, since other stacks' REST APIs may rely on it.

        The setting is one per account and region, so the role's name is too
        (:func:`api_gateway_logging_role_name`): a second stack that would manage
        it fails to create the role, naming it, before it can take the setting
        over. The policy is attached as a resource of its own, never through the
        role's deprecated ``managed_policy_arns``; the setting waits for it.
        """
        name = self.name
        role = aws.iam.Role(
            f"{name}-api-gateway-logging-role",
            name=self.region().apply(api_gateway_logging_role_name),
            assume_role_policy=json.dumps(service_trust_policy("apigateway.amazonaws.com")),
            description=f"API Gateway's CloudWatch role for the account and region, managed by "
            f"stack {pulumi.get_project()}/{pulumi.get_stack()}",
            opts=self.child(),
        )
        attachment = aws.iam.RolePolicyAttachment(
            f"{name}-api-gateway-logging-policy",
            role=role.name,
            policy_arn=API_GATEWAY_LOGGING_POLICY,
            opts=self.child(),
        )
        return aws.apigateway.Account(
            f"{name}-api-gateway-account",
            cloudwatch_role_arn=role.arn,
            opts=self.child(depends_on=[attachment]),
        )


@dataclass(frozen=True)
class Front:
    """What an API type's module gives back: where callers reach it, and what watches it."""

    #: The base URL ``/DynamoDBManager`` and every route path follow.
    base_url: pulumi.Output[str]
    #: ``rest`` or ``http``: which of API Gateway's metrics the alarms and dashboard read.
    api_type: str
    #: The API's value of its metrics' API dimension: a REST API's name, an HTTP API's id.
    api: pulumi.Input[str]
    stage_name: pulumi.Input[str]
    #: What the custom domain's DNS name must point at (``domainName``).
    domain_target: pulumi.Output[str] | None = None
    #: The key callers send as ``x-api-key`` (``authMode: apiKey``).
    api_key: pulumi.Output[str] | None = None
