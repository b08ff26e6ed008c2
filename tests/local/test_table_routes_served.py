"""`make serve` serves the table routes as the deployed REST API will, and its banner lists them.

Issue 26's "Done when" on the dev stack, the orders stack's pages, and what API
Gateway itself answers around the routes (403 for a path no route has, the stage
prefix), over real HTTP on one server per stack.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from function.registry import Registry
from function.routes import routes_of
from infra.settings import settings_from, stack_settings
from local_api import examples
from tests.local.conftest import LocalServer, start_server

#: ``0.10000000000000000001``: 21 significant digits, more than a float holds.
EXACT = "0.10000000000000000001"
CUSTOMER_ORDERS = [
    {"customerId": "c1", "orderId": f"o{number}", "status": "NEW", "createdAt": "2026-12-01"}
    for number in range(1, 6)
]
OTHER_ORDERS = [
    {"customerId": "c2", "orderId": "o1", "status": "NEW", "createdAt": "2026-12-02"},
    {"customerId": "c10", "orderId": "o1", "status": "NEW", "createdAt": "2026-12-03"},
]
#: A banner line for a route: its method, its template, its curl.
ROUTE_LINE = re.compile(r"^    (GET|POST|PUT|PATCH|DELETE) +(/\S+) +(curl .*)$")


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    server = start_server(tmp_path_factory.mktemp("dev"), "--stack", "dev")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def orders(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    """The orders stack (two tables; an API key), seeded with orders of three customers."""
    tmp = tmp_path_factory.mktemp("orders")
    seed = tmp / "seed.json"
    seed.write_text(json.dumps({"Orders": CUSTOMER_ORDERS + OTHER_ORDERS}))
    server = start_server(tmp, "--stack", "orders", "--seed", str(seed))
    server.api_key = server.banner_key()
    try:
        yield server
    finally:
        server.stop()


def send(server: LocalServer, method: str, path: str, document: str | None = None):
    headers = {"Content-Type": "application/json"} if document is not None else {}
    return server.request(method, path, document, headers)


def test_an_item_is_created_read_changed_and_deleted_on_its_routes_numbers_exact(dev):
    read_before = dev.post(
        {"operation": "read", "tableName": "LambdaTable", "payload": {"Key": {"Id": "7"}}}
    )
    body = f'{{"Id": "7", "name": "Ann", "n": {EXACT}}}'

    created = send(dev, "POST", "/LambdaTable/items", body)
    read = send(dev, "GET", "/LambdaTable/items/7")
    patched = send(dev, "PATCH", "/LambdaTable/items/7", '{"name": "Bo"}')
    enveloped = dev.post(
        {"operation": "read", "tableName": "LambdaTable", "payload": {"Key": {"Id": "7"}}}
    )
    deleted = send(dev, "DELETE", "/LambdaTable/items/7")
    gone = send(dev, "GET", "/LambdaTable/items/7")

    assert read_before.status == 404
    assert (created.status, created.headers["location"]) == (201, "/dev/LambdaTable/items/7")
    assert read.status == 200
    assert read.text == f'{{"Id":"7","name":"Ann","n":{EXACT}}}'
    assert (patched.status, patched.text) == (200, f'{{"Id":"7","name":"Bo","n":{EXACT}}}')
    # /DynamoDBManager answers as before, on what the routes wrote.
    assert (enveloped.status, enveloped.text) == (200, f'{{"Item":{patched.text}}}')
    assert (deleted.status, deleted.text) == (204, "")
    assert (gone.status, gone.json["type"]) == (404, "ItemNotFound")


def test_a_key_with_slashes_and_spaces_round_trips_through_location(dev):
    created = send(dev, "POST", "/dev/LambdaTable/items", '{"Id": "a/b c", "x": 1}')
    location = created.headers["location"]

    assert location == f"/dev/LambdaTable/items/{quote('a/b c', safe='')}"
    assert send(dev, "GET", location).json == {"Id": "a/b c", "x": 1}
    assert send(dev, "DELETE", location).status == 204


def test_around_the_routes_api_gateway_answers_itself(dev):
    unknown = send(dev, "GET", "/LambdaTable/things")
    wrong_method = send(dev, "PUT", "/LambdaTable/items", "{}")
    staged = send(dev, "POST", "/dev/LambdaTable/items", '{"Id": "8"}')
    read_staged = send(dev, "GET", "/dev/LambdaTable/items/8")

    assert (unknown.status, unknown.json) == (403, {"message": "Missing Authentication Token"})
    assert (wrong_method.status, wrong_method.headers["allow"]) == (405, "GET, POST")
    assert wrong_method.json["type"] == "MethodNotAllowed"
    assert (staged.status, staged.headers["location"]) == (201, "/dev/LambdaTable/items/8")
    assert (read_staged.status, read_staged.json) == (200, {"Id": "8"})
    assert "GET /dev/LambdaTable/items/8 read 200 " in dev.log()


def test_a_customers_orders_come_a_page_at_a_time_each_once(orders):
    seen: list[dict[str, str]] = []
    path = "/Orders/items/c1?limit=2"
    pages = 0
    while True:
        answer = orders.request("GET", path)
        assert answer.status == 200, answer.text
        page = answer.json
        assert len(page["items"]) <= 2
        seen += page["items"]
        pages += 1
        if page["next"] is None:
            break
        path = f"/Orders/items/c1?limit=2&cursor={page['next']}"

    assert pages >= 3
    assert sorted(seen, key=lambda order: order["orderId"]) == CUSTOMER_ORDERS


def test_a_cursor_this_api_did_not_give_is_a_400(orders):
    answer = orders.request("GET", "/Orders/items/c1?limit=2&cursor=not-a-cursor")

    assert (answer.status, answer.json["type"]) == (400, "InvalidCursor")


def test_the_banner_lists_every_route_of_every_table_with_a_curl_that_works_pasted_in_order(
    orders,
):
    listed = [
        (found[1], found[2], shlex.split(found[3]))
        for line in orders.log().splitlines()
        if (found := ROUTE_LINE.match(line))
    ]
    settings = stack_settings("orders")
    every_route = routes_of(
        {name: table.key_schema for name, table in settings.tables.items()},
        Registry(settings.operation_packages).all(),
        settings.microservice_resource,
    )
    assert any(route.declared_by == "orders-by-status" for route in every_route)
    assert any(route.blueprint for route in every_route)

    assert sorted((method, path) for method, path, _ in listed) == sorted(
        (route.method, route.path) for route in every_route
    )
    # A route's answer to its curl, in the banner's order: the POST makes the item first.
    statuses = []
    for method, path, curl in listed:
        answer = run_curl(orders, curl)
        statuses.append((method, path, answer.status))
        if path.startswith("/Orders/indexes/"):
            assert answer.json["items"], "the example item is in the index"
    blueprint = f"/{settings.microservice_resource}"  # answers 200 to each, as the blueprint did
    assert statuses == [
        (method, path, 200 if path == blueprint else {"POST": 201, "DELETE": 204}.get(method, 200))
        for method, path, _ in listed
    ]
    assert all(sent_headers(curl)["x-api-key"] == orders.api_key for _, _, curl in listed)


def test_the_dev_banners_route_curls_send_no_key(dev):
    curls = [found[3] for line in dev.log().splitlines() if (found := ROUTE_LINE.match(line))]

    assert len(curls) == 6
    assert not any("x-api-key" in curl for curl in curls)
    assert f"Try the routes (also under {dev.base}/dev/...):" in dev.log()


def sent_headers(curl: list[str]) -> dict[str, str]:
    pairs = [curl[at + 1] for at, part in enumerate(curl) if part == "-H"]
    return dict(pair.split(": ", 1) for pair in pairs)


def run_curl(server: LocalServer, curl: list[str]):
    """Send what ``curl`` would send: its method, URL, headers and body."""
    method = curl[curl.index("-X") + 1] if "-X" in curl else "GET"
    url = next(part for part in curl if part.startswith("http://"))
    body = curl[curl.index("-d") + 1] if "-d" in curl else None
    return server.request(method, url.removeprefix(server.base), body, sent_headers(curl))


def test_the_banner_has_a_curl_for_an_index_keyed_by_a_binary_attribute():
    settings = settings_from(
        {
            "tables": {
                "Things": {
                    "hashKey": "h",
                    "rangeKey": "r",
                    "rangeKeyType": "N",
                    "globalSecondaryIndexes": {"byBin": {"hashKey": "gb", "hashKeyType": "B"}},
                }
            }
        }
    )

    lines = examples.route_examples(settings, "http://127.0.0.1:3000")

    (index_curl,) = [line for line in lines if "/Things/indexes/byBin/items/" in line]
    (create,) = [line for line in lines if line.lstrip().startswith("POST")]
    assert "/Things/indexes/byBin/items/Nw?limit=10" in index_curl  # b"7" as base64url
    assert '"gb": "Nw=="' in create  # and as base64 in the body that makes the item
