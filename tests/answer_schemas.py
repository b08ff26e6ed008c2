"""Whether an answer matches the schema the API's document gives the operation that made it.

``POST /DynamoDBManager``'s 200 is any operation's answer in OpenAPI's terms; each
operation's request schema names its own in ``x-answer``. The contract tests'
schemathesis check and the tests of each operation's answer both read it here.
"""

from __future__ import annotations

from typing import Any

from openapi_schema_validator import OAS30Validator

from infra.openapi import MODEL_NAME

SCHEMAS = "#/components/schemas/"


def answer_errors(document: dict[str, Any], operation: str, answer: Any) -> list[str]:
    """What is wrong with ``answer`` as ``operation``'s, one line each; none if it matches."""
    schemas = document["components"]["schemas"]
    request = schemas[MODEL_NAME]["discriminator"]["mapping"][operation]
    schema = {"$ref": schemas[request.removeprefix(SCHEMAS)]["x-answer"]}
    validator = OAS30Validator({**schema, "components": document["components"]})
    return [
        f"{'/'.join(str(part) for part in error.absolute_path) or 'the body'}: {error.message}"
        for error in sorted(validator.iter_errors(answer), key=lambda error: error.path)
    ]
