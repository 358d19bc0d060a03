"""Schemathesis drives every operation of the OpenAPI schema against a running server, as a
student and as an instructor, with data the schema allows and data it does not: no answer is a
server error, and every answer matches the schema it documents.

Bounded so `make test` stays within its budget: API_FUZZ_EXAMPLES examples per operation and
generation mode (default 6, the same examples each run). A longer, fresh run:
`API_FUZZ_EXAMPLES=200 .venv/bin/pytest tests/config/test_api_fuzzing.py` (README, "Tests").
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from learners.practice import start_session
from learners.roles import Role
from quizbank.starter import load_starter_bank
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "6"))
# The bounded run in `make test` draws the same examples every time, so CI is repeatable; a
# longer run asked for with API_FUZZ_EXAMPLES explores afresh each time.
IS_REPEATABLE = "API_FUZZ_EXAMPLES" not in os.environ
CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]


@pytest.mark.parametrize("role", [Role.STUDENT, Role.INSTRUCTOR])
def test_no_operation_gives_a_server_error_or_breaks_its_schema(
    live_server: Any, role: Role
) -> None:
    from django.utils import timezone

    load_starter_bank(by=make_user("fuzz-admin", Role.ADMIN))
    user = make_user(f"fuzz-{role.value.lower()}", role)
    if role == Role.STUDENT:
        # Sessions, items and met questions to find, so ids in paths sometimes exist.
        start_session(learner=user, mode="tutor", count=5, now=timezone.now())
    token, _ = Token.objects.get_or_create(user=user)
    headers = {"Authorization": f"Token {token.key}"}
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/?format=json")
    results = list(schema.get_all_operations())
    # Every operation of the schema must load: an invalid one would go untested.
    assert all(isinstance(result, Ok) for result in results), results
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) >= 20

    for operation in operations:
        for mode in MODES:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                derandomize=IS_REPEATABLE,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def answers_within_the_schema(case: Any) -> None:
                case.call_and_validate(base_url=live_server.url, headers=headers, checks=CHECKS)

            try:
                answers_within_the_schema()
            except Unsatisfiable:
                # An operation with nothing to get wrong (no parameters, no body) has no
                # negative case; its positive cases ran above.
                if mode != GenerationMode.NEGATIVE:
                    raise
