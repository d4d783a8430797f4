"""Schema fuzzing: schemathesis generates requests from the OpenAPI document and checks every answer.

No request may get a 5xx, and every answer must match the document (its status is documented, its
body fits the schema, its content type is the documented one). It runs on a copy of the quickstart
workspace with a real token of the quickstart's admin, who may write.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api_helpers import bearer, token_of
from rapid_adoption.api import create_app

MAX_EXAMPLES = 20
"""Examples per operation: about 1,000 requests in all, which keeps the test near a minute per backend."""

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_no_server_error_and_every_answer_fits_the_schema(qs_ws):
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", create_app(qs_ws))
    headers = bearer(token_of(qs_ws, "admin"))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 87
    failures = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            check()
        except Exception as failure:  # noqa: BLE001 - collected and reported below, one per operation
            failures.append(f"{operation.label}: {failure}")
    assert failures == []
