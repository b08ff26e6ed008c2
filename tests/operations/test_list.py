def test_list_without_a_payload_returns_every_item(table, run_operation):
    for index in range(3):
        table.put({"Id": str(index), "n": index})

    result = run_operation("list")

    assert sorted(item["Id"] for item in result["Items"]) == ["0", "1", "2"]
    assert result["Count"] == 3
    assert "LastEvaluatedKey" not in result


def test_list_pages_with_last_evaluated_key(table, run_operation):
    for index in range(7):
        table.put({"Id": f"{index:02}"})

    seen, payload = [], {"Limit": 3}
    while True:
        page = run_operation("list", payload)
        seen.extend(item["Id"] for item in page["Items"])
        if "LastEvaluatedKey" not in page:
            break
        assert set(page["LastEvaluatedKey"]) == {"Id"}
        payload = {"Limit": 3, "ExclusiveStartKey": page["LastEvaluatedKey"]}

    assert sorted(seen) == [f"{index:02}" for index in range(7)]
    assert len(seen) == 7


def test_list_filters(table, run_operation):
    table.put({"Id": "1", "name": "Bob"})
    table.put({"Id": "2", "name": "Ann"})

    result = run_operation(
        "list",
        {
            "FilterExpression": "#n = :n",
            "ExpressionAttributeNames": {"#n": "name"},
            "ExpressionAttributeValues": {":n": "Ann"},
        },
    )

    assert result["Items"] == [{"Id": "2", "name": "Ann"}]
