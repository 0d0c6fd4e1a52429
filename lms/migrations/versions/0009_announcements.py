"""announcements: to a cohort, shown on the start page until they expire; a meeting's change
of time or place announced from the meeting keeps what changed

Revision ID: 0009_announcements
Revises: 0008_evaluation
Create Date: 2026-12-02 06:37:03.439610

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_announcements'
down_revision = '0008_evaluation'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('announcement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('message', 'meeting_change', name='kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('change', sa.JSON(), nullable=True),
    sa.CheckConstraint("kind = 'meeting_change' OR length(trim(title)) > 0", name=op.f('ck_announcement_message_has_title')),
    sa.CheckConstraint("kind = 'message' OR meeting_id IS NOT NULL", name=op.f('ck_announcement_change_has_meeting')),
    sa.CheckConstraint('expires_at > created_at', name=op.f('ck_announcement_expires_after_creation')),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_announcement_author_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_announcement_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_announcement_meeting_id_meeting'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcement'))
    )
    with op.batch_alter_table('announcement', schema=None) as batch_op:
        batch_op.create_index('ix_announcement_cohort_created', ['cohort_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_announcement_meeting_id'), ['meeting_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('announcement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_announcement_meeting_id'))
        batch_op.drop_index('ix_announcement_cohort_created')

    op.drop_table('announcement')
