"""materials: files and links of a module or meeting for a cohort, released when chosen,
versioned and withdrawable; the course's standing materials

Revision ID: 0010_materials
Revises: 0009_announcements
Create Date: 2026-12-02 06:59:59.240602

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_materials'
down_revision = '0009_announcements'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('course_material',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=True),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('file', 'link', name='kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('original_filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=120), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.CheckConstraint("kind = 'file' AND stored_name IS NOT NULL OR kind = 'link' AND length(url) > 0", name=op.f('ck_course_material_file_or_link')),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_course_material_course_id_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['module_id'], ['module.id'], name=op.f('fk_course_material_module_id_module'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_material')),
    sa.UniqueConstraint('course_id', 'key', name=op.f('uq_course_material_course_id_key')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_course_material_stored_name'))
    )
    op.create_table('material',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('file', 'link', name='kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('release', sa.Enum('now', 'meeting_start', 'meeting_end', 'date', name='release', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('release_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reused_from_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind = 'file' OR length(url) > 0", name=op.f('ck_material_link_has_url')),
    sa.CheckConstraint("release IN ('meeting_start', 'meeting_end') AND meeting_id IS NOT NULL OR release IN ('now', 'date') AND release_at IS NOT NULL", name=op.f('ck_material_release_defined')),
    sa.CheckConstraint('length(trim(title)) > 0', name=op.f('ck_material_title_not_blank')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_material_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_material_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_material_meeting_id_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['module_id'], ['module.id'], name=op.f('fk_material_module_id_module'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['reused_from_id'], ['material.id'], name=op.f('fk_material_reused_from_id_material'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_material'))
    )
    with op.batch_alter_table('material', schema=None) as batch_op:
        batch_op.create_index('ix_material_cohort_module', ['cohort_id', 'module_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_material_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_material_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('material_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('material_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('original_filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=120), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('size_bytes > 0', name=op.f('ck_material_version_size_positive')),
    sa.CheckConstraint('version > 0', name=op.f('ck_material_version_version_positive')),
    sa.ForeignKeyConstraint(['material_id'], ['material.id'], name=op.f('fk_material_version_material_id_material'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_material_version_uploaded_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_material_version')),
    sa.UniqueConstraint('material_id', 'version', name=op.f('uq_material_version_material_id_version')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_material_version_stored_name'))
    )


def downgrade() -> None:
    op.drop_table('material_version')
    with op.batch_alter_table('material', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_material_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_material_created_by_id'))
        batch_op.drop_index('ix_material_cohort_module')

    op.drop_table('material')
    op.drop_table('course_material')
