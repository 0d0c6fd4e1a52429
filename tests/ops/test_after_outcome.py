"""lms.db.after_commit / after_rollback: the one mechanism behind files removed, mails and
webhook deliveries handed over once a transaction's outcome is known."""

from __future__ import annotations

import sqlalchemy as sa

from lms.db import after_commit, after_rollback
from lms.extensions import db


def begin() -> None:
    """A transaction under way, as in every request that changes something."""
    db.session.execute(sa.text("SELECT 1"))


def test_a_commit_runs_the_commit_actions_in_order_and_forgets_the_rollback_ones(app):
    ran: list[str] = []
    begin()
    after_commit(db.session, lambda: ran.append("first"))
    after_rollback(db.session, lambda: ran.append("rolled back"))
    after_commit(db.session, lambda: ran.append("second"))
    db.session.commit()
    assert ran == ["first", "second"]
    db.session.rollback()  # (the rollback action went with the commit)
    assert ran == ["first", "second"]


def test_a_rollback_runs_the_rollback_actions_and_forgets_the_commit_ones(app):
    ran: list[str] = []
    begin()
    after_commit(db.session, lambda: ran.append("committed"))
    after_rollback(db.session, lambda: ran.append("rolled back"))
    db.session.rollback()
    assert ran == ["rolled back"]
    begin()
    db.session.commit()
    assert ran == ["rolled back"]


def test_a_savepoint_decides_nothing(app):
    ran: list[str] = []
    begin()
    savepoint = db.session.begin_nested()
    after_commit(db.session, lambda: ran.append("committed"))
    after_rollback(db.session, lambda: ran.append("rolled back"))
    savepoint.rollback()  # the savepoint's, not the transaction's
    assert ran == []
    db.session.commit()
    assert ran == ["committed"]  # (and the rollback action forgotten)
