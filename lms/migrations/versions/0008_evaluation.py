"""evaluation: the anonymous module evaluation (questions with the course, answers without
the person, "has answered" apart from them)

The answers (evaluation_response) have a random UUID key, no person and no time; who has
answered (evaluation_participation) has neither an id of its own nor a time, and nothing
refers from one to the other.

Revision ID: 0008_evaluation
Revises: 0007_api_tokens
Create Date: 2026-12-02 06:15:44.578061

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_evaluation'
down_revision = '0007_api_tokens'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('evaluation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('questionnaire', sa.JSON(), nullable=False),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_evaluation_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['module_id'], ['module.id'], name=op.f('fk_evaluation_module_id_module'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['reminded_by_id'], ['user_account.id'], name=op.f('fk_evaluation_reminded_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation')),
    sa.UniqueConstraint('cohort_id', 'module_id', name=op.f('uq_evaluation_cohort_id_module_id'))
    )
    op.create_table('evaluation_participation',
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollment.id'], name=op.f('fk_evaluation_participation_enrollment_id_enrollment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluation.id'], name=op.f('fk_evaluation_participation_evaluation_id_evaluation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('evaluation_id', 'enrollment_id', name=op.f('pk_evaluation_participation'))
    )
    with op.batch_alter_table('evaluation_participation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_participation_enrollment_id'), ['enrollment_id'], unique=False)

    op.create_table('evaluation_response',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluation.id'], name=op.f('fk_evaluation_response_evaluation_id_evaluation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_response'))
    )
    with op.batch_alter_table('evaluation_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_response_evaluation_id'), ['evaluation_id'], unique=False)

    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(sa.Column('evaluation', sa.JSON(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_column('evaluation')

    with op.batch_alter_table('evaluation_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_response_evaluation_id'))

    op.drop_table('evaluation_response')
    with op.batch_alter_table('evaluation_participation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_participation_enrollment_id'))

    op.drop_table('evaluation_participation')
    op.drop_table('evaluation')
