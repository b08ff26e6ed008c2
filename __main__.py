"""The Pulumi program: one stack's settings in, the whole API out."""

from __future__ import annotations

import pulumi

from infra.api import DynamoDBOperationsApi
from infra.settings import settings_from

config = pulumi.Config()
settings = settings_from(config.get)
api = DynamoDBOperationsApi("dynamodb-operations", settings)

pulumi.export("url", api.url)
pulumi.export("tableName", api.table_name)
pulumi.export("functionName", api.function_name)
if api.api_key is not None:
    pulumi.export("apiKey", api.api_key)
