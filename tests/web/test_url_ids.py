"""Ids beyond 64 bits (issue #11, item 3): every route with an ``<int:…>`` id answers 404
for any number, for every method and role; walked from the URL map, so that a new
route is covered the moment it exists. The overflow shows differently on the two
databases: SQLite's driver refuses numbers beyond 64 bits (OverflowError), PostgreSQL
already those beyond 32 bits, the size of the INTEGER id columns ("integer out of
range"); so the bound is the smaller one, and this walk runs on both.
(Ids that arrive through forms are walked in tests/web/test_forms_walk.py.)
"""

from __future__ import annotations

import pytest
from flask import url_for

from lms.accounts.models import Role
from lms.extensions import db
from lms.web import MAX_ID, IdConverter
from tests.factories import make_user
from tests.helpers import login
from tests.security.test_access_matrix import API_MATRIX

ROLES = ("anonymous", Role.COORDINATOR, Role.LECTURER, Role.PARTICIPANT)
TOO_LARGE = (MAX_ID + 1, 2**63, 2**64, 10**30)


def _int_rules(app):
    """Every rule with a whole-number argument (Werkzeug's IntegerConverter or ours)."""
    from werkzeug.routing import IntegerConverter

    for rule in app.url_map.iter_rules():
        ints = [name for name, converter in rule._converters.items()
                if isinstance(converter, IntegerConverter)]
        if ints:
            yield rule, ints


def _url(app, rule, value: int) -> str:
    from werkzeug.routing import IntegerConverter

    values = {name: value for name in rule.arguments
              if isinstance(rule._converters.get(name), IntegerConverter)}
    for name in rule.arguments - set(values):  # other arguments: any valid value
        values[name] = {"suffix": "csv"}.get(name, "x")
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def test_every_int_argument_of_every_route_is_a_bounded_id(app):
    rules = list(_int_rules(app))
    assert len(rules) > 50
    for rule, names in rules:
        for name in names:
            converter = rule._converters[name]
            assert isinstance(converter, IdConverter), f"{rule.rule}: {name}"
            assert converter.max == MAX_ID and not converter.signed


@pytest.fixture
def clients(app, course_dir):
    result = {}
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            user = make_user(role)
            db.session.commit()
            login(client, user)
        result[str(role)] = client
    return result


@pytest.mark.parametrize("role", [str(r) for r in ROLES])
def test_ids_beyond_64_bits_answer_404_on_every_route(app, clients, role):
    client = clients[role]
    wrong = []
    for rule, _names in _int_rules(app):
        for method in sorted(rule.methods & {"GET", "POST"}):
            for value in TOO_LARGE:
                url = _url(app, rule, value)
                try:
                    status = client.open(url, method=method, data={}).status_code
                except Exception as error:  # each failing route is listed
                    status = type(error).__name__
                if status != 404:
                    wrong.append(f"{method} {url}: {status}")
    assert not wrong, wrong


# Routes with an id that need no login (what credential verifiers read).
PUBLIC_ID_ROUTES = {"credentials.status_list"}


@pytest.mark.parametrize("role", [str(r) for r in ROLES])
def test_the_largest_id_names_nothing_and_fails_nowhere(app, clients, role):
    """The largest id still matches the routes: every view looks it up and answers that
    there is nothing (or that the role may not look), on SQLite and PostgreSQL."""
    client = clients[role]
    wrong = []
    for rule, _names in _int_rules(app):
        for method in sorted(rule.methods & {"GET", "POST"}):
            url = _url(app, rule, MAX_ID)
            try:
                response = client.open(url, method=method, data={})
            except Exception as error:  # each failing route is listed
                wrong.append(f"{method} {url}: {type(error).__name__}")
                continue
            allowed = {302} if role == "anonymous" else {403, 404}
            if rule.endpoint in PUBLIC_ID_ROUTES:
                allowed = {404}  # public: nothing to log in for, and nothing there
            if rule.endpoint in API_MATRIX:
                allowed = {401}  # a session is no key (with a token: tests/api/test_api)
            if response.status_code not in allowed:
                wrong.append(f"{method} {url}: {response.status_code}")
    assert not wrong, wrong
