"""certificate: replaced by a corrected one

A certificate revoked by issue_corrected_certificate names its replacement, so that
verifying the old one says it was superseded (and by which serial), not just revoked.

Revision ID: 0004_superseded_certificates
Revises: 0003
Create Date: 2026-12-02 02:51:52.198285

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_superseded_certificates'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('replaced_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_certificate_replaced_by_id_certificate'),
                                    'certificate', ['replaced_by_id'], ['id'],
                                    ondelete='RESTRICT')
        batch_op.create_check_constraint(
            batch_op.f('ck_certificate_replaced_only_when_revoked'),
            "replaced_by_id IS NULL OR status = 'revoked'")


def downgrade() -> None:
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_certificate_replaced_only_when_revoked'),
                                 type_='check')
        batch_op.drop_constraint(batch_op.f('fk_certificate_replaced_by_id_certificate'),
                                 type_='foreignkey')
        batch_op.drop_column('replaced_by_id')
