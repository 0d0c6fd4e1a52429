"""tokens sessions absence notices notification log

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 08:16:40.772626

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notification_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_notification_log_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_log')),
    sa.UniqueConstraint('kind', 'key', name=op.f('uq_notification_log_kind_key'))
    )
    with op.batch_alter_table('notification_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_log_user_id'), ['user_id'], unique=False)

    op.create_table('user_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('length(token_hash) = 64', name=op.f('ck_user_session_token_hash_length')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_user_session_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_user_session_token_hash'))
    )
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_session_user_id'), ['user_id'], unique=False)

    op.create_table('one_time_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.Enum('invitation', 'password_reset', name='purpose', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('expires_at > created_at', name=op.f('ck_one_time_token_expires_after_creation')),
    sa.CheckConstraint('length(token_hash) = 64', name=op.f('ck_one_time_token_token_hash_length')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_one_time_token_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollment.id'], name=op.f('fk_one_time_token_enrollment_id_enrollment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_one_time_token_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_one_time_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_one_time_token_token_hash'))
    )
    with op.batch_alter_table('one_time_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_one_time_token_enrollment_id'), ['enrollment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_one_time_token_user_id'), ['user_id'], unique=False)

    op.create_table('absence_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=1000), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decision', sa.Enum('pending', 'excused', 'not_excused', name='decision', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('length(trim(reason)) > 0', name=op.f('ck_absence_notice_reason_not_blank')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_absence_notice_decided_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollment.id'], name=op.f('fk_absence_notice_enrollment_id_enrollment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_absence_notice_meeting_id_meeting'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_absence_notice')),
    sa.UniqueConstraint('meeting_id', 'enrollment_id', name=op.f('uq_absence_notice_meeting_id_enrollment_id'))
    )
    with op.batch_alter_table('absence_notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_absence_notice_enrollment_id'), ['enrollment_id'], unique=False)

    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.Enum('lecturer', 'self_check_in', 'coordinator', name='source', native_enum=False, create_constraint=True), nullable=False, server_default='lecturer'))



def downgrade() -> None:
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        # SQLite keeps the enum's CHECK on a copied table unless it is dropped first.
        batch_op.drop_constraint(op.f('ck_attendance_source'), type_='check')
        batch_op.drop_column('source')

    with op.batch_alter_table('absence_notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_absence_notice_enrollment_id'))

    op.drop_table('absence_notice')
    with op.batch_alter_table('one_time_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_one_time_token_user_id'))
        batch_op.drop_index(batch_op.f('ix_one_time_token_enrollment_id'))

    op.drop_table('one_time_token')
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_session_user_id'))

    op.drop_table('user_session')
    with op.batch_alter_table('notification_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_log_user_id'))

    op.drop_table('notification_log')
