"""privacy: erasure requests and exports of a person's data; what an erasure keeps

A person asks for the erasure of their data (erasure_request) and downloads a copy of it
(data_export, one ZIP in storage, with its progress). An erased account stays as a
pseudonymous row (user_account.erased_at). A certificate's verification record keeps the
hours as printed (course_hours, attended_minutes); a credential whose text an erasure
removed is recognised by content_sha256.

Revision ID: 0011_privacy
Revises: 0010_materials
Create Date: 2026-12-02 08:45:15.371903

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_privacy'
down_revision = '0010_materials'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('data_export',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state', sa.Enum('pending', 'ready', 'failed', name='state', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('stored_name', sa.String(length=120), nullable=True),
    sa.Column('size_bytes', sa.Integer(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('error', sa.String(length=500), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=True),
    sa.CheckConstraint("state != 'ready' OR (stored_name IS NOT NULL AND finished_at IS NOT NULL)", name=op.f('ck_data_export_ready_has_file')),
    sa.CheckConstraint('done >= 0 AND (total IS NULL OR done <= total)', name=op.f('ck_data_export_progress_in_range')),
    sa.CheckConstraint('sha256 IS NULL OR length(sha256) = 64', name=op.f('ck_data_export_sha256_length')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], name=op.f('fk_data_export_requested_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_data_export_user_id_user_account'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_export')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_data_export_stored_name'))
    )
    with op.batch_alter_table('data_export', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_data_export_user_id'), ['user_id'], unique=False)

    op.create_table('erasure_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('message', sa.String(length=1000), nullable=False),
    sa.Column('decision', sa.Enum('pending', 'erased', 'refused', name='decision', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=1000), nullable=False),
    sa.CheckConstraint("decision = 'pending' OR (decided_at IS NOT NULL AND length(trim(reason)) > 0)", name=op.f('ck_erasure_request_decision_complete')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_erasure_request_decided_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_erasure_request_user_id_user_account'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_erasure_request'))
    )
    with op.batch_alter_table('erasure_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_erasure_request_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_erasure_request_one_pending', ['user_id'], unique=True, sqlite_where=sa.text("decision = 'pending'"), postgresql_where=sa.text("decision = 'pending'"))

    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('course_hours', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('attended_minutes', sa.Integer(), nullable=True))
        # An erasure removes the PDF of a rendered certificate; its SHA-256 stays.
        batch_op.drop_constraint(batch_op.f('ck_certificate_stored_unless_pending'),
                                 type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_certificate_hashed_unless_pending'),
                                         "status = 'pending' OR sha256 IS NOT NULL")
        batch_op.create_check_constraint(batch_op.f('ck_certificate_stored_file_hashed'),
                                         "stored_name IS NULL OR sha256 IS NOT NULL")

    with op.batch_alter_table('certificate_credential', schema=None) as batch_op:
        batch_op.add_column(sa.Column('content_sha256', sa.String(length=64), nullable=True))

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('erased_at')

    with op.batch_alter_table('certificate_credential', schema=None) as batch_op:
        batch_op.drop_column('content_sha256')

    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_certificate_stored_file_hashed'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_certificate_hashed_unless_pending'),
                                 type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_certificate_stored_unless_pending'),
            "status = 'pending' OR (stored_name IS NOT NULL AND sha256 IS NOT NULL)")
        batch_op.drop_column('attended_minutes')
        batch_op.drop_column('course_hours')

    with op.batch_alter_table('erasure_request', schema=None) as batch_op:
        batch_op.drop_index('uq_erasure_request_one_pending', sqlite_where=sa.text("decision = 'pending'"), postgresql_where=sa.text("decision = 'pending'"))
        batch_op.drop_index(batch_op.f('ix_erasure_request_user_id'))

    op.drop_table('erasure_request')
    with op.batch_alter_table('data_export', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_data_export_user_id'))

    op.drop_table('data_export')
