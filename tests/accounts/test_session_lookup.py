"""The user of a request is looked up in one statement: the session, the user and the
user's roles together (issue 13: the floor of every page behind the login)."""

from __future__ import annotations

import contextvars

import sqlalchemy as sa
from flask import Flask

from lms.accounts.models import Role, User, UserRole
from lms.accounts.operations import grant_role
from lms.accounts.sessions import start_session, user_for_session
from lms.extensions import db
from tests.factories import make_user
from tests.sql import recorded_sql


def in_request(app: Flask, work):
    """``work()`` inside a GET request of its own (its own database session)."""
    def run():
        with app.test_request_context("/"):
            try:
                return work()
            finally:
                db.session.remove()

    return contextvars.Context().run(run)


def test_session_user_and_roles_are_one_statement(app):
    user = make_user(Role.LECTURER, Role.COORDINATOR)
    token = start_session(user)
    db.session.commit()
    user_id = str(user.id)

    def look_up():
        with recorded_sql() as statements:
            live = user_for_session(user_id, token)
            roles = live.user.role_set
            asks = (live.user.has_role(Role.COORDINATOR), live.user.has_role(Role.PARTICIPANT))
        return statements, roles, asks

    statements, roles, asks = in_request(app, look_up)
    assert len(statements) == 1
    assert roles == {Role.LECTURER, Role.COORDINATOR}
    assert asks == (True, False)


def test_a_user_without_roles_has_none(app):
    user = make_user()
    token = start_session(user)
    db.session.commit()
    user_id = str(user.id)
    assert in_request(app, lambda: user_for_session(user_id, token).user.role_set) == set()


def test_a_role_granted_during_the_request_counts_at_once(app):
    user = make_user(Role.PARTICIPANT)
    token = start_session(user)
    db.session.commit()
    user_id = str(user.id)

    def grant():
        current = user_for_session(user_id, token).user
        grant_role(current, Role.LECTURER)
        return current.has_role(Role.LECTURER), current.role_set

    granted, roles = in_request(app, grant)
    assert granted and roles == {Role.PARTICIPANT, Role.LECTURER}


def test_roles_are_read_again_after_the_user_is_expired(app):
    user = make_user(Role.PARTICIPANT)
    token = start_session(user)
    db.session.commit()
    user_id = str(user.id)

    def expire():
        current = user_for_session(user_id, token).user
        db.session.execute(sa.delete(UserRole).where(UserRole.user_id == current.id))
        db.session.expire(current)  # (as a commit does)
        return current.role_set

    assert in_request(app, expire) == set()
    assert db.session.get(User, user.id).role_set == {Role.PARTICIPANT}  # not committed
