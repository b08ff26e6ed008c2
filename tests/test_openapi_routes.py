"""The table routes in the OpenAPI document: each listed, typed, linked, and true to the function.

What ``/docs`` shows and schemathesis tests: every route of every served table with its
parameters, body and answers, and links from a created item to what uses it. The answers
the function gives on each route are checked against what the document says of them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pytest
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

from function.registry import Registry
from infra import gateway_document, openapi
from infra.settings import stack_settings
from local_api.proxy_event import HttpRequest, rest_proxy_event
from tests.test_plugins import dev_settings

JSON = "application/json"
METHODS = ("get", "put", "post", "patch", "delete")


def routes_in(document: Mapping[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """Each table route's operation, by method and path template."""
    return {
        (method.upper(), path): operation
        for path, item in document["paths"].items()
        if path != "/DynamoDBManager"
        for method, operation in item.items()
        if method in METHODS
    }


def test_the_dev_document_lists_every_route_of_the_tutorials_table():
    document = openapi.stack_document(stack_settings("dev"))

    validate(document)
    tutorial = {
        route: op["operationId"]
        for route, op in routes_in(document).items()
        if route[1].startswith("/LambdaTable/")
    }
    assert tutorial == {
        ("GET", "/LambdaTable/items"): "LambdaTable.items.list",
        ("POST", "/LambdaTable/items"): "LambdaTable.items.create",
        ("GET", "/LambdaTable/items/{Id}"): "LambdaTable.items.read",
        ("PUT", "/LambdaTable/items/{Id}"): "LambdaTable.items.replace",
        ("PATCH", "/LambdaTable/items/{Id}"): "LambdaTable.items.update",
        ("DELETE", "/LambdaTable/items/{Id}"): "LambdaTable.items.delete",
    }
    assert next(iter(document["paths"])) == "/DynamoDBManager"


def test_the_orders_document_pages_a_partition_and_an_index():
    document = openapi.stack_document(stack_settings("orders"))
    routes = routes_in(document)

    validate(document)
    partition = routes[("GET", "/Orders/items/{customerId}")]
    index = routes[("GET", "/Orders/indexes/byStatus/items/{status}")]
    page = ["limit", "cursor", "from", "to", "prefix", "order"]
    assert [p["name"] for p in partition["parameters"]] == ["customerId", *page]
    assert [p["name"] for p in index["parameters"]] == ["status", *page]
    for route in (partition, index):
        assert route["responses"]["200"]["content"][JSON]["schema"] == {
            "$ref": "#/components/schemas/OrdersPage"
        }
    assert ("GET", "/Orders/items/{customerId}/{orderId}") in routes
    assert document["components"]["schemas"]["OrdersPage"]["required"] == ["items", "next"]


def test_each_route_answers_its_success_and_its_errors_and_never_lists_405():
    document = openapi.stack_document(stack_settings("dev"))
    routes = routes_in(document)

    def statuses(route: tuple[str, str]) -> set[str]:
        return set(routes[route]["responses"])

    create = routes[("POST", "/LambdaTable/items")]
    assert {"201", "400", "409"} <= statuses(("POST", "/LambdaTable/items"))
    assert "200" not in statuses(("POST", "/LambdaTable/items"))
    assert create["responses"]["201"]["headers"]["Location"]["schema"] == {"type": "string"}
    assert "An item has this key" in create["responses"]["409"]["description"]
    assert {"204", "404"} <= statuses(("DELETE", "/LambdaTable/items/{Id}"))
    assert "content" not in routes[("DELETE", "/LambdaTable/items/{Id}")]["responses"]["204"]
    assert "404" in statuses(("PATCH", "/LambdaTable/items/{Id}"))
    assert "404" in statuses(("GET", "/LambdaTable/items/{Id}"))
    for route in routes:
        assert "405" not in statuses(route), route
        assert {"400", "500"} <= statuses(route), route
        errors = {status for status in statuses(route) if status >= "400"}
        for status in errors:
            schema = routes[route]["responses"][status]["content"][JSON]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorBody"}


def test_a_created_item_links_to_its_read_replace_update_and_delete():
    document = openapi.stack_document(stack_settings("orders"))
    by_id = {op["operationId"]: (route, op) for route, op in routes_in(document).items()}

    links = routes_in(document)[("POST", "/Orders/items")]["responses"]["201"]["links"]

    assert {link["operationId"] for link in links.values()} == {
        f"Orders.items.{verb}" for verb in ("read", "replace", "update", "delete")
    }
    for link in links.values():
        (_, path), operation = by_id[link["operationId"]]
        assert path == "/Orders/items/{customerId}/{orderId}"
        in_path = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
        assert link["parameters"] == {
            "customerId": "$response.body#/customerId",
            "orderId": "$response.body#/orderId",
        }
        assert set(link["parameters"]) == in_path


def test_keys_are_typed_in_paths_queries_and_bodies_by_their_types():
    settings = dev_settings(
        tables={
            "Readings": {"hashKey": "sensor", "rangeKey": "at", "rangeKeyType": "N"},
            "Blobs": {"hashKey": "digest", "hashKeyType": "B"},
        }
    )
    document = openapi.document(Registry().all(), settings)
    routes = routes_in(document)
    schemas = document["components"]["schemas"]

    def parameters(route: tuple[str, str]) -> dict[str, Any]:
        return {p["name"]: p["schema"] for p in routes[route]["parameters"]}

    validate(document)
    readings = parameters(("GET", "/Readings/items/{sensor}"))
    assert readings["sensor"] == {"type": "string", "minLength": 1}
    assert readings["from"] == readings["to"] == {"type": "number"}
    assert readings["limit"] == {"type": "integer", "minimum": 1, "maximum": 1000}
    assert readings["order"] == {"type": "string", "enum": ["asc", "desc"]}
    assert parameters(("GET", "/Readings/items/{sensor}/{at}"))["at"] == {"type": "number"}
    assert schemas["ReadingsItem"]["required"] == ["sensor", "at"]
    assert schemas["ReadingsItem"]["properties"]["at"] == {"type": "number"}
    digest = parameters(("GET", "/Blobs/items/{digest}"))["digest"]
    assert re.fullmatch(digest["pattern"], "q83vEjRWeJA")
    assert not re.fullmatch(digest["pattern"], "q83v+jRWeJA/")
    assert schemas["BlobsItem"]["properties"]["digest"] == {"type": "string", "format": "byte"}
    # The body shows a binary key as base64, the path takes base64url: no link between them.
    assert "links" not in routes[("POST", "/Blobs/items")]["responses"]["201"]
    assert "links" in routes[("POST", "/Readings/items")]["responses"]["201"]


def test_a_stack_without_the_stock_operations_serves_no_table_route_but_its_own():
    # without the microservice blueprint's resource, which needs them
    settings = stack_settings("orders").model_copy(update={"microservice_resource": ""})
    without = openapi.document(Registry(("orders_ops",)).all(), settings)

    assert list(without["paths"]) == ["/DynamoDBManager", "/Orders/by-status/{status}"]
    assert [
        route.declared_by
        for route in openapi.served_routes(Registry(("orders_ops",)).all(), settings)
    ] == ["orders-by-status"]
    assert "OrdersItem" not in without["components"]["schemas"]


def test_a_declared_route_is_documented_and_deployed_like_the_tables_routes():
    settings = stack_settings("orders")
    operations = Registry(settings.operation_packages).all()
    described = openapi.document(operations, settings)["paths"]["/Orders/by-status/{status}"]
    deployed = gateway_document.api_gateway_document(operations, settings, "arn:uri")["paths"][
        "/Orders/by-status/{status}"
    ]

    get = described["get"]
    assert get["operationId"] == "orders-by-status.get"
    assert [(p["name"], p["in"]) for p in get["parameters"]] == [
        ("status", "path"),
        ("limit", "query"),
    ]
    assert {"200", "400", "403"} <= set(get["responses"])
    assert deployed["get"]["x-amazon-apigateway-integration"]["uri"] == "arn:uri"
    assert deployed["x-amazon-apigateway-any-method"]["x-amazon-apigateway-integration"][
        "type"
    ] == ("aws_proxy")


def test_a_declared_routes_table_variable_takes_the_tables_its_operation_runs_on(
    plugin_package,
):
    module = """
from function import operation, route


@operation("count", actions=["dynamodb:Scan"], routes=[route("GET", "/counts/{table}/{kind}")])
def count(call):
    return {"Count": 0}
"""
    settings = stack_settings("orders")
    operations = Registry(("operations", plugin_package({"count": module}))).all()

    get = openapi.document(operations, settings)["paths"]["/counts/{table}/{kind}"]["get"]

    assert {p["name"]: p["schema"] for p in get["parameters"]} == {
        "table": {
            "type": "string",
            "enum": ["LambdaTable", "Orders"],
            "description": "The table, by its logical name.",
        },
        "kind": {"type": "string", "minLength": 1},
    }


def test_routes_carry_the_stacks_security():
    prod = openapi.stack_document(stack_settings("prod"))

    for route, operation in routes_in(prod).items():
        assert operation["security"] == [{"api_key": []}], route
        assert "403" in operation["responses"], route


# --- The function's answers, against the document -------------------------------------------


@pytest.fixture
def table_definitions():
    """The orders stack's tables: a hash key only, a sort key and an index."""
    return stack_settings("orders").tables


Call = Callable[..., tuple[int, dict[str, str], Any]]


@pytest.fixture
def call(tables, invoke) -> Call:
    """Send one request to a table route as API Gateway would, and check the answer against
    the document: a status it lists, a body its schema accepts (or none where it says none).
    """
    document = openapi.stack_document(stack_settings("orders"))
    validator_of = {}

    def send(
        method: str,
        path: str,
        body: Any = None,
        query: Sequence[tuple[str, str]] = (),
    ) -> tuple[int, dict[str, str], Any]:
        template, parameters = template_of(document, path)
        request = HttpRequest(
            method=method,
            path=f"/orders{path}",
            headers=[("Content-Type", JSON)] if body is not None else [],
            query=list(query),
            body=json.dumps(body).encode() if body is not None else b"",
            source_ip="192.0.2.1",
        )
        event = rest_proxy_event(
            request, resource=template, stage="orders", path=path, path_parameters=parameters
        )
        answer = invoke(event)
        status, text = answer["statusCode"], answer["body"]
        responses = document["paths"][template][method.lower()]["responses"]
        assert str(status) in responses, (method, path, status, text)
        response = responses[str(status)]
        if "content" not in response:
            assert not text, (method, path, text)
            return status, answer["headers"], None
        value = json.loads(text)
        key = (template, method, status)
        if key not in validator_of:
            schema = response["content"][JSON]["schema"]
            validator_of[key] = OAS30Validator({**schema, "components": document["components"]})
        validator_of[key].validate(value)
        for header in response.get("headers", {}):
            assert header in answer["headers"], (method, path, header)
        return status, answer["headers"], value

    return send


def template_of(document: Mapping[str, Any], path: str) -> tuple[str, dict[str, str]]:
    """The document's path template ``path`` matches, and its parameters."""
    sent = path.strip("/").split("/")
    for template in document["paths"]:
        parts = template.strip("/").split("/")
        if len(parts) != len(sent):
            continue
        values = {}
        for part, segment in zip(parts, sent, strict=True):
            if part.startswith("{"):
                values[part[1:-1]] = segment
            elif part != segment:
                break
        else:
            return template, values
    raise AssertionError(f"no template matches {path}")


ORDER = {"customerId": "c1", "orderId": "o1", "status": "new", "createdAt": "2026-01-01"}


def test_every_answer_of_the_table_routes_is_one_the_document_describes(call):
    assert call("POST", "/Orders/items", ORDER)[0] == 201
    assert call("POST", "/Orders/items", ORDER)[0] == 409
    assert call("POST", "/Orders/items", {"customerId": "c1"})[0] == 400
    assert call("POST", "/Orders/items", [1])[0] == 400
    second = {"status": "new", "createdAt": "2026-01-02", "total": 0.10000000000000000001}
    assert call("PUT", "/Orders/items/c1/o2", second)[0] == 200
    assert call("PUT", "/Orders/items/c1/o2", {**second, "orderId": "o3"})[0] == 400
    assert call("GET", "/Orders/items/c1/o1")[2] == ORDER

    status, _, first = call("GET", "/Orders/items/c1", query=[("limit", "1")])
    assert (status, len(first["items"])) == (200, 1)
    assert first["next"]
    rest = call("GET", "/Orders/items/c1", query=[("cursor", first["next"])])[2]
    assert [item["orderId"] for item in first["items"] + rest["items"]] == ["o1", "o2"]
    assert rest["next"] is None
    newest = call("GET", "/Orders/items/c1", query=[("prefix", "o"), ("order", "desc")])[2]
    assert [item["orderId"] for item in newest["items"]] == ["o2", "o1"]
    assert call("GET", "/Orders/items/c1", query=[("cursor", "not-ours")])[0] == 400
    assert call("GET", "/Orders/items/c1", query=[("limit", "0")])[0] == 400
    assert call("GET", "/Orders/items", query=[("colour", "red")])[0] == 400
    assert len(call("GET", "/Orders/items")[2]["items"]) == 2
    assert len(call("GET", "/Orders/indexes/byStatus/items/new")[2]["items"]) == 2

    patched = call("PATCH", "/Orders/items/c1/o1", {"status": "paid", "createdAt": None})
    assert patched[0] == 200
    assert patched[2] == {
        "customerId": "c1",
        "orderId": "o1",
        "status": "paid",
    }
    assert call("PATCH", "/Orders/items/c1/o9", {"status": "paid"})[0] == 404
    assert call("DELETE", "/Orders/items/c1/o1")[0] == 204
    assert call("DELETE", "/Orders/items/c1/o1")[0] == 404
    assert call("GET", "/Orders/items/c1/o1")[0] == 404


def test_a_created_items_location_and_links_lead_to_it(call):
    status, headers, created = call("POST", "/LambdaTable/items", {"Id": "7", "name": "Ann"})
    links = openapi.stack_document(stack_settings("orders"))["paths"]["/LambdaTable/items"]
    read = links["post"]["responses"]["201"]["links"]["read"]

    assert status == 201
    assert headers["Location"] == "/orders/LambdaTable/items/7"
    (pointer,) = read["parameters"].values()
    key = created[pointer.removeprefix("$response.body#/")]
    assert call("GET", f"/LambdaTable/items/{key}")[2] == {"Id": "7", "name": "Ann"}
