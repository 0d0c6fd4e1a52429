"""data export: a person's copy of their data (Art. 15/20), one ZIP in storage per row

Revision ID: 0007_data_export
Revises: 0006_privacy
Create Date: 2026-12-02 07:18:54.213115

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_data_export'
down_revision = '0006_privacy'
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
    sa.CheckConstraint("state != 'ready' OR (stored_name IS NOT NULL AND finished_at IS NOT NULL)", name=op.f('ck_data_export_ready_has_file')),
    sa.CheckConstraint('sha256 IS NULL OR length(sha256) = 64', name=op.f('ck_data_export_sha256_length')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], name=op.f('fk_data_export_requested_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_data_export_user_id_user_account'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_export')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_data_export_stored_name'))
    )
    with op.batch_alter_table('data_export', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_data_export_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('data_export', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_data_export_user_id'))

    op.drop_table('data_export')
