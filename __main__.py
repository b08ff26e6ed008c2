"""The Pulumi program: one stack's settings in, the whole API out."""

from __future__ import annotations

import pulumi

from infra.api import DynamoDBOperationsApi
from infra.aws_provider import MINIMUM_CLI, stack_provider, stack_tags
from infra.program_config import program_config
from infra.resource_names import COMPONENT_NAME
from infra.settings import project_values, settings_from, without_unlocked_plugins

# Older CLIs replace every resource whose provider changes, as ours did when it got tags.
pulumi.require_pulumi_version(MINIMUM_CLI)
config = program_config()
settings = without_unlocked_plugins(settings_from(project_values(config, pulumi.get_project())))
for warning in settings.warnings:
    pulumi.log.warn(warning)
aws = stack_provider("aws", config, stack_tags(pulumi.get_project(), pulumi.get_stack()))
api = DynamoDBOperationsApi(
    COMPONENT_NAME, settings, opts=pulumi.ResourceOptions(providers={"aws": aws})
)

pulumi.export("url", api.url)
pulumi.export("tableNames", api.table_names)
if api.table_name is not None:
    pulumi.export("tableName", api.table_name)
pulumi.export("functionName", api.function_name)
pulumi.export("openapi", api.openapi)
if api.api_key is not None:
    pulumi.export("apiKey", api.api_key)
if api.alarm_topic_arn is not None:
    pulumi.export("alarmTopicArn", api.alarm_topic_arn)
if api.dashboard_name is not None:
    pulumi.export("dashboardName", api.dashboard_name)
if api.domain_target is not None:
    pulumi.export("domainTarget", api.domain_target)
