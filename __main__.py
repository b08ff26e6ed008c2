"""The Pulumi program: one stack's settings in, the whole API out."""

from __future__ import annotations

import pulumi

from infra.api import DynamoDBOperationsApi
from infra.program_config import program_config
from infra.resource_names import COMPONENT_NAME
from infra.settings import project_values, settings_from

settings = settings_from(project_values(program_config(), pulumi.get_project()))
for warning in settings.warnings:
    pulumi.log.warn(warning)
api = DynamoDBOperationsApi(COMPONENT_NAME, settings)

pulumi.export("url", api.url)
pulumi.export("tableNames", api.table_names)
if api.table_name is not None:
    pulumi.export("tableName", api.table_name)
pulumi.export("functionName", api.function_name)
pulumi.export("openapi", api.openapi)
if api.api_key is not None:
    pulumi.export("apiKey", api.api_key)
