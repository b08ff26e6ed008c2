"""What each operation answers on success is in the document, and the answers match it.

Stock operations answer their DynamoDB call's output in plain values: the schema
comes from botocore's model of that output (:mod:`infra.dynamodb_outputs`).
Plugins declare theirs with ``response=``.
"""

from __future__ import annotations

import json

import pytest

from function import schemas
from function.registry import OperationDefinitionError, Registry, operation
from infra import openapi
from local_api.environment import local_stack
from local_api.examples import example_requests
from tests.answer_schemas import answer_errors
from tests.installed import stock_registry
from tests.test_openapi import described
from tests.test_plugins import dev_settings

#: The examples in an order where each finds what it reads: created first, deleted last.
ORDER = ["create", "read", "update", "query", "list", "batch-get", "transact-get"]


def test_every_stock_operations_example_answers_what_the_document_says(http):
    document = described()
    requests = dict(example_requests(dev_settings(), stock_registry().all()))
    ordered = ORDER + sorted(set(requests) - set(ORDER) - {"delete"}) + ["delete"]

    answered = {}
    for name in ordered:
        answer = http("POST", "/DynamoDBManager", body=requests[name])
        assert answer.status == 200, (name, answer.text)
        answered[name] = json.loads(answer.text)
        assert answer_errors(document, name, answered[name]) == [], name
    assert answered["read"]["Item"]["Id"] == "1"
    assert answered["ping"] == "pong"


@pytest.mark.parametrize(
    ("name", "answer", "wrong"),
    [
        ("read", {}, "the body: 'Item' is a required property"),
        ("read", {"Item": {"Id": "1"}, "ResponseMetadata": {}}, "the body: Additional properties"),
        ("list", {"Items": {"Id": "1"}, "Count": 1}, "Items: {'Id': '1'} is not of type 'array'"),
        ("query", {"Items": [], "Count": "0"}, "Count: '0' is not of type 'integer'"),
        ("batch-get", {"UnprocessedKeys": {"LambdaTable": {"Keys": {}}}}, "UnprocessedKeys/"),
        ("ping", "pang", "the body: 'pang' is not one of ['pong']"),
    ],
)
def test_an_answer_unlike_its_operations_schema_is_named(name, answer, wrong):
    errors = answer_errors(described(), name, answer)

    assert errors, answer
    assert errors[0].startswith(wrong), errors


def test_an_answer_with_any_attribute_values_matches():
    item = {"Id": "1", "n": 0.5, "tags": ["a", "b"], "gone": None, "map": {"deep": [1, True]}}

    assert answer_errors(described(), "query", {"Items": [item], "Count": 1}) == []
    assert answer_errors(described(), "echo", [1, "anything"]) == []


PLUGIN = """
from function import operation, route, schemas


@operation(
    "label",
    actions=["dynamodb:GetItem"],
    response={"type": "object", "properties": {"label": {"type": ["string", "null"]}},
              "required": ["label"], "additionalProperties": False},
    routes=[route("GET", "/labels/{Id}", table="LambdaTable")],
)
def label(call):
    return {"label": None}


@operation("vague", actions=["dynamodb:GetItem"])
def vague(call):
    return 1


@operation("fetch", actions=["dynamodb:GetItem"],
           response=schemas.DynamoDBOutput("GetItem", required=("Item",)))
def fetch(call):
    return call.dynamodb.get_item(TableName=call.table, **call.payload)
"""


def test_a_plugins_declared_response_is_its_answer_on_the_envelope_and_its_routes(
    plugin_package,
):
    document = openapi.document(
        Registry(("operations", plugin_package({"label": PLUGIN}))).all(), dev_settings()
    )
    schemas = document["components"]["schemas"]

    assert schemas["LabelAnswer"]["properties"]["label"] == {"type": "string", "nullable": True}
    assert schemas["LabelRequest"]["x-answer"] == "#/components/schemas/LabelAnswer"
    route = document["paths"]["/labels/{Id}"]["get"]["responses"]["200"]
    assert route["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/LabelAnswer"
    }
    assert answer_errors(document, "label", {"label": None}) == []
    assert answer_errors(document, "label", {}) != []
    assert answer_errors(document, "vague", 1) == []  # no response declared: any JSON value
    assert answer_errors(document, "fetch", {}) == ["the body: 'Item' is a required property"]
    assert answer_errors(document, "fetch", {"Item": {"Id": "1"}}) == []


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ('schemas.DynamoDBOutput("GetItems")', "DynamoDB has no call 'GetItems'"),
        (
            'schemas.DynamoDBOutput("GetItem", required=("Items",))',
            "GetItem's output has no member Items",
        ),
        ('{"type": "strin"}', "Unknown type"),
        ('{"properties": {"a": {"$ref": "#/definitions/gone"}}}', "Unresolvable ref"),
        ('{"properties": 5}', "object has no attribute 'items'"),
        ('{"maximum": __import__("decimal").Decimal("1.5")}', "not JSON serializable"),
    ],
)
def test_a_response_that_gives_no_schema_fails_the_document_naming_its_operation(
    plugin_package, output, message
):
    package = plugin_package(
        {
            "bad": "from function import operation, schemas\n"
            f'@operation("bad", actions=["dynamodb:GetItem"], response={output})\n'
            "def bad(call):\n    return {}\n"
        }
    )

    with pytest.raises(OperationDefinitionError, match=f"^operation 'bad': response: .*{message}"):
        openapi.document(Registry(("operations", package)).all(), dev_settings())


def test_a_response_that_is_not_a_schema_is_refused_at_import():
    with pytest.raises(OperationDefinitionError, match="response must be a JSON Schema"):
        operation("bad", response="GetItem")  # type: ignore[arg-type]
    with pytest.raises(OperationDefinitionError, match=r"required is a tuple of member names"):
        operation("bad", response=schemas.DynamoDBOutput("GetItem", required="Item"))  # type: ignore[arg-type]


def test_a_schema_that_refers_to_itself_whole_refers_to_its_component(plugin_package):
    package = plugin_package(
        {
            "tree": "from function import operation\n"
            '@operation("tree", response={"type": "object", '
            '"properties": {"kids": {"type": "array", "items": {"$ref": "#"}}}})\n'
            "def tree(call):\n    return {}\n"
        }
    )

    document = openapi.document(Registry(("operations", package)).all(), dev_settings())

    kids = document["components"]["schemas"]["TreeAnswer"]["properties"]["kids"]
    assert kids["items"] == {"$ref": "#/components/schemas/TreeAnswer"}
    assert answer_errors(document, "tree", {"kids": [{"kids": [{}]}]}) == []
    assert answer_errors(document, "tree", {"kids": [{"kids": [1]}]}) != []


def test_run_operation_fails_a_test_whose_operation_answers_against_its_schema(
    plugin_package, monkeypatch, table, run_operation
):
    package = plugin_package(
        {
            "counts": "from function import operation\n"
            '@operation("counted", response={"type": "object", "properties": '
            '{"Count": {"type": "integer"}}, "required": ["Count"]})\n'
            "def counted(call):\n    return {'Count': call.payload.get('n', 0)}\n"
        }
    )
    monkeypatch.setenv("OPERATION_PACKAGES", f"operations,{package}")

    assert run_operation("counted", {"n": 2}) == {"Count": 2}
    with pytest.raises(AssertionError, match="'counted' answered what its response schema"):
        run_operation("counted", {"n": "2"})


def test_make_serve_refuses_a_response_that_is_no_schema_before_it_starts(plugin_package):
    package = plugin_package(
        {
            "bad": "from function import operation, schemas\n"
            '@operation("bad", actions=["dynamodb:GetItem"], '
            'response=schemas.DynamoDBOutput("Query", required=("Nope",)))\n'
            "def bad(call):\n    return {}\n"
        }
    )
    settings = dev_settings(operationPackages=["operations", package])

    with (
        pytest.raises(OperationDefinitionError, match="operation 'bad': response: Query's"),
        local_stack("dev", settings, dynamodb_endpoint="http://127.0.0.1:9"),
    ):
        pass
