"""Content negotiation: every route answers with a page unless JSON is explicitly preferred.

A request without an Accept header, with ``*/*`` (curl, scripts, many tools) or with a
browser's list gets HTML; only ``Accept: application/json`` (what our scripts send) gets
JSON from a route that offers both. The walk covers every route of the URL map as every
kind of user, so a route that starts answering JSON is noticed here.
"""

from __future__ import annotations

import pytest

from tests.helpers import build_matrix_world, login
from tests.route_walk import walk

# Machine endpoints: JSON whatever is asked (a monitor, the check-in screen's poll).
JSON_ONLY = {("public.healthz", "GET"), ("public.readyz", "GET"),
             ("lecturer.check_in_status", "GET")}
# Routes that answer JSON to a script that asks for it, and a page to everyone else.
NEGOTIATED = {("coordinator.certificate_issue", "POST"), ("coordinator.job", "GET")}

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
NOT_PREFERRING_JSON = {
    "no Accept header": None,
    "*/*": {"Accept": "*/*"},
    "a browser": {"Accept": BROWSER},
    "JSON merely acceptable": {"Accept": "text/html, application/json;q=0.9"},
}
ROLES = ("anonymous", "participant", "lecturer", "contact", "coordinator")


@pytest.fixture
def world(app, course_dir):
    return build_matrix_world(course_dir)


def json_answers(app, world, headers) -> set[tuple[str, str]]:
    return {(visit.endpoint, visit.method)
            for visit, response, _client in walk(app, world, roles=ROLES, headers=headers)
            if response.mimetype == "application/json"}


@pytest.mark.parametrize("accept", sorted(NOT_PREFERRING_JSON))
def test_only_machine_endpoints_answer_json_unless_json_is_preferred(app, world, accept):
    assert json_answers(app, world, NOT_PREFERRING_JSON[accept]) == JSON_ONLY


def test_routes_that_offer_json_give_it_when_asked(app, world):
    assert json_answers(app, world, {"Accept": "application/json"}) == JSON_ONLY | NEGOTIATED


def test_issuing_a_certificate_without_accept_header_answers_with_the_page(app, world):
    """The field-test case: a plain request to the issue endpoint got JSON."""
    people, objects = world
    client = app.test_client()
    login(client, people["coordinator"])
    url = f"/coordination/cohorts/{objects['cohort']}/certificates/{objects['enrollment']}/issue"
    for headers in NOT_PREFERRING_JSON.values():
        response = client.post(url, headers=headers)
        assert response.status_code == 302 and response.mimetype == "text/html"
    scripted = client.post(url, headers={"Accept": "application/json"})
    assert scripted.mimetype == "application/json" and "ok" in scripted.get_json()
