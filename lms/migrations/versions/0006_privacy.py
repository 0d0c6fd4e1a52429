"""privacy: erasure requests; what an erasure keeps of a certificate and its credential

An erased account stays as a pseudonymous row (erased_at). A certificate's verification
record keeps the hours as printed, and its PDF may be gone (stored_name NULL, the SHA-256
stays); a credential whose document an erasure removed is recognised by content_sha256.

Revision ID: 0006_privacy
Revises: 0005_credentials
Create Date: 2026-12-02 06:36:34.469161

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_privacy'
down_revision = '0005_credentials'
branch_labels = None
depends_on = None


def upgrade() -> None:
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
        batch_op.alter_column('stored_name',
               existing_type=sa.VARCHAR(length=120),
               nullable=True)

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
        batch_op.alter_column('stored_name',
               existing_type=sa.VARCHAR(length=120),
               nullable=False)
        batch_op.drop_column('attended_minutes')
        batch_op.drop_column('course_hours')

    with op.batch_alter_table('erasure_request', schema=None) as batch_op:
        batch_op.drop_index('uq_erasure_request_one_pending', sqlite_where=sa.text("decision = 'pending'"), postgresql_where=sa.text("decision = 'pending'"))
        batch_op.drop_index(batch_op.f('ix_erasure_request_user_id'))

    op.drop_table('erasure_request')
