"""jobs: background jobs people can watch; certificates reserved before they are rendered

A ``background_job`` row records each job's kind, who started it, its progress, state,
result, error and attempts (the queue itself is RQ on Redis). A certificate can now be
``pending``: reserved with its serial and code in a short transaction, without a file
until a job renders it (``stored_name`` and ``sha256`` stay empty until then), and
linked to the job that renders it.

Revision ID: 0006_jobs
Revises: 0005_credentials
Create Date: 2026-12-02 06:09:26.072087

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_jobs'
down_revision = '0005_credentials'
branch_labels = None
depends_on = None

ONE_VALID = "status IN ('pending', 'valid')"
ONE_VALID_BEFORE = "status = 'valid'"


def _foreign_keys(on: bool) -> None:
    """SQLite's batch mode copies ``certificate`` into a new table and drops the old one;
    with foreign keys enforced, dropping it would delete its credentials' parent rows
    (and fail). The pragma only works outside a transaction, as here (a migration run on
    its own). PostgreSQL alters the table in place."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def upgrade() -> None:
    _foreign_keys(False)
    _upgrade()
    _foreign_keys(True)


def downgrade() -> None:
    _foreign_keys(False)
    _downgrade()
    _foreign_keys(True)


def _upgrade() -> None:
    op.create_table('background_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('certificate_batch', 'cohort_export', 'change_notice', 'reminders', name='kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('state', sa.Enum('queued', 'running', 'retrying', 'succeeded', 'failed', name='state', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('cohort_id', sa.Integer(), nullable=True),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('error', sa.String(length=1000), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(state IN ('succeeded', 'failed')) = (finished_at IS NOT NULL)", name=op.f('ck_background_job_finished_when_done')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_background_job_attempts_not_negative')),
    sa.CheckConstraint('done >= 0 AND failed >= 0', name=op.f('ck_background_job_progress_not_negative')),
    sa.CheckConstraint('total IS NULL OR total >= 0', name=op.f('ck_background_job_total_not_negative')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_background_job_cohort_id_cohort'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['started_by_id'], ['user_account.id'], name=op.f('fk_background_job_started_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_background_job'))
    )
    with op.batch_alter_table('background_job', schema=None) as batch_op:
        batch_op.create_index('ix_background_job_cohort_state', ['cohort_id', 'kind', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_background_job_started_by_id'), ['started_by_id'], unique=False)

    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_index('uq_certificate_one_valid', sqlite_where=sa.text(ONE_VALID_BEFORE), postgresql_where=sa.text(ONE_VALID_BEFORE))
        batch_op.drop_constraint(batch_op.f('ck_certificate_status'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_certificate_revocation_complete'), type_='check')
        batch_op.add_column(sa.Column('job_id', sa.Integer(), nullable=True))
        batch_op.alter_column('stored_name', existing_type=sa.VARCHAR(length=120), nullable=True)
        batch_op.alter_column('sha256', existing_type=sa.VARCHAR(length=64), nullable=True)
        batch_op.create_index(batch_op.f('ix_certificate_job_id'), ['job_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_certificate_job_id_background_job'), 'background_job', ['job_id'], ['id'], ondelete='SET NULL')
        batch_op.create_check_constraint(batch_op.f('ck_certificate_status'), "status IN ('pending', 'valid', 'revoked')")
        batch_op.create_check_constraint(batch_op.f('ck_certificate_revocation_complete'), "status IN ('pending', 'valid') OR (revoked_at IS NOT NULL AND length(trim(revoked_reason)) > 0)")
        batch_op.create_check_constraint(batch_op.f('ck_certificate_stored_unless_pending'), "status = 'pending' OR (stored_name IS NOT NULL AND sha256 IS NOT NULL)")
        batch_op.create_index('uq_certificate_one_valid', ['enrollment_id', 'kind'], unique=True, sqlite_where=sa.text(ONE_VALID), postgresql_where=sa.text(ONE_VALID))


def _downgrade() -> None:
    # Pending certificates have no document: they cannot exist in the older schema.
    op.execute("DELETE FROM certificate WHERE status = 'pending'")
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_index('uq_certificate_one_valid', sqlite_where=sa.text(ONE_VALID), postgresql_where=sa.text(ONE_VALID))
        batch_op.drop_constraint(batch_op.f('ck_certificate_stored_unless_pending'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_certificate_revocation_complete'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_certificate_status'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_certificate_job_id_background_job'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_certificate_job_id'))
        batch_op.alter_column('sha256', existing_type=sa.VARCHAR(length=64), nullable=False)
        batch_op.alter_column('stored_name', existing_type=sa.VARCHAR(length=120), nullable=False)
        batch_op.drop_column('job_id')
        batch_op.create_check_constraint(batch_op.f('ck_certificate_status'), "status IN ('valid', 'revoked')")
        batch_op.create_check_constraint(batch_op.f('ck_certificate_revocation_complete'), "status = 'valid' OR (revoked_at IS NOT NULL AND length(trim(revoked_reason)) > 0)")
        batch_op.create_index('uq_certificate_one_valid', ['enrollment_id', 'kind'], unique=True, sqlite_where=sa.text(ONE_VALID_BEFORE), postgresql_where=sa.text(ONE_VALID_BEFORE))

    with op.batch_alter_table('background_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_background_job_started_by_id'))
        batch_op.drop_index('ix_background_job_cohort_state')

    op.drop_table('background_job')
