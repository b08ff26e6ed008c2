"""The OpenAPI document the registry gives: valid OpenAPI 3, complete, and committed as it is."""

from __future__ import annotations

import json

import pytest
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

from function import envelope
from function.errors import RequestError
from function.registry import Registry
from infra import document_examples, openapi
from infra.project import PROJECT_DIR
from infra.settings import stack_settings, stacks
from local_api.examples import example_requests
from local_api.pytest_plugin import run_direct
from tests.installed import served_registry, stock_registry
from tests.test_plugins import dev_settings

PLUGIN = '''
"""tag: label an item (DynamoDB UpdateItem)."""

from function.errors import ConflictError
from function.registry import operation


class AlreadyTaggedError(ConflictError):
    """The item has this tag already (409)."""


@operation(
    "tag",
    actions=["dynamodb:UpdateItem"],
    schema={
        "type": "object",
        "properties": {"Key": {"type": "object"}, "Tag": {"type": ["string", "null"]}},
        "required": ["Key", "Tag"],
        "additionalProperties": False,
    },
    example={"Key": {"Id": "1"}, "Tag": "blue"},
    errors=[AlreadyTaggedError],
)
def tag(call):
    """Add ``Tag`` to the item's tags."""
    return {}
'''


def described(stack: str = "dev") -> dict:
    """The document ``make openapi STACK=stack`` writes."""
    return openapi.stack_document(stack_settings(stack))


def request_validator(document: dict) -> OAS30Validator:
    """Checks a request body against the document's request schema, its references resolved.

    By its ``oneOf`` alone: the discriminator names a schema by the body's own
    ``operation``, so an unknown one would fail to resolve rather than to validate.
    """
    schema = {**document["components"]["schemas"][openapi.MODEL_NAME]}
    del schema["discriminator"]
    return OAS30Validator({**schema, "components": document["components"]})


@pytest.mark.parametrize("stack", stacks())
def test_each_stacks_document_is_valid_openapi_3(stack):
    document = described(stack)

    validate(document)
    assert document["openapi"].startswith("3.0")


def test_the_committed_document_is_checked_against_the_registry(tmp_path):
    """``make lint`` fails on a stale document, naming the command that rewrites it."""
    for name in ("Pulumi.yaml", "Pulumi.dev.yaml", "pyproject.toml"):
        (tmp_path / name).write_text((PROJECT_DIR / name).read_text())
    current = openapi.dumps(described())
    (tmp_path / "openapi.json").write_text(current)
    assert openapi.stale_documents(tmp_path) == {}

    (tmp_path / "openapi.json").write_text(current.replace('"ping"', '"pang"'))
    assert openapi.stale_documents(tmp_path) == {"openapi.json": "dev"}


def test_the_request_body_is_one_schema_per_operation_told_apart_by_operation():
    document = described()
    operations = served_registry().all()
    body = document["components"]["schemas"][openapi.MODEL_NAME]

    assert set(body["discriminator"]["mapping"]) == set(operations)
    assert len(body["oneOf"]) == len(operations)
    for name, op in operations.items():
        request = document["components"]["schemas"][openapi._request_name(op)]
        payload = request["properties"]["payload"]["$ref"].rsplit("/", 1)[1]
        assert request["properties"]["operation"]["enum"] == [name]
        assert document["components"]["schemas"][payload] == openapi.openapi_schema(op.schema)


def test_every_example_is_a_request_the_document_the_gateway_and_the_operation_accept():
    document = described()
    accepts = request_validator(document)
    examples = document["paths"]["/DynamoDBManager"]["post"]["requestBody"]["content"][
        "application/json"
    ]["examples"]
    operations = served_registry().all()

    assert set(examples) == {name for name, op in operations.items() if op.example is not None}
    for name, example in examples.items():
        body = example["value"]
        accepts.validate(body)
        parsed = envelope.parse(body)
        assert parsed.operation == name
        operations[name].validate(parsed.payload)


def test_the_document_refuses_what_the_function_refuses():
    accepts = request_validator(described())

    for body in (
        {"operation": "nope"},
        {"operation": "read", "payload": {"Key": {"Id": "1"}, "Limit": 1}},
        {"operation": "read"},
        {"operation": "read", "tableName": "Elsewhere", "payload": {"Key": {"Id": "1"}}},
        {"operation": "batch-get", "tableName": "LambdaTable", "payload": {"RequestItems": {}}},
    ):
        assert not accepts.is_valid(body), body


def test_statuses_follow_what_each_operation_can_answer():
    document = described()
    schemas = document["components"]["schemas"]
    responses = document["paths"]["/DynamoDBManager"]["post"]["responses"]

    assert 404 in schemas["ReadRequest"]["x-statuses"]
    assert 404 not in schemas["CreateRequest"]["x-statuses"]
    assert 503 not in schemas["EchoRequest"]["x-statuses"]
    assert {"200", "400", "404", "409", "500", "503"} <= set(responses)
    assert responses["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorBody"
    }
    assert set(schemas["ErrorBody"]["properties"]) == {"message", "type"}


def test_security_follows_the_stacks_auth_mode():
    dev, prod = described("dev"), described("prod")
    iam = openapi.document(Registry().all(), dev_settings(authMode="iam"))

    assert "security" not in dev["paths"]["/DynamoDBManager"]["post"]
    assert prod["components"]["securitySchemes"] == {
        "api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"}
    }
    assert prod["paths"]["/DynamoDBManager"]["post"]["security"] == [{"api_key": []}]
    sigv4 = iam["components"]["securitySchemes"]["sigv4"]
    assert sigv4["x-amazon-apigateway-authtype"] == "awsSigv4"
    validate(iam)


def test_a_plugins_operation_appears_with_its_schema_example_and_own_errors(plugin_package):
    package = plugin_package({"tag": PLUGIN})
    document = openapi.document(Registry(("operations", package)).all(), dev_settings())
    schemas = document["components"]["schemas"]

    validate(document)
    assert schemas["TagPayload"]["properties"]["Tag"] == {"type": "string", "nullable": True}
    assert schemas["TagRequest"]["required"] == ["operation", "payload"]
    assert 409 in schemas["TagRequest"]["x-statuses"]
    assert schemas["TagRequest"]["description"] == "Add `Tag` to the item's tags."
    example = document["paths"]["/DynamoDBManager"]["post"]["requestBody"]["content"][
        "application/json"
    ]["examples"]["tag"]
    assert example["value"] == {
        "operation": "tag",
        "tableName": "LambdaTable",
        "payload": {"Key": {"Id": "1"}, "Tag": "blue"},
    }
    assert example["summary"] == "Label an item (DynamoDB UpdateItem)."
    assert (
        "| `tag` | Label an item (DynamoDB UpdateItem). | UpdateItem |"
        in (document["info"]["description"])
    )


def test_examples_follow_the_stacks_keys():
    settings = dev_settings(
        tables={"LambdaTable": {"hashKey": "pk", "rangeKey": "sk", "rangeKeyType": "N"}}
    )
    operations = Registry().all()

    create = document_examples.example_request(operations["create"], settings)
    read = document_examples.example_request(operations["read"], settings)

    assert create["payload"]["Item"] == {"pk": "1", "sk": 1, "name": "Bob", "price": 19.99}
    assert read == {
        "operation": "read",
        "tableName": "LambdaTable",
        "payload": {"Key": {"pk": "1", "sk": 1}},
    }
    assert document_examples.example_request(operations["ping"], settings) == {"operation": "ping"}


ORDERS_ONLY = {"Orders": {"hashKey": "customerId", "rangeKey": "orderId", "rangeKeyType": "N"}}


@pytest.fixture
def table_definitions():
    """Tables the fixtures serve: a stack without the tutorial's table, keyed otherwise."""
    return dev_settings(tables=ORDERS_ONLY).tables


def test_every_example_works_on_a_stack_without_the_tutorials_table(tables):
    """The examples of operations/, which ships with every stack, fit any stack's keys.

    A plugin's example is written for the stacks that install it, so only its
    schema is checked (above).
    """
    settings = dev_settings(tables=ORDERS_ONLY)

    failed = {}
    for name, request in example_requests(settings, stock_registry().all()):
        assert "LambdaTable" not in json.dumps(request), name
        try:
            run_direct(request)
        except RequestError as error:
            failed[name] = f"{error.status} {error}"
    # The examples read, update and delete items by key: absent ones may be a 404.
    assert {name: why for name, why in failed.items() if not why.startswith("404")} == {}
    assert tables["Orders"].items(), "the examples wrote nothing to the stack's table"


def test_a_schema_beyond_openapi_30_still_gives_a_valid_document(plugin_package):
    package = plugin_package(
        {
            "tuple": """
from function.registry import operation

@operation("tuple", schema={
    "$schema": "http://json-schema.org/draft-04/schema#",
    "definitions": {"label": {"type": "string", "maxLength": 8}},
    "type": "object",
    "properties": {
        "Pair": {"type": "array", "items": [{"type": "string"}, {"type": "integer"}]},
        "Label": {"$ref": "#/definitions/label"},
        "Nothing": {"type": ["null"]},
        "Kind": {"const": "x"},
    },
    "patternProperties": {"^x-": {"type": "string"}},
    "dependencies": {"Pair": ["Label"]},
})
def tuple_(call):
    return call.payload
"""
        }
    )

    document = openapi.document(Registry(("operations", package)).all(), dev_settings())

    validate(document)
    payload = document["components"]["schemas"]["TuplePayload"]
    assert payload["properties"]["Label"] == {
        "$ref": "#/components/schemas/TuplePayload/x-definitions/label"
    }
    assert payload["properties"]["Kind"] == {"enum": ["x"]}
    assert payload["x-patternProperties"] == {"^x-": {"type": "string"}}
