"""credentials: an Open Badges 3.0 credential with each certificate, status lists, course credits

Each certificate's signed credential is stored as issued (and embedded in its PDF); its
index in a Bitstring Status List says whether it is revoked. A course may carry credit
points, which its credentials state.

Revision ID: 0005_credentials
Revises: 0004_superseded_certificates
Create Date: 2026-12-02 03:47:21.620412

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_credentials'
down_revision = '0004_superseded_certificates'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('credential_status_list',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("purpose IN ('revocation')", name=op.f('ck_credential_status_list_purpose_known')),
    sa.CheckConstraint('size >= 131072 AND size % 8 = 0', name=op.f('ck_credential_status_list_size_minimum')),
    sa.CheckConstraint('version >= 0', name=op.f('ck_credential_status_list_version_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credential_status_list'))
    )
    op.create_table('certificate_credential',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('credential_uri', sa.String(length=80), nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('verification_method', sa.String(length=300), nullable=False),
    sa.Column('status_list_id', sa.Integer(), nullable=False),
    sa.Column('status_index', sa.Integer(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(sha256) = 64', name=op.f('ck_certificate_credential_sha256_length')),
    sa.CheckConstraint('status_index >= 0', name=op.f('ck_certificate_credential_status_index_not_negative')),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificate.id'], name=op.f('fk_certificate_credential_certificate_id_certificate'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['status_list_id'], ['credential_status_list.id'], name=op.f('fk_certificate_credential_status_list_id_credential_status_list'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_credential')),
    sa.UniqueConstraint('certificate_id', name=op.f('uq_certificate_credential_certificate_id')),
    sa.UniqueConstraint('credential_uri', name=op.f('uq_certificate_credential_credential_uri')),
    sa.UniqueConstraint('status_list_id', 'status_index', name=op.f('uq_certificate_credential_status_list_id_status_index'))
    )
    with op.batch_alter_table('certificate_credential', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_credential_sha256'), ['sha256'], unique=False)

    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credits', sa.Numeric(precision=5, scale=1), nullable=True))
        batch_op.create_check_constraint(batch_op.f('ck_course_credits_positive'),
                                         'credits IS NULL OR credits > 0')



def downgrade() -> None:
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_course_credits_positive'), type_='check')
        batch_op.drop_column('credits')

    with op.batch_alter_table('certificate_credential', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_credential_sha256'))

    op.drop_table('certificate_credential')
    op.drop_table('credential_status_list')
