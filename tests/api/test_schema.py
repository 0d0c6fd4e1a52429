"""Schemathesis against the API's own OpenAPI document (#18): generated requests to every
operation find no server error, no answer the document does not describe (status, media
type, headers, body), and no operation that answers without a token (``ignored_auth``).

A fixed seed and a bounded number of examples per operation keep it to a minute or two;
it is marked ``schema`` and runs in the SQLite leg of .ci/run only.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.api.world import bearer, build_api_world

EXAMPLES = 30
ID_PARAMS = {"cohort_id": "cohort", "enrollment_id": "enrollment", "meeting_id": "meeting",
             "certificate_id": "certificate", "course_id": "course"}


@pytest.fixture
def api_world(app, course_dir):
    # (Schemathesis also sends requests without a token: not throttled here either)
    app.config.update(LMS_API_RATE_LIMIT="100000/minute",
                      API_FAILED_AUTHENTICATIONS="100000/minute")
    yield build_api_world(course_dir)
    app.config.update(LMS_API_RATE_LIMIT="600/minute", API_FAILED_AUTHENTICATIONS="60/minute")


@pytest.mark.schema
def test_the_api_keeps_to_its_description(app, api_world):
    """Every operation of the document, each with its own examples (Schemathesis' Python
    API: its pytest plugin's fixture loader does not run on this pytest)."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 16
    for operation in operations:
        check_operation(operation, api_world)


def check_operation(operation, api_world) -> None:
    @given(case=operation.as_strategy())
    @seed(18)
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case) -> None:
        # Half the generated ids name real objects (of company A or B), so that answers
        # other than 404 are checked too.
        for name, value in list((case.path_parameters or {}).items()):
            if name in ID_PARAMS and isinstance(value, int) and value % 2 == 0:
                side = api_world.objects if value % 4 == 0 else api_world.other
                case.path_parameters[name] = side.get(ID_PARAMS[name], value)
        token = api_world.tokens["write" if case.method.upper() == "POST" else "read"]
        # Where the domain decides beyond the document, a request that fits it may still
        # be refused with 422 (RFC 9110 15.5.21): a cursor is signed (no schema can tell
        # which strings of its shape are ours), and the writes follow the roster import's
        # and the schedule's rules (a module the course has, an end after the start, …).
        beyond = case.method.upper() == "POST" or bool((case.query or {}).get("cursor"))
        excluded = [positive_data_acceptance] if beyond else []
        case.call_and_validate(headers=bearer(token), excluded_checks=excluded)

    run()
