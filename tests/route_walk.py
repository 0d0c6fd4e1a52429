"""Walk every route of the app as every kind of user, on the access matrix's world.

The matrix (tests/security/test_access_matrix.py) already knows each route of the URL map, the
arguments it needs and who may use it; the walks that check one property of every
answer (its 429 page, its content type, the session cookie it leaves) use it through
here, so that a new route is walked as soon as the matrix knows it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import login
from tests.security.test_access_matrix import MATRIX, ROLES, _url


@dataclass(frozen=True)
class Visit:
    endpoint: str
    method: str
    role: str
    url: str


def clients_by_role(app: Flask, people: dict) -> dict[str, FlaskClient]:
    """One client per role, logged in (anonymous: not)."""
    clients = {}
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            login(client, people[role])
        clients[role] = client
    return clients


def visits(app: Flask, objects: dict, roles=ROLES) -> Iterator[Visit]:
    """Every route and method of the matrix, for each role; logout last of all."""
    for role in roles:
        for endpoint, routes in sorted(MATRIX.items(), key=lambda item: item[0] == "public.logout"):
            for route in routes:
                yield Visit(endpoint, route.method, role, _url(app, endpoint, route, objects))


def walk(app: Flask, world, *, clients=None, roles=ROLES, data=None,
         headers=None) -> Iterator[tuple[Visit, object, FlaskClient]]:
    """Request every route as every role in ``roles``: (visit, response, client).
    ``data``: the form sent with each request, or a function of the visit that returns it."""
    people, objects = world
    clients = clients or clients_by_role(app, people)
    for visit in visits(app, objects, roles):
        client = clients[visit.role]
        form = data(visit) if callable(data) else data
        response = client.open(visit.url, method=visit.method, data=dict(form or {}),
                               headers=headers)
        yield visit, response, client
