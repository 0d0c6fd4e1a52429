"""cohort: a data version, moved on by the database whenever a cohort's marks, meetings or
roster change

The coordinator's attendance matrix is kept rendered per cohort and data version
(lms.web.coordinator.matrix); the version must therefore move with every change of what
the matrix shows, whoever writes it (the operations, bulk statements, the command line,
another worker). Triggers move it, in the writing transaction:

- attendance: a mark inserted, changed or deleted (the cohort of its meeting);
- meeting: scheduled, changed, cancelled or deleted;
- enrollment: a participant added, withdrawn or removed;
- user_account: a participant's name changed (every cohort they are enrolled in);
- module: a module's number changed (every cohort with a meeting of it).

PostgreSQL runs one statement per statement (transition tables: a roster of 200 saved
at once moves the version once); SQLite one per row.

Revision ID: 0012_cohort_data_version
Revises: 0011_privacy
Create Date: 2026-12-02 07:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0012_cohort_data_version'
down_revision = '0011_privacy'
branch_labels = None
depends_on = None

# (Every statement below is made of the constants of this file: S608 does not apply.)
BUMP = "UPDATE cohort SET data_version = data_version + 1 WHERE id IN ({cohorts})"

# PostgreSQL: a function per table, run once per statement with the rows it changed.
POSTGRES = {
    "attendance": "SELECT cohort_id FROM meeting WHERE id IN (SELECT meeting_id FROM {rows})",
    "meeting": "SELECT cohort_id FROM {rows}",
    "enrollment": "SELECT cohort_id FROM {rows}",
}


def _postgres_upgrade() -> None:
    for table, cohorts in POSTGRES.items():
        function = f"lms_{table}_moves_cohort_version"
        new = BUMP.format(cohorts=cohorts.format(rows="new_rows"))
        old = BUMP.format(cohorts=cohorts.format(rows="old_rows"))
        op.execute(f"""
            CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP IN ('INSERT', 'UPDATE') THEN {new}; END IF;
                IF TG_OP IN ('UPDATE', 'DELETE') THEN {old}; END IF;
                RETURN NULL;
            END $$""")
        for event, tables in (("INSERT", "NEW TABLE AS new_rows"),
                              ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
                              ("DELETE", "OLD TABLE AS old_rows")):
            op.execute(f"""
                CREATE TRIGGER {table}_{event.lower()}_moves_cohort_version
                AFTER {event} ON {table} REFERENCING {tables}
                FOR EACH STATEMENT EXECUTE FUNCTION {function}()""")
    op.execute(f"""
        CREATE FUNCTION lms_name_moves_cohort_version() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            {BUMP.format(cohorts="SELECT cohort_id FROM enrollment WHERE user_id = NEW.id")};
            RETURN NULL;
        END $$""")  # noqa: S608
    op.execute("""
        CREATE TRIGGER user_account_name_moves_cohort_version
        AFTER UPDATE OF first_name, last_name ON user_account FOR EACH ROW
        WHEN (OLD.first_name IS DISTINCT FROM NEW.first_name
              OR OLD.last_name IS DISTINCT FROM NEW.last_name)
        EXECUTE FUNCTION lms_name_moves_cohort_version()""")
    op.execute(f"""
        CREATE FUNCTION lms_module_moves_cohort_version() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            {BUMP.format(cohorts="SELECT cohort_id FROM meeting WHERE module_id = NEW.id")};
            RETURN NULL;
        END $$""")  # noqa: S608
    op.execute("""
        CREATE TRIGGER module_number_moves_cohort_version
        AFTER UPDATE OF number ON module FOR EACH ROW
        WHEN (OLD.number IS DISTINCT FROM NEW.number)
        EXECUTE FUNCTION lms_module_moves_cohort_version()""")


def _postgres_downgrade() -> None:
    for table in POSTGRES:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER {table}_{event}_moves_cohort_version ON {table}")
        op.execute(f"DROP FUNCTION lms_{table}_moves_cohort_version()")
    op.execute("DROP TRIGGER user_account_name_moves_cohort_version ON user_account")
    op.execute("DROP FUNCTION lms_name_moves_cohort_version()")
    op.execute("DROP TRIGGER module_number_moves_cohort_version ON module")
    op.execute("DROP FUNCTION lms_module_moves_cohort_version()")


# SQLite: one trigger per table and kind of change, run for each row.
SQLITE = {
    # (table, event, cohorts of the row: NEW for inserts and updates, OLD for deletes)
    ("attendance", "INSERT"): ["SELECT cohort_id FROM meeting WHERE id = NEW.meeting_id"],
    ("attendance", "UPDATE"): ["SELECT cohort_id FROM meeting WHERE id = NEW.meeting_id",
                               "SELECT cohort_id FROM meeting WHERE id = OLD.meeting_id"],
    ("attendance", "DELETE"): ["SELECT cohort_id FROM meeting WHERE id = OLD.meeting_id"],
    ("meeting", "INSERT"): ["SELECT NEW.cohort_id"],
    ("meeting", "UPDATE"): ["SELECT NEW.cohort_id", "SELECT OLD.cohort_id"],
    ("meeting", "DELETE"): ["SELECT OLD.cohort_id"],
    ("enrollment", "INSERT"): ["SELECT NEW.cohort_id"],
    ("enrollment", "UPDATE"): ["SELECT NEW.cohort_id", "SELECT OLD.cohort_id"],
    ("enrollment", "DELETE"): ["SELECT OLD.cohort_id"],
}


def _sqlite_upgrade() -> None:
    for (table, event), cohorts in SQLITE.items():
        bumps = "; ".join(BUMP.format(cohorts=c) for c in cohorts)
        op.execute(f"""
            CREATE TRIGGER {table}_{event.lower()}_moves_cohort_version
            AFTER {event} ON {table} FOR EACH ROW BEGIN {bumps}; END""")
    op.execute(f"""
        CREATE TRIGGER user_account_name_moves_cohort_version
        AFTER UPDATE OF first_name, last_name ON user_account FOR EACH ROW
        WHEN OLD.first_name IS NOT NEW.first_name OR OLD.last_name IS NOT NEW.last_name
        BEGIN {BUMP.format(cohorts="SELECT cohort_id FROM enrollment WHERE user_id = NEW.id")};
        END""")  # noqa: S608
    op.execute(f"""
        CREATE TRIGGER module_number_moves_cohort_version
        AFTER UPDATE OF number ON module FOR EACH ROW WHEN OLD.number IS NOT NEW.number
        BEGIN {BUMP.format(cohorts="SELECT cohort_id FROM meeting WHERE module_id = NEW.id")};
        END""")  # noqa: S608


def _sqlite_downgrade() -> None:
    for table, event in SQLITE:
        op.execute(f"DROP TRIGGER {table}_{event.lower()}_moves_cohort_version")
    op.execute("DROP TRIGGER user_account_name_moves_cohort_version")
    op.execute("DROP TRIGGER module_number_moves_cohort_version")


def upgrade() -> None:
    with op.batch_alter_table('cohort', schema=None) as batch_op:
        batch_op.add_column(sa.Column('data_version', sa.Integer(), server_default='0',
                                      nullable=False))
    if op.get_bind().dialect.name == 'postgresql':
        _postgres_upgrade()
    else:
        _sqlite_upgrade()


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        _postgres_downgrade()
    else:
        _sqlite_downgrade()
    with op.batch_alter_table('cohort', schema=None) as batch_op:
        batch_op.drop_column('data_version')
