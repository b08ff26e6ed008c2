"""A DynamoDB endpoint that answers at once: every call gets the same GetItem answer.

Run as a child process (``python -m bench.instant_dynamodb PORT``), so timing a
read measures the client and the handler, not a database: what the handler
adds shows against a round trip of about a millisecond, as it would against
DynamoDB's own single-digit milliseconds. It is the tests' fake endpoint
(:mod:`tests.fake_dynamodb`), polling without ever sleeping.
"""

from __future__ import annotations

import sys

from tests.fake_dynamodb import Answer, FakeDynamoDB

ITEM = {"Item": {"Id": {"S": "1"}, "name": {"S": "Bob"}}}


def serve(port: int) -> None:
    """Answer every request on ``port`` with :data:`ITEM` until the process is stopped."""
    FakeDynamoDB(Answer(ITEM), port, record=False).serve_forever(busy_poll=True)


if __name__ == "__main__":
    serve(int(sys.argv[1]))
