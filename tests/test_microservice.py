"""The console's microservice blueprint resource: its clients' requests, answered as it did.

The blueprint (``microservice-http-endpoint``) maps GET, POST, PUT and DELETE on one
resource to Scan, PutItem, UpdateItem and DeleteItem, with typed attribute values and
``TableName``; a stack turns it on with ``microserviceResource``.
"""

from __future__ import annotations

import json

import pytest

from function.routes import (
    MICROSERVICE_ENV,
    DuplicateRouteError,
    RouteDefinitionError,
    microservice_routes,
    route,
    routes_of,
)
from function.tables import KeySchema

RESOURCE = "/lambda-microservice"


@pytest.fixture
def blueprint(http, monkeypatch):
    """``http`` on a stack whose microserviceResource is lambda-microservice."""
    monkeypatch.setenv(MICROSERVICE_ENV, "lambda-microservice")
    return http


def test_the_blueprints_own_test_event_answers_as_its_guide_shows(blueprint):
    """The guide's test: GET with TableName scans, on an empty table."""
    answer = blueprint("GET", f"{RESOURCE}?TableName=LambdaTable")

    assert answer.status == 200
    assert json.loads(answer.text) == {"Items": [], "Count": 0, "ScannedCount": 0}


def test_typed_values_are_stored_and_answered_as_written(blueprint, table):
    item = {
        "Id": {"S": "7"},
        "n": {"N": "0.10000000000000000001"},
        "tags": {"SS": ["a", "b"]},
        "blob": {"B": "aGVsbG8="},
        "nested": {"M": {"l": {"L": [{"BOOL": True}, {"NULL": True}, {"BS": ["AQI="]}]}}},
    }

    put = blueprint("POST", RESOURCE, body={"TableName": "LambdaTable", "Item": item})
    scanned = blueprint("GET", f"{RESOURCE}?TableName=LambdaTable")

    assert (put.status, json.loads(put.text)) == (200, {})
    assert json.loads(scanned.text)["Items"] == [item]
    (stored,) = table.items()
    assert bytes(stored["blob"]) == b"hello"
    assert str(stored["n"]) == "0.10000000000000000001"
    assert sorted(stored["tags"]) == ["a", "b"]


def test_put_updates_and_delete_deletes(blueprint, table):
    table.put({"Id": "7", "name": "Ann"})

    updated = blueprint(
        "PUT",
        RESOURCE,
        body={
            "TableName": "LambdaTable",
            "Key": {"Id": {"S": "7"}},
            "UpdateExpression": "SET #n = :n",
            "ExpressionAttributeNames": {"#n": "name"},
            "ExpressionAttributeValues": {":n": {"S": "Bo"}},
            "ReturnValues": "ALL_NEW",
        },
    )
    deleted = blueprint(
        "DELETE", RESOURCE, body={"TableName": "LambdaTable", "Key": {"Id": {"S": "7"}}}
    )

    assert json.loads(updated.text)["Attributes"] == {"Id": {"S": "7"}, "name": {"S": "Bo"}}
    assert (deleted.status, json.loads(deleted.text)) == (200, {})
    assert table.items() == []


def test_scan_parameters_come_from_the_query_string_as_their_types(blueprint, table):
    for key in "123":
        table.put({"Id": key})

    page = json.loads(blueprint("GET", f"{RESOURCE}?TableName=LambdaTable&Limit=2").text)
    wrong = blueprint("GET", f"{RESOURCE}?TableName=LambdaTable&Limit=two")

    assert page["Count"] == 2
    assert "LastEvaluatedKey" in page
    assert wrong.status == 400
    assert (
        json.loads(wrong.text)["message"] == "Query parameter Limit must be an integer, not 'two'"
    )


def test_table_name_is_resolved_like_table_name_and_an_unserved_one_is_refused(blueprint, table):
    physical = blueprint("GET", f"{RESOURCE}?TableName={table.name}")
    other = blueprint("POST", RESOURCE, body={"TableName": "Secrets", "Item": {"Id": {"S": "1"}}})
    none = blueprint("GET", RESOURCE)  # the stack serves one table: it is meant

    assert physical.status == 200
    assert other.status == 403
    assert none.status == 200
    assert table.items() == []


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b"[1]", 400, "The body must be a JSON object"),
        (
            {"TableName": "LambdaTable", "Item": {"Id": {"S": "1"}, "b": {"B": "not base64!"}}},
            400,
            "A binary attribute value must be base64 text",
        ),
        (
            {"TableName": "LambdaTable", "Itme": {"Id": {"S": "1"}}},
            400,
            "Payload must contain ['Item'] properties",
        ),
        ({"TableName": 7, "Item": {"Id": {"S": "1"}}}, 400, "TableName must be a string"),
        ({"TableName": "T" * 100_000, "Item": {"Id": {"S": "1"}}}, 400, "TableName must be"),
        (
            {"TableName": "LambdaTable", "Item": {"Id": {"S": "1"}, "b": {"B": 5}}},
            400,
            "A binary attribute value must be base64 text, not 5",
        ),
    ],
)
def test_a_bad_request_is_a_400_that_writes_nothing(blueprint, table, body, status, message):
    answer = blueprint("POST", RESOURCE, body=body)

    assert answer.status == status, answer.text
    assert json.loads(answer.text)["message"].startswith(message)
    assert table.items() == []


def test_a_query_parameter_scan_lacks_is_a_400_naming_those_it_takes(blueprint, table):
    table.put({"Id": "1"})

    unknown = blueprint("GET", f"{RESOURCE}?TableName=LambdaTable&Bogus=1")
    counted = blueprint("GET", f"{RESOURCE}?TableName=LambdaTable&Select=COUNT")

    assert unknown.status == 400
    message = json.loads(unknown.text)["message"]
    assert message.startswith("Unknown query parameter 'Bogus'; GET /lambda-microservice takes ")
    assert "TableName, Limit" in message
    assert "Select" in message
    assert json.loads(counted.text) == {"Count": 1, "ScannedCount": 1}


def test_another_method_is_a_405_naming_the_blueprints(blueprint):
    answer = blueprint("PATCH", RESOURCE, body={})

    assert answer.status == 405
    assert answer.headers["Allow"] == "DELETE, GET, POST, PUT"


def test_without_the_setting_there_is_no_such_resource(http):
    assert http("GET", f"{RESOURCE}?TableName=LambdaTable").status == 404


class Stock:
    """Enough of an operation for routes_of: it declares no route and runs on every table."""

    name = "list"
    routes: tuple = ()
    default_table = "LambdaTable"
    needs_table = False

    def serves(self, table, indexes):
        return True


def test_the_resource_is_one_segment_that_no_other_route_takes():
    keys = {"LambdaTable": KeySchema("Id")}

    with pytest.raises(RouteDefinitionError, match="one path segment"):
        microservice_routes("a/b")
    with pytest.raises(RouteDefinitionError, match="the envelope's"):
        microservice_routes("DynamoDBManager")

    class Declaring(Stock):
        name = "mine"
        routes = (route("GET", RESOURCE),)

    stock = {name: Stock() for name in ("list", "create", "update", "delete")}
    with pytest.raises(DuplicateRouteError, match="operation 'mine' and the stack's micro"):
        routes_of(keys, {**stock, "mine": Declaring()}, "lambda-microservice")


def test_the_resource_needs_the_stock_operations_it_runs():
    keys = {"LambdaTable": KeySchema("Id")}

    with pytest.raises(RouteDefinitionError, match="this stack serves no create, delete, list"):
        routes_of(keys, {"update": Stock()}, "lambda-microservice")


@pytest.mark.parametrize("limit", ["--5", "9" * 5000])
def test_a_query_integer_that_is_not_one_is_a_400(blueprint, limit):
    answer = blueprint("GET", f"{RESOURCE}?TableName=LambdaTable&Limit={limit}")

    assert answer.status == 400, answer.text
    assert json.loads(answer.text)["type"] == "InvalidQuery"


def test_a_key_used_on_the_resource_does_not_replay_on_the_envelope(
    blueprint, table, idempotency_table
):
    """The same JSON is typed values on one and plain values on the other: another request."""
    table.put({"Id": "1", "x": "y"})
    key = (("Idempotency-Key", "k1"),)
    parameters = {"Key": {"Id": {"S": "1"}}, "ReturnValues": "ALL_OLD"}

    deleted = blueprint(
        "DELETE", RESOURCE, body={"TableName": "LambdaTable", **parameters}, headers=key
    )
    envelope = blueprint(
        "POST",
        "/DynamoDBManager",
        body={"operation": "delete", "tableName": "LambdaTable", "payload": parameters},
        headers=key,
    )

    assert deleted.status == 200
    assert envelope.status == 422, envelope.text
