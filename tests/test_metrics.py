"""Per-operation metrics: the request's log line, as Lambda's JSON log format writes it, is EMF.

Checked against CloudWatch's Embedded Metric Format specification: the
``_aws`` block's shape (its JSON Schema, transcribed below), and the rule that
every dimension and metric it names is a member of the same event, a string
for a dimension, a number for a metric.
"""

from __future__ import annotations

import json
import logging
import time

import jsonschema
import pytest

from function import metrics

#: The specification's schema for the ``_aws`` metadata, its limits included.
EMF_SCHEMA = {
    "type": "object",
    "required": ["_aws"],
    "properties": {
        "_aws": {
            "type": "object",
            "required": ["Timestamp", "CloudWatchMetrics"],
            "properties": {
                "Timestamp": {"type": "integer", "minimum": 0},
                "CloudWatchMetrics": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["Namespace", "Dimensions", "Metrics"],
                        "properties": {
                            "Namespace": {"type": "string", "minLength": 1, "maxLength": 1024},
                            "Dimensions": {
                                "type": "array",
                                "items": {
                                    "type": "array",
                                    "items": {"type": "string", "minLength": 1, "maxLength": 250},
                                    "maxItems": 30,
                                },
                            },
                            "Metrics": {
                                "type": "array",
                                "maxItems": 100,
                                "items": {
                                    "type": "object",
                                    "required": ["Name"],
                                    "properties": {
                                        "Name": {
                                            "type": "string",
                                            "minLength": 1,
                                            "maxLength": 1024,
                                        },
                                        "Unit": {
                                            "enum": [
                                                *("Seconds", "Microseconds", "Milliseconds"),
                                                *("Bytes", "Kilobytes", "Megabytes", "Count"),
                                                *("Percent", "Count/Second", "None"),
                                            ]
                                        },
                                        "StorageResolution": {"enum": [1, 60]},
                                    },
                                },
                            },
                        },
                    },
                },
            },
        }
    },
}

#: What every LogRecord has; Lambda's JSON formatter writes the other attributes as members.
STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
NAMESPACE = "DynamoDBOperations/test"


def emitted(caplog: pytest.LogCaptureFixture) -> dict:
    """The request's log event as Lambda's JSON log format would write it."""
    (record,) = [r for r in caplog.records if r.name == "function.handler"]
    event = {key: value for key, value in vars(record).items() if key not in STANDARD}
    return json.loads(json.dumps({"message": record.getMessage(), **event}))


def check_against_the_specification(event: dict) -> None:
    jsonschema.validate(event, EMF_SCHEMA)
    for directive in event["_aws"]["CloudWatchMetrics"]:
        for dimension in (name for names in directive["Dimensions"] for name in names):
            assert isinstance(event[dimension], str), dimension
        for metric in directive["Metrics"]:
            assert isinstance(event[metric["Name"]], int | float), metric


@pytest.fixture
def metrics_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(metrics.NAMESPACE_VARIABLE, NAMESPACE)


def test_a_request_counts_once_under_its_operation_with_its_latency(
    table, post, caplog, metrics_on
):
    table.put({**table.key(1), "name": "Bob"})
    before = int(time.time() * 1000)
    with caplog.at_level(logging.INFO, logger="function.handler"):
        post({"operation": "read", "payload": {"Key": table.key(1)}})
    after = int(time.time() * 1000)

    event = emitted(caplog)

    check_against_the_specification(event)
    assert event["_aws"]["CloudWatchMetrics"][0]["Namespace"] == NAMESPACE
    assert event["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["operation"]]
    assert (event["operation"], event["Requests"]) == ("read", 1)
    assert (event["ClientErrors"], event["ServerErrors"]) == (0, 0)
    assert event["Latency"] == pytest.approx(event["duration_ms"], abs=0.01)
    assert before <= event["_aws"]["Timestamp"] <= after


def test_errors_count_by_class(table, post, caplog, metrics_on):
    with caplog.at_level(logging.INFO, logger="function.handler"):
        post({"operation": "read", "payload": {"Key": table.key(404)}})

    event = emitted(caplog)

    check_against_the_specification(event)
    assert (event["status"], event["ClientErrors"], event["ServerErrors"]) == (404, 1, 0)


def test_an_unknown_operation_counts_under_no_operation_so_callers_cannot_mint_metrics(
    post, caplog, metrics_on
):
    with caplog.at_level(logging.INFO, logger="function.handler"):
        post({"operation": "made-up-by-a-caller"})

    event = emitted(caplog)

    check_against_the_specification(event)
    assert event["operation"] == "-"
    assert event["requested_operation"] == "made-up-by-a-caller"
    assert event["ClientErrors"] == 1


def test_without_the_setting_the_line_carries_no_metrics(post, caplog, monkeypatch):
    monkeypatch.delenv(metrics.NAMESPACE_VARIABLE, raising=False)
    with caplog.at_level(logging.INFO, logger="function.handler"):
        post({"operation": "ping"})

    event = emitted(caplog)

    assert "_aws" not in event
    assert event["operation"] == "ping"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(event, EMF_SCHEMA)
