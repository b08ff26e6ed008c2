"""schemathesis's extension for our document (``SCHEMATHESIS_HOOKS``): the envelope's answers.

``POST /DynamoDBManager`` answers whatever the operation its body names answers, which
OpenAPI cannot tie to the request: its 200 is any of the operations' answers, so the
stock ``response_schema_conformance`` would pass a ``read`` that answered like a
``ping``. :func:`envelope_answer_conformance` checks each 200 against the answer
schema of the operation the request names (:mod:`tests.answer_schemas`).
"""

from __future__ import annotations

from typing import Any

import schemathesis

from tests.answer_schemas import answer_errors

ENVELOPE = "/DynamoDBManager"


@schemathesis.check
def envelope_answer_conformance(ctx: Any, response: Any, case: Any) -> bool | None:
    """A 200 of the envelope matches the answer schema of the operation its request names.

    As schemathesis reads a check's result, ``True`` means skipped (not the envelope's 200)
    and ``None`` passed.
    """
    if case.path != ENVELOPE or case.method.upper() != "POST" or response.status_code != 200:
        return True
    operation = case.body["operation"]
    errors = answer_errors(case.operation.schema.raw_schema, operation, response.json())
    if errors:
        raise AssertionError(f"{operation}'s answer is not its x-answer schema's: {errors[0]}")
    return None
