"""certificate: name, course title and provider as printed

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 11:18:20.143422

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: certificates issued before keep showing the current values.
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('holder_name', sa.String(length=241), nullable=True))
        batch_op.add_column(sa.Column('course_title', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('provider', sa.String(length=200), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_column('provider')
        batch_op.drop_column('course_title')
        batch_op.drop_column('holder_name')

