"""The database connections' policy on PostgreSQL (lms.db.install_connection_policy):
no ping round trip, reads of GET requests without a transaction, and every write still
in one transaction that commits or rolls back as a whole."""

from __future__ import annotations

import time
from collections.abc import Iterator

import psycopg
import pytest
import sqlalchemy as sa
from psycopg.pq import TransactionStatus

from lms.db import install_connection_policy, is_plain_read
from tests.conftest import TEST_DATABASE_URL

postgres_only = pytest.mark.skipif(not TEST_DATABASE_URL,
                                   reason="the policy is PostgreSQL's (LMS_TEST_DATABASE_URL)")


@pytest.mark.parametrize(("statement", "plain"), [
    ("SELECT user_account.id FROM user_account WHERE user_account.id = %(id)s", True),
    ("  \n SELECT 1", True),
    ("select count(*) from meeting", True),
    ("SELECT meeting.id FROM meeting WHERE meeting.id = %(id)s FOR UPDATE", False),
    ("SELECT meeting.id FROM meeting FOR NO KEY UPDATE", False),
    ("SELECT meeting.id FROM meeting FOR KEY SHARE", False),
    ("SELECT id FROM meeting FOR SHARE", False),
    ("SELECT nextval('meeting_id_seq')", False),
    ("SELECT pg_advisory_xact_lock(42)", False),
    ("SELECT set_config('search_path', 'x', true)", False),
    ("INSERT INTO company (name) VALUES (%(name)s)", False),
    ("UPDATE user_session SET last_seen_at=%(t)s WHERE user_session.id = %(id)s", False),
    ("DELETE FROM attendance WHERE id = 1", False),
    ("WITH x AS (DELETE FROM attendance RETURNING id) SELECT count(*) FROM x", False),
    ("SAVEPOINT sa_savepoint_1", False),
])
def test_only_a_select_that_neither_locks_nor_changes_anything_is_a_plain_read(statement,
                                                                               plain):
    assert is_plain_read(statement) is plain


# --------------------------------------------------------------------------- PostgreSQL


class Switch:
    """What the web layer answers: whether the current request only reads."""

    def __init__(self) -> None:
        self.reads_alone = False

    def __call__(self) -> bool:
        return self.reads_alone


@pytest.fixture
def engine() -> Iterator[tuple[sa.Engine, Switch]]:
    """An engine of its own with one pooled connection, so that the test knows which
    connection the next checkout returns."""
    engine = sa.create_engine(TEST_DATABASE_URL.replace("postgresql://",
                                                        "postgresql+psycopg://", 1),
                              pool_size=1, max_overflow=0)
    switch = Switch()
    install_connection_policy(engine, switch)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE IF NOT EXISTS policy_probe (n integer)")
        connection.exec_driver_sql("DELETE FROM policy_probe")
    yield engine, switch
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE policy_probe")
    engine.dispose()


def status(connection: sa.Connection) -> TransactionStatus:
    return connection.connection.dbapi_connection.info.transaction_status


def count(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return connection.exec_driver_sql("SELECT count(*) FROM policy_probe").scalar_one()


@postgres_only
def test_reads_of_a_get_request_run_without_a_transaction(engine):
    engine, switch = engine
    switch.reads_alone = True
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1").all()
        assert status(connection) == TransactionStatus.IDLE  # nothing begun, nothing to end


@postgres_only
def test_other_requests_read_inside_a_transaction_as_before(engine):
    engine, _switch = engine
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1").all()
        assert status(connection) == TransactionStatus.INTRANS


@postgres_only
def test_the_first_write_of_a_get_request_begins_a_transaction_that_rolls_back_whole(engine):
    engine, switch = engine
    switch.reads_alone = True
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1").all()
        connection.exec_driver_sql("INSERT INTO policy_probe VALUES (1)")
        assert status(connection) == TransactionStatus.INTRANS
        connection.exec_driver_sql("SELECT count(*) FROM policy_probe").all()
        connection.exec_driver_sql("INSERT INTO policy_probe VALUES (2)")
        connection.rollback()  # e.g. the second write failed: nothing of it is kept
    assert count(engine) == 0
    with engine.connect() as connection:
        connection.exec_driver_sql("INSERT INTO policy_probe VALUES (1)")
        connection.exec_driver_sql("INSERT INTO policy_probe VALUES (2)")
        connection.commit()
        assert status(connection) == TransactionStatus.IDLE
    assert count(engine) == 2


@postgres_only
def test_a_get_request_that_ends_without_commit_keeps_nothing(engine):
    engine, switch = engine
    switch.reads_alone = True
    with engine.connect() as connection:
        connection.exec_driver_sql("INSERT INTO policy_probe VALUES (1)")
    assert count(engine) == 0


@postgres_only
def test_a_locking_select_of_a_get_request_holds_its_lock_to_the_end(engine):
    engine, switch = engine
    switch.reads_alone = True
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT n FROM policy_probe FOR UPDATE").all()
        assert status(connection) == TransactionStatus.INTRANS


@postgres_only
def test_an_isolation_level_asked_for_is_kept(engine):
    """The feed's snapshot asks for REPEATABLE READ: its reads are one transaction."""
    engine, switch = engine
    switch.reads_alone = True
    with engine.connect() as plain:
        level = plain.execution_options(isolation_level="REPEATABLE READ")
        level.exec_driver_sql("SELECT 1").all()
        level.exec_driver_sql("SELECT 2").all()
        assert status(level) == TransactionStatus.INTRANS
        assert level.exec_driver_sql("SHOW transaction_isolation").scalar_one() == \
            "repeatable read"


@postgres_only
def test_explicit_autocommit_is_not_turned_into_a_transaction(engine):
    engine, switch = engine
    switch.reads_alone = True
    with engine.connect() as plain:
        auto = plain.execution_options(isolation_level="AUTOCOMMIT")
        auto.exec_driver_sql("INSERT INTO policy_probe VALUES (1)")
        assert status(auto) == TransactionStatus.IDLE
    assert count(engine) == 1


@postgres_only
def test_a_connection_the_server_ended_is_replaced_before_it_is_used(engine):
    """What pool_pre_ping did, without its round trip: the server's goodbye is on the
    socket."""
    engine, switch = engine
    switch.reads_alone = True
    with engine.connect() as connection:
        pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    with psycopg.connect(TEST_DATABASE_URL, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        for _ in range(100):  # until the server has let go of it
            gone = admin.execute("SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = %s",
                                 (pid,)).fetchone()[0]
            if gone:
                break
            time.sleep(0.02)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one() != pid


@postgres_only
def test_the_connection_goes_back_to_the_pool_as_it_came(engine):
    engine, switch = engine
    switch.reads_alone = True
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1").all()
    switch.reads_alone = False
    with engine.connect() as connection:
        assert not connection.connection.dbapi_connection.autocommit
        connection.exec_driver_sql("SELECT 1").all()
        assert status(connection) == TransactionStatus.INTRANS


@postgres_only
def test_the_app_reads_without_a_transaction_in_get_requests_only(app, client):
    """The web layer switches the policy on for GET (and HEAD), not for POST."""
    from sqlalchemy import event

    from lms.accounts.models import Role
    from lms.extensions import db
    from tests.factories import make_user
    from tests.helpers import login

    user = make_user(Role.PARTICIPANT)
    db.session.commit()
    login(client, user.email)
    seen: list[bool] = []

    def on_execute(_conn, cursor, *_args) -> None:
        seen.append(cursor.connection.autocommit)

    event.listen(db.engine, "before_cursor_execute", on_execute)
    try:
        assert client.get("/me/").status_code == 200
        reads, seen[:] = list(seen), []
        assert client.post("/language", data={"language": "en"}).status_code == 302
        writes = list(seen)
    finally:
        event.remove(db.engine, "before_cursor_execute", on_execute)
    assert reads and all(reads)  # every statement of the GET ran on its own
    assert writes and not any(writes)  # the POST's in a transaction, as before


@postgres_only
def test_a_savepoint_of_a_get_request_begins_the_transaction_first(engine):
    """(unique_or writes in a savepoint: its refusal must leave the rest as it was.)"""
    engine, switch = engine
    switch.reads_alone = True
    with engine.connect() as connection:
        savepoint = connection.begin_nested()
        assert status(connection) == TransactionStatus.INTRANS
        connection.exec_driver_sql("INSERT INTO policy_probe VALUES (1)")
        savepoint.rollback()
        connection.exec_driver_sql("INSERT INTO policy_probe VALUES (2)")
        connection.commit()
    with engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT n FROM policy_probe").scalars().all()
    assert rows == [2]
