"""Property-based API testing with schemathesis: generated requests (valid and invalid) against every
operation in the OpenAPI document must never produce a 5xx, an undocumented status or content type, or a
response body that breaks its declared schema. Prints the number of generated cases."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_headers_conformance, response_schema_conformance, status_code_conformance,
)

from api_support import make_api

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]
EXAMPLES_PER_OPERATION = 15


@pytest.fixture
def seeded(sqlite_url):
    api = make_api(sqlite_url)
    api.seed()
    yield api
    api.client.app.state.engine.dispose()


def _run_operation(operation, mode: GenerationMode, headers: dict[str, str]) -> int:
    count = 0

    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case) -> None:
        nonlocal count
        count += 1
        case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        run()
    except Unsatisfiable:
        # Nothing to make invalid (e.g. GET /health has no parameters): no negative cases exist.
        assert mode is GenerationMode.NEGATIVE
    return count


def test_api_conforms_to_its_openapi_document(seeded):
    schema = schemathesis.openapi.from_asgi("/openapi.json", seeded.client.app)
    cases: dict[str, int] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        # Consultant of Horsens: writes without a jobcenter succeed, so generated data reaches the handlers.
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            cases[operation.label] = cases.get(operation.label, 0) + _run_operation(operation, mode, seeded.as_("a"))
    total = sum(cases.values())
    print(f"\nschemathesis: {total} genererede kald over {len(cases)} operationer, 0 fejl")
    assert len(cases) == 15, cases  # 12 paths, 15 method+path operations
    # GET /health takes no input: one case exhausts it. Every other operation gets many.
    assert all(count >= 5 for label, count in cases.items() if label != "GET /api/v1/health"), cases
