"""Routes an operation declares beside the envelope: how they are checked, matched and served."""

from __future__ import annotations

import pytest

from function.registry import OperationDefinitionError, Registry, operation
from function.routes import (
    DuplicateRouteError,
    RouteDefinitionError,
    route,
    routes_of,
)
from function.tables import KeySchema

#: A plugin module with a route whose payload comes from the default rule.
GREETING = """
from function import operation, route

SCHEMA = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "loud": {"enum": ["yes", "no"]}},
    "required": ["name"],
    "additionalProperties": False,
}


@operation(
    "greet",
    schema=SCHEMA,
    routes=[route("POST", "/greetings/{name}", status=201, query=["loud"])],
)
def greet(call):
    text = f"Hello, {call.payload['name']}"
    return {"greeting": text.upper() if call.payload.get("loud") == "yes" else text}
"""

#: Another plugin declaring the stock route POST /LambdaTable/items.
SHADOW = """
from function import operation, route


@operation("shadow", actions=["dynamodb:PutItem"], routes=[route("POST", "/LambdaTable/items")])
def shadow(call):
    return {}
"""

LAMBDA_TABLE = {"LambdaTable": KeySchema("Id")}


@pytest.mark.parametrize(
    ("method", "path", "options", "complaint"),
    [
        ("FETCH", "/x", {}, "method must be one of"),
        ("GET", "x", {}, "path must be segments"),
        ("GET", "/x/{proxy+}", {}, "path must be segments"),
        ("GET", "/x//y", {}, "path must be segments"),
        ("POST", "/DynamoDBManager", {}, "the envelope's resource"),
        ("GET", "/{anything}", {}, "first segment must be literal"),
        ("GET", "/x/{id}/{id}", {}, "named twice"),
        ("GET", "/x", {"status": 302}, "status must be"),
        ("GET", "/x", {"query": "limit"}, "a list of names"),
        ("GET", "/x", {"payload": "status"}, "a function of a RouteRequest"),
    ],
)
def test_a_route_that_cannot_be_served_fails_where_it_is_declared(method, path, options, complaint):
    with pytest.raises(RouteDefinitionError, match=complaint):
        route(method, path, **options)


def test_an_operation_takes_only_routes_on_its_own_tables():
    with pytest.raises(OperationDefinitionError, match="does not run on"):
        operation(
            "x",
            actions=["dynamodb:GetItem"],
            tables=["Orders"],
            routes=[route("GET", "/x", table="LambdaTable")],
        )
    with pytest.raises(OperationDefinitionError, match=r"made by route\(...\)"):
        operation("y", routes=[("GET", "/y")])


def test_a_route_two_operations_declare_fails_the_scan_naming_both(plugin_package):
    first = plugin_package({"greet": GREETING})
    second = plugin_package({"greet_again": GREETING.replace('"greet"', '"greet-again"')})

    with pytest.raises(DuplicateRouteError) as raised:
        Registry((first, second)).all()

    assert "operation 'greet'" in str(raised.value)
    assert "operation 'greet-again'" in str(raised.value)


def test_a_route_that_takes_a_table_routes_place_fails_naming_the_table(plugin_package):
    operations = Registry(("operations", plugin_package({"shadow": SHADOW}))).all()

    with pytest.raises(DuplicateRouteError, match="table 'LambdaTable' and operation 'shadow'"):
        routes_of(LAMBDA_TABLE, operations)


def test_variables_api_gateway_could_not_tell_apart_fail_the_scan(plugin_package):
    other = GREETING.replace('"greet"', '"wave"').replace("/greetings/{name}", "/greetings/{who}/x")
    with pytest.raises(DuplicateRouteError, match="API Gateway takes one name there"):
        Registry((plugin_package({"greet": GREETING, "wave": other}),)).all()


def test_table_routes_are_there_only_with_their_stock_operations():
    operations = Registry(("operations",)).all()
    without_delete = {name: op for name, op in operations.items() if name != "delete"}

    methods = {(each.method, each.path) for each in routes_of(LAMBDA_TABLE, without_delete)}

    assert ("GET", "/LambdaTable/items/{Id}") in methods
    assert ("DELETE", "/LambdaTable/items/{Id}") not in methods


def test_a_route_of_an_operation_on_several_tables_must_name_its_table(plugin_package):
    several = {"LambdaTable": KeySchema("Id"), "Orders": KeySchema("customerId", "orderId")}
    module = SHADOW.replace("/LambdaTable/items", "/shadows")

    with pytest.raises(RouteDefinitionError, match="give the route table="):
        routes_of(several, Registry((plugin_package({"shadow": module}),)).all())


def test_a_declared_route_is_served_with_its_status_and_its_rule(
    plugin_package, monkeypatch, table, http
):
    package = plugin_package({"greet": GREETING})
    monkeypatch.setenv("OPERATION_PACKAGES", f"operations,{package}")

    created = http("POST", "/greetings/Ann?loud=yes", {})
    quiet = http("POST", "/greetings/Bo", {"loud": "no"})
    conflicting = http("POST", "/greetings/Bo", {"name": "Cy"})
    unknown_query = http("POST", "/greetings/Bo?volume=11", {})
    invalid = http("POST", "/greetings/Bo?loud=maybe", {})

    assert (created.status, created.json) == (201, {"greeting": "HELLO, ANN"})
    assert quiet.json == {"greeting": "Hello, Bo"}
    assert (conflicting.status, conflicting.json["type"]) == (400, "InvalidKey")
    assert (unknown_query.status, unknown_query.json["type"]) == (400, "InvalidQuery")
    assert (invalid.status, invalid.json["type"]) == (400, "InvalidPayload")


@pytest.mark.stack("orders")
def test_a_route_of_an_operation_on_every_table_takes_the_table_from_its_path(
    plugin_package, monkeypatch, tables, http
):
    module = """
from function import operation, route


@operation("count", actions=["dynamodb:Scan"], routes=[route("GET", "/counts/{table}")])
def count(call):
    return {"table": call.table_name, "Count": call.dynamodb.scan(TableName=call.table)["Count"]}
"""
    package = plugin_package({"count": module})
    monkeypatch.setenv("OPERATION_PACKAGES", f"operations,orders_ops,{package}")
    tables["Orders"].put({"customerId": "c1", "orderId": "a"})

    orders = http("GET", "/counts/Orders")
    unknown = http("GET", "/counts/Nowhere")

    assert (orders.status, orders.json) == (200, {"table": "Orders", "Count": 1})
    assert (unknown.status, unknown.json["type"]) == (403, "TableNotAllowed")


def test_a_route_naming_its_table_twice_is_refused():
    with pytest.raises(RouteDefinitionError, match="keep one"):
        route("GET", "/counts/{table}", table="Orders")


def test_a_declared_post_without_a_body_gives_its_rule_none(plugin_package, monkeypatch, http):
    module = """
from function import operation, route


def from_url(request):
    return {"id": request.path["id"], "had_body": request.body is not None}


@operation("ship", routes=[route("POST", "/shipments/{id}", payload=from_url)])
def ship(call):
    return call.payload
"""
    monkeypatch.setenv("OPERATION_PACKAGES", f"operations,{plugin_package({'ship': module})}")

    bare = http("POST", "/shipments/7")
    with_body = http("POST", "/shipments/7", {"note": "x"})

    assert (bare.status, bare.json) == (200, {"id": "7", "had_body": False})
    assert with_body.json == {"id": "7", "had_body": True}
