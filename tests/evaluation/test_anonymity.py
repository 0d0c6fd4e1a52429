"""No table links an answer to a person: checked on the schema the migrations built, and on
what answering writes."""

from __future__ import annotations

import sqlalchemy as sa

from lms.extensions import db
from tests.evaluation.world import answer, build_evaluation_world

ANSWERS = "evaluation_response"
ANSWERED = "evaluation_participation"
TIME_TYPES = (sa.DateTime, sa.Date, sa.Time, sa.Interval)


def _inspector():
    return sa.inspect(db.engine)


def test_no_table_links_an_answer_to_a_person(app):
    inspector = _inspector()
    tables = inspector.get_table_names()

    # Nothing refers to an answer: no table has a foreign key to the answers.
    referring = {(t, tuple(fk["constrained_columns"])) for t in tables
                 for fk in inspector.get_foreign_keys(t) if fk["referred_table"] == ANSWERS}
    assert referring == set()

    # An answer refers only to its evaluation, which is one row per cohort and module,
    # shared by everyone asked.
    answer_fks = [(fk["constrained_columns"], fk["referred_table"])
                  for fk in inspector.get_foreign_keys(ANSWERS)]
    assert answer_fks == [(["evaluation_id"], "evaluation")]
    shared = {tuple(u["column_names"]) for u in inspector.get_unique_constraints("evaluation")}
    assert ("cohort_id", "module_id") in shared

    # The answer's columns: a key, the evaluation, the answers. No person, no time; the
    # key is not a number that counts up.
    columns = {c["name"]: c["type"] for c in inspector.get_columns(ANSWERS)}
    assert set(columns) == {"id", "evaluation_id", "answers"}
    assert inspector.get_pk_constraint(ANSWERS)["constrained_columns"] == ["id"]
    assert isinstance(columns["id"], sa.String) and columns["id"].length == 36
    assert not any(isinstance(t, TIME_TYPES) for t in columns.values())

    # "Has answered": the evaluation and the enrollment, nothing else: no id of its own,
    # no time, nothing that could hold an answer's key.
    answered = {c["name"]: c["type"] for c in inspector.get_columns(ANSWERED)}
    assert set(answered) == {"evaluation_id", "enrollment_id"}
    assert sorted(inspector.get_pk_constraint(ANSWERED)["constrained_columns"]) == [
        "enrollment_id", "evaluation_id"]
    assert {fk["referred_table"] for fk in inspector.get_foreign_keys(ANSWERED)} == {
        "evaluation", "enrollment"}


def test_the_schema_check_sees_a_link(app, tmp_path):
    """(The check itself: a person column or a timestamp on the answers is found.)"""
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'bad.sqlite3'}")
    metadata = sa.MetaData()
    sa.Table("enrollment", metadata, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table("evaluation", metadata, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table(ANSWERS, metadata, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("evaluation_id", sa.ForeignKey("evaluation.id")),
             sa.Column("enrollment_id", sa.ForeignKey("enrollment.id")),
             sa.Column("answered_at", sa.DateTime))
    metadata.create_all(engine)
    inspector = sa.inspect(engine)
    assert len(inspector.get_foreign_keys(ANSWERS)) == 2
    columns = {c["name"]: c["type"] for c in inspector.get_columns(ANSWERS)}
    assert any(isinstance(t, TIME_TYPES) for t in columns.values())
    assert not isinstance(columns["id"], sa.String)
    engine.dispose()


def _row_counts() -> dict[str, int]:
    with db.engine.connect() as connection:
        return {t.name: connection.scalar(sa.select(sa.func.count()).select_from(t))
                for t in db.metadata.sorted_tables}


def test_answering_writes_the_answer_and_that_one_has_answered_and_nothing_else(app,
                                                                                course_dir):
    """No audit event, no log row, no notification names the person who answered."""
    ew = build_evaluation_world(course_dir)
    answer(ew, ew.world.a.enrollments[0], inhalt=5, kommentar="Sehr praxisnah")
    before = _row_counts()
    answer(ew, ew.world.a.enrollments[1], inhalt=2, kommentar="Zu schnell")
    after = _row_counts()
    changed = {t: after[t] - before[t] for t in after if after[t] != before[t]}
    assert changed == {ANSWERS: 1, ANSWERED: 1}
    with db.engine.connect() as connection:
        texts = [t.name for t in db.metadata.sorted_tables
                 if any("Zu schnell" in str(row) for row in connection.execute(sa.select(t)))]
    assert texts == [ANSWERS]


def _physical_order(evaluation_id: int) -> list[tuple[str, int, str]]:
    """Each answer's key, its scale answer and the transaction that wrote the row, in the
    order the database keeps them (SQLite's rowid, PostgreSQL's physical place)."""
    statement = {
        "sqlite": "SELECT id, answers, '' FROM evaluation_response WHERE evaluation_id = :e "
                  "ORDER BY rowid",
        "postgresql": "SELECT id, answers, xmin::text FROM evaluation_response "
                      "WHERE evaluation_id = :e ORDER BY ctid",
    }[db.engine.dialect.name]
    with db.engine.connect() as connection:
        rows = connection.execute(sa.text(statement), {"e": evaluation_id})
        return [(key, _json(answers)["inhalt"], written) for key, answers, written in rows]


def _json(value):
    import json

    return value if isinstance(value, dict) else json.loads(value)


def test_every_answer_rewrites_all_answers_in_the_order_shuffled(app, course_dir,
                                                                  monkeypatch):
    """With each answer every answer of the evaluation is written anew, in the order the
    shuffle chose (here, for the test, largest first), in the new answer's transaction:
    neither place nor transaction follows the order in which people answered."""
    import lms.evaluation.operations as operations

    monkeypatch.setattr(operations, "_shuffle",
                        lambda rows: rows.sort(key=lambda r: -r["answers"]["inhalt"]))
    ew = build_evaluation_world(course_dir)
    keys: set[str] = set()
    writers: set[str] = set()
    for number, enrollment in enumerate(ew.world.a.enrollments[:4], start=1):
        answer(ew, enrollment, inhalt=number)
        rows = _physical_order(ew.status().evaluation.id)
        assert [r[1] for r in rows] == list(range(number, 0, -1))
        assert keys <= {r[0] for r in rows}  # the same answers, written anew
        keys = {r[0] for r in rows}
        if db.engine.dialect.name == "postgresql":
            [writer] = {r[2] for r in rows}  # one transaction wrote them all: this one
            assert writer not in writers
            writers.add(writer)


def test_the_shuffle_is_random(app):
    """(The real shuffle: over many runs, every order of three rows turns up.)"""
    from lms.evaluation.operations import _shuffle

    seen = set()
    for _ in range(300):
        rows = [{"n": 1}, {"n": 2}, {"n": 3}]
        _shuffle(rows)
        seen.add(tuple(r["n"] for r in rows))
    assert len(seen) == 6
