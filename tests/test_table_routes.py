"""The routes over every table, through the handler as API Gateway sends them.

``/{table}/items/...``: each route runs a stock operation, so its answers are
DynamoDB's, shaped as resources (the item, a page, 201 with ``Location``, 204).
"""

from __future__ import annotations

import base64
import json
from decimal import Decimal

import pytest

from function import events
from function import handler as lambda_handler
from infra.table_definitions import table_definitions as definitions_of
from local_api.lambda_context import LambdaContext
from tests.conftest import load_event

ANN = '{"Id": "7", "name": "Ann", "n": 0.10000000000000000001}'


@pytest.fixture
def table_definitions():
    """The tutorial's table, orders keyed by a number and a string with an index, binary keys."""
    return definitions_of(
        {
            "LambdaTable": {"hashKey": "Id"},
            "Orders": {
                "hashKey": "customerId",
                "hashKeyType": "N",
                "rangeKey": "orderId",
                "globalSecondaryIndexes": {
                    "byStatus": {"hashKey": "status", "rangeKey": "createdAt"}
                },
            },
            "Blobs": {"hashKey": "digest", "hashKeyType": "B"},
            "Readings": {"hashKey": "sensor", "rangeKey": "at", "rangeKeyType": "N"},
        },
        point_in_time_recovery=False,
        deletion_protection=False,
    )


def test_an_item_is_created_read_changed_and_deleted(tables, http):
    created = http("POST", "/LambdaTable/items", ANN.encode())
    assert created.status == 201
    assert created.headers["Location"] == "/dev/LambdaTable/items/7"
    assert created.text == '{"Id":"7","name":"Ann","n":0.10000000000000000001}'

    read = http("GET", "/LambdaTable/items/7")
    assert (read.status, read.text) == (200, created.text)

    patched = http("PATCH", "/LambdaTable/items/7", {"name": "Bo", "n": None, "tags": ["a"]})
    assert (patched.status, patched.json) == (200, {"Id": "7", "name": "Bo", "tags": ["a"]})

    deleted = http("DELETE", "/LambdaTable/items/7")
    assert (deleted.status, deleted.text) == (204, "")
    assert "Content-Type" not in deleted.headers
    gone = http("GET", "/LambdaTable/items/7")
    assert (gone.status, gone.json["type"]) == (404, "ItemNotFound")
    assert tables["LambdaTable"].items() == []


def test_creating_a_key_that_exists_is_a_409_and_changes_nothing(tables, http):
    tables["LambdaTable"].put({"Id": "7", "name": "Ann"})

    answer = http("POST", "/LambdaTable/items", {"Id": "7", "name": "Eve"})

    assert (answer.status, answer.json["type"]) == (409, "ItemExists")
    assert "PUT" in answer.json["message"]
    assert tables["LambdaTable"].items() == [{"Id": "7", "name": "Ann"}]


def test_an_item_to_create_needs_its_key_and_an_object_body(tables, http):
    keyless = http("POST", "/LambdaTable/items", {"name": "Ann"})
    listed = http("POST", "/LambdaTable/items", [{"Id": "1"}])
    unreadable = http("POST", "/LambdaTable/items", b'{"Id": ')

    assert (keyless.status, keyless.json["type"]) == (400, "InvalidKey")
    assert "Id" in keyless.json["message"]
    assert (listed.status, listed.json["type"]) == (400, "InvalidPayload")
    assert (unreadable.status, unreadable.json["type"]) == (400, "InvalidJson")
    assert tables["LambdaTable"].items() == []


def test_put_replaces_the_item_its_path_names(tables, http):
    tables["LambdaTable"].put({"Id": "7", "name": "Ann", "old": True})

    replaced = http("PUT", "/LambdaTable/items/7", {"name": "Bo"})
    same_key = http("PUT", "/LambdaTable/items/7", {"Id": "7", "name": "Cy"})
    other_key = http("PUT", "/LambdaTable/items/7", {"Id": "8", "name": "Di"})

    assert (replaced.status, replaced.json) == (200, {"Id": "7", "name": "Bo"})
    assert same_key.status == 200
    assert (other_key.status, other_key.json["type"]) == (400, "InvalidKey")
    assert tables["LambdaTable"].items() == [{"Id": "7", "name": "Cy"}]


def test_patch_and_delete_of_an_absent_item_are_404s_and_create_nothing(tables, http):
    patched = http("PATCH", "/LambdaTable/items/9", {"name": "Bo"})
    deleted = http("DELETE", "/LambdaTable/items/9")

    assert (patched.status, patched.json["type"]) == (404, "ItemNotFound")
    assert (deleted.status, deleted.json["type"]) == (404, "ItemNotFound")
    assert tables["LambdaTable"].items() == []


def test_patch_may_not_move_the_item_and_must_change_something(tables, http):
    tables["LambdaTable"].put({"Id": "7", "name": "Ann"})

    moved = http("PATCH", "/LambdaTable/items/7", {"Id": "8"})
    empty = http("PATCH", "/LambdaTable/items/7", {})

    assert (moved.status, moved.json["type"]) == (400, "InvalidKey")
    assert (empty.status, empty.json["type"]) == (400, "InvalidPayload")
    assert tables["LambdaTable"].items() == [{"Id": "7", "name": "Ann"}]


def test_the_items_are_listed_a_page_at_a_time(tables, http):
    for number in range(5):
        tables["LambdaTable"].put({"Id": str(number)})

    seen, cursor, pages = [], None, 0
    while True:
        answer = http("GET", "/LambdaTable/items?limit=2" + (f"&cursor={cursor}" if cursor else ""))
        assert answer.status == 200
        assert set(answer.json) == {"items", "next"}
        seen += [item["Id"] for item in answer.json["items"]]
        cursor, pages = answer.json["next"], pages + 1
        if cursor is None:
            break
        assert "Id" not in cursor  # opaque: never the raw LastEvaluatedKey

    assert sorted(seen) == ["0", "1", "2", "3", "4"]
    assert pages == 3


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("limit=0", "InvalidQuery"),
        ("limit=1001", "InvalidQuery"),
        ("limit=two", "InvalidQuery"),
        ("limit=" + "9" * 5000, "InvalidQuery"),  # int() refuses over 4,300 digits
        ("limt=2", "InvalidQuery"),
        ("order=desc", "InvalidQuery"),
        ("cursor=not-a-cursor", "InvalidCursor"),
        (f"cursor={base64.urlsafe_b64encode(b'[1]').decode()}", "InvalidCursor"),
    ],
)
def test_a_bad_page_request_is_a_400_naming_what_is_wrong(tables, http, query, kind):
    answer = http("GET", f"/LambdaTable/items?{query}")

    assert (answer.status, answer.json["type"]) == (400, kind)


def test_a_partition_pages_in_order_between_bounds(tables, http):
    for order in ("2026-01", "2026-02", "2026-03", "2027-01"):
        tables["Orders"].put({"customerId": 42, "orderId": order, "status": "new"})
    tables["Orders"].put({"customerId": 43, "orderId": "2026-01"})

    def ids(target: str) -> list[str]:
        answer = http("GET", target)
        assert answer.status == 200, answer.text
        return [item["orderId"] for item in answer.json["items"]]

    assert ids("/Orders/items/42") == ["2026-01", "2026-02", "2026-03", "2027-01"]
    assert ids("/Orders/items/42?order=desc&limit=2") == ["2027-01", "2026-03"]
    assert ids("/Orders/items/42?prefix=2026") == ["2026-01", "2026-02", "2026-03"]
    assert ids("/Orders/items/42?from=2026-02&to=2026-03") == ["2026-02", "2026-03"]
    assert ids("/Orders/items/42?from=2026-03") == ["2026-03", "2027-01"]
    assert ids("/Orders/items/42?to=2026-01") == ["2026-01"]
    assert ids("/Orders/items/44") == []
    mixed = http("GET", "/Orders/items/42?prefix=2026&from=2026-02")
    assert (mixed.status, mixed.json["type"]) == (400, "InvalidQuery")


def test_a_partition_pages_with_a_cursor(tables, http):
    for number in range(5):
        tables["Orders"].put({"customerId": 42, "orderId": f"o{number}"})

    first = http("GET", "/Orders/items/42?limit=3").json
    second = http("GET", f"/Orders/items/42?limit=3&cursor={first['next']}").json

    assert [item["orderId"] for item in first["items"] + second["items"]] == [
        f"o{number}" for number in range(5)
    ]
    assert second["next"] is None


def test_numeric_keys_in_the_path_are_exact_numbers(tables, http):
    key = "12345678901234567890.123"
    created = http("PUT", f"/Orders/items/{key}/a", {"total": 1})
    read = http("GET", f"/Orders/items/{key}/a")
    not_a_number = http("GET", "/Orders/items/forty-two/a")

    assert created.status == 200
    assert read.text == f'{{"customerId":{key},"orderId":"a","total":1}}'
    assert tables["Orders"].items()[0]["customerId"] == Decimal(key)
    assert (not_a_number.status, not_a_number.json["type"]) == (400, "InvalidKey")


def test_an_index_is_queried_by_its_own_key(tables, http):
    tables["Orders"].put({"customerId": 1, "orderId": "a", "status": "new", "createdAt": "2"})
    tables["Orders"].put({"customerId": 2, "orderId": "b", "status": "new", "createdAt": "1"})
    tables["Orders"].put({"customerId": 3, "orderId": "c", "status": "paid", "createdAt": "3"})

    answer = http("GET", "/Orders/indexes/byStatus/items/new")
    bounded = http("GET", "/Orders/indexes/byStatus/items/new?from=2")

    assert [item["orderId"] for item in answer.json["items"]] == ["b", "a"]
    assert [item["orderId"] for item in bounded.json["items"]] == ["a"]


def test_binary_keys_travel_as_base64url_in_the_path(tables, http):
    digest = bytes(range(250, 256)) + b"?>"
    in_path = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    in_body = base64.b64encode(digest).decode()

    created = http("POST", "/Blobs/items", {"digest": in_body, "size": 8})
    read = http("GET", f"/Blobs/items/{in_path}")
    garbled = http("GET", "/Blobs/items/%25%25")

    assert created.status == 201, created.text
    assert created.headers["Location"] == f"/dev/Blobs/items/{in_path}"
    assert read.json == {"digest": in_body, "size": 8}
    assert (garbled.status, garbled.json["type"]) == (400, "InvalidKey")


def test_a_method_the_path_does_not_take_is_a_405_naming_those_it_does(tables, http):
    items = http("DELETE", "/LambdaTable/items")
    partition = http("PUT", "/Orders/items/42")

    assert (items.status, items.headers["Allow"]) == (405, "GET, POST")
    assert (partition.status, partition.headers["Allow"]) == (405, "GET")
    assert items.json["type"] == "MethodNotAllowed"


def _catch_all_event(proxy: str) -> dict:
    """A REST API event through ``ANY /{proxy+}``: API Gateway gives the path decoded."""
    event = load_event("rest-api-proxy.json")
    event.update(
        resource="/{proxy+}",
        path=f"/{proxy}",
        httpMethod="GET",
        body=None,
        pathParameters={"proxy": proxy},
    )
    return event


def test_behind_a_catch_all_resource_the_function_routes_by_path(tables, invoke):
    tables["LambdaTable"].put({"Id": "a b%2F", "name": "Ann"})
    tables["LambdaTable"].put({"Id": "x/y", "name": "Bo"})

    found = invoke(_catch_all_event("LambdaTable/items/a b%2F"))
    unknown = invoke(_catch_all_event("Nowhere/items"))
    slashed = invoke(_catch_all_event("LambdaTable/items/x/y"))

    assert (found["statusCode"], json.loads(found["body"])["name"]) == (200, "Ann")
    assert (unknown["statusCode"], json.loads(unknown["body"])["type"]) == (404, "RouteNotFound")
    # API Gateway decodes the catch-all's path: a key holding "/" reads as more segments.
    assert (slashed["statusCode"], json.loads(slashed["body"])["type"]) == (404, "RouteNotFound")


def test_http_api_events_are_routed_by_route_key_or_by_path(tables, invoke):
    tables["LambdaTable"].put({"Id": "7", "name": "Ann"})
    event = load_event("http-api-v2.json")
    event["requestContext"]["http"]["method"] = "GET"
    event.update(body=None, isBase64Encoded=False, rawPath="/dev/LambdaTable/items/7")
    by_route = {**event, "routeKey": "GET /LambdaTable/items/{Id}", "pathParameters": {"Id": "7"}}
    by_path = {**event, "routeKey": "$default"}
    by_path["requestContext"] = {**event["requestContext"], "stage": "dev"}

    for routed in (by_route, by_path):
        answer = invoke(routed)
        assert (answer["statusCode"], json.loads(answer["body"])) == (
            200,
            {"Id": "7", "name": "Ann"},
        )


def test_the_envelope_resource_answers_as_before(tables, post, http):
    tables["LambdaTable"].put({"Id": "7", "name": "Ann"})

    envelope = post(
        {"operation": "read", "tableName": "LambdaTable", "payload": {"Key": {"Id": "7"}}}
    )
    get = http("GET", "/DynamoDBManager")

    assert (envelope.status, envelope.json) == (200, {"Item": {"Id": "7", "name": "Ann"}})
    assert (get.status, get.headers["Allow"]) == (405, "POST")


def test_a_retried_create_with_an_idempotency_key_answers_201_again(
    tables, idempotency_table, http
):
    key = (("Idempotency-Key", "create-ann-once"),)

    first = http("POST", "/LambdaTable/items", {"Id": "7", "name": "Ann"}, headers=key)
    retried = http("POST", "/LambdaTable/items", {"Id": "7", "name": "Ann"}, headers=key)

    assert (first.status, retried.status) == (201, 201)
    assert retried.headers["Idempotent-Replayed"] == "true"
    assert retried.headers["Location"] == first.headers["Location"]
    assert tables["LambdaTable"].items() == [{"Id": "7", "name": "Ann"}]


def test_the_log_line_names_the_route_and_its_operation(tables, http, caplog):
    with caplog.at_level("INFO", logger="function.handler"):
        http("GET", "/LambdaTable/items/7")
        http("GET", "/Nowhere")

    lines = [
        (record.route, record.operation, record.status)
        for record in caplog.records
        if hasattr(record, "route")
    ]
    assert lines == [("GET /LambdaTable/items/{Id}", "read", 404), ("GET /Nowhere", None, 404)]


def test_direct_invocations_keep_the_envelope(tables):
    tables["LambdaTable"].put({"Id": "7"})

    answer = lambda_handler.handler(
        {"operation": "read", "tableName": "LambdaTable", "payload": {"Key": {"Id": "7"}}},
        LambdaContext(),
    )

    assert answer == {"Item": {"Id": "7"}}


def test_a_read_with_an_idempotency_key_reads_afresh(tables, idempotency_table, http):
    key = (("Idempotency-Key", "a-read"),)
    tables["LambdaTable"].put({"Id": "7", "v": 1})
    first = http("GET", "/LambdaTable/items/7", headers=key)
    tables["LambdaTable"].put({"Id": "7", "v": 2})

    second = http("GET", "/LambdaTable/items/7", headers=key)

    assert (first.json["v"], second.json["v"]) == (1, 2)
    assert "Idempotent-Replayed" not in second.headers
    assert idempotency_table.items() == []


def test_a_cursor_must_name_exactly_the_keys_of_what_it_pages(tables, http):
    def cursor(last_key: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(last_key).encode()).decode().rstrip("=")

    refused = [
        ("/LambdaTable/items", {"Id": "7", "other": "x"}),
        ("/LambdaTable/items", {"Id": 7}),
        ("/LambdaTable/items", {"other": "x"}),
        ("/Orders/items/42", {"customerId": "42", "orderId": "a"}),
        ("/Orders/indexes/byStatus/items/new", {"customerId": 42, "orderId": "a"}),
    ]
    accepted = (
        "/Orders/indexes/byStatus/items/new",
        {"customerId": 42, "orderId": "a", "status": "new", "createdAt": "1"},
    )

    for path, last_key in refused:
        answer = http("GET", f"{path}?cursor={cursor(last_key)}")
        assert (answer.status, answer.json["type"]) == (400, "InvalidCursor"), (path, last_key)
    assert http("GET", f"{accepted[0]}?cursor={cursor(accepted[1])}").status == 200


def test_bounds_in_the_wrong_order_are_a_400_as_dynamodb_answers(tables, http):
    answer = http("GET", "/Orders/items/42?from=b&to=a")
    numbers = http("GET", "/Orders/items/42?from=10&to=9")

    assert (answer.status, answer.json["type"]) == (400, "InvalidQuery")
    assert numbers.status == 200  # orderId is a string: "10" sorts before "9"


def test_keys_dynamodb_would_refuse_are_400s_before_it_is_called(tables, http):
    too_long = "x" * 2049

    assert http("GET", f"/LambdaTable/items/{too_long}").json["type"] == "InvalidKey"
    assert http("POST", "/Blobs/items", {"digest": ""}).json["type"] == "InvalidKey"
    assert http("POST", "/LambdaTable/items", {"Id": ""}).json["type"] == "InvalidKey"
    assert http("PUT", f"/Orders/items/1/{'y' * 1025}", {}).json["type"] == "InvalidKey"
    assert tables["LambdaTable"].items() == tables["Orders"].items() == []


def test_one_binary_key_has_one_spelling(tables, http):
    tables["Blobs"].put({"digest": b"\xfb\xff"})

    assert http("GET", "/Blobs/items/-_8").status == 200
    assert http("GET", "/Blobs/items/-_8=").status == 200  # padding may be sent
    assert http("GET", "/Blobs/items/-_9").json["type"] == "InvalidKey"
    assert http("POST", "/Blobs/items", {"digest": "AB=="}).json["type"] == "InvalidKey"


def test_a_number_sort_key_takes_no_prefix(tables, http):
    answer = http("GET", "/Readings/items/a?prefix=1")

    assert (answer.status, answer.json["type"]) == (400, "InvalidQuery")
    assert "prefix" not in answer.json["message"].split("takes")[1]


def test_a_key_of_the_wrong_type_in_a_body_is_an_invalid_key(tables, http):
    number_for_string = http("POST", "/LambdaTable/items", {"Id": 5})
    string_for_number = http("PUT", "/Orders/items/42/a", {"status": 1})
    index_key = http("POST", "/Orders/items", {"customerId": 1, "orderId": "a", "status": 5})

    assert number_for_string.json["type"] == "InvalidKey"
    assert "string key" in number_for_string.json["message"]
    assert string_for_number.json["type"] == index_key.json["type"] == "InvalidKey"
    assert tables["LambdaTable"].items() == tables["Orders"].items() == []


def test_another_partitions_cursor_is_refused(tables, http):
    for customer in (1, 2):
        for order in ("a", "b"):
            tables["Orders"].put({"customerId": customer, "orderId": order})
    first = http("GET", "/Orders/items/1?limit=1").json

    reused = http("GET", f"/Orders/items/2?cursor={first['next']}")

    assert (reused.status, reused.json["type"]) == (400, "InvalidCursor")


def test_behind_a_catch_all_a_key_holding_a_slash_is_found_by_its_encoded_path(tables, invoke):
    tables["LambdaTable"].put({"Id": "a/b", "name": "Ann"})
    rest = _catch_all_event("LambdaTable/items/a/b")
    rest["path"] = "/LambdaTable/items/a%2Fb"
    http_api = load_event("http-api-v2.json")
    http_api["requestContext"]["http"]["method"] = "GET"
    http_api.update(
        body=None,
        isBase64Encoded=False,
        routeKey="ANY /{proxy+}",
        rawPath="/LambdaTable/items/a%2Fb",
        pathParameters={"proxy": "LambdaTable/items/a/b"},
    )

    for event in (rest, http_api):
        answer = invoke(event)
        assert (answer["statusCode"], json.loads(answer["body"])["name"]) == (200, "Ann")


def test_a_jwts_subject_is_the_caller_whose_idempotency_keys_are_its_own(tables):
    def caller(claims: dict) -> str:
        event = load_event("http-api-v2.json")
        event["requestContext"]["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
        return events.read(event, None).caller

    alice = caller({"iss": "https://issuer.example", "sub": "alice"})
    bob = caller({"iss": "https://issuer.example", "sub": "bob"})

    machine = caller({"iss": "https://issuer.example", "client_id": "app"})

    assert alice == 'jwt:["https://issuer.example", "alice"]'
    assert len({alice, bob, machine, "anonymous"}) == 4


def test_location_has_one_leading_slash_whatever_the_path_sent(tables, invoke):
    event = load_event("http-api-v2.json")
    event.update(
        routeKey="POST /LambdaTable/items",
        rawPath="//LambdaTable/items",
        body='{"Id": "dbl"}',
        isBase64Encoded=False,
    )

    answer = invoke(event)

    assert (answer["statusCode"], answer["headers"]["Location"]) == (201, "/LambdaTable/items/dbl")


def test_a_malformed_idempotency_key_on_a_read_is_refused_as_on_a_write(
    tables, idempotency_table, http
):
    bad = (("Idempotency-Key", "x" * 300),)

    read = http("GET", "/LambdaTable/items/7", headers=bad)
    write = http("POST", "/LambdaTable/items", {"Id": "7"}, headers=bad)

    assert read.json["type"] == write.json["type"] == "InvalidIdempotencyKey"
