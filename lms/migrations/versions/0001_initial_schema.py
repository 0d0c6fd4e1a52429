"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-29 08:08:56.726871

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('company',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('contact_name', sa.String(length=200), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(trim(name)) > 0', name=op.f('ck_company_name_not_blank')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_company')),
    sa.UniqueConstraint('name', name=op.f('uq_company_name'))
    )
    op.create_table('course',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('title_neutral', sa.String(length=200), nullable=False),
    sa.Column('title_female', sa.String(length=200), nullable=False),
    sa.Column('title_male', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('provider', sa.String(length=200), nullable=False),
    sa.Column('provider_unit', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('total_hours', sa.Integer(), nullable=False),
    sa.Column('default_min_attendance_percent', sa.Integer(), nullable=False),
    sa.Column('default_excused_counts', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('default_min_attendance_percent BETWEEN 0 AND 100', name=op.f('ck_course_min_attendance_range')),
    sa.CheckConstraint('total_hours > 0', name=op.f('ck_course_total_hours_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course')),
    sa.UniqueConstraint('slug', name=op.f('uq_course_slug'))
    )
    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('first_name', sa.String(length=120), nullable=False),
    sa.Column('last_name', sa.String(length=120), nullable=False),
    sa.Column('title_form', sa.Enum('neutral', 'female', 'male', name='title_form', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('locale', sa.Enum('de', 'en', name='locale', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('is_active_account', sa.Boolean(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('email = lower(email)', name=op.f('ck_user_account_email_lowercase')),
    sa.CheckConstraint('length(trim(first_name)) > 0', name=op.f('ck_user_account_first_name_not_blank')),
    sa.CheckConstraint('length(trim(last_name)) > 0', name=op.f('ck_user_account_last_name_not_blank')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('email', name=op.f('uq_user_account_email'))
    )
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=80), nullable=False),
    sa.Column('object_type', sa.String(length=80), nullable=False),
    sa.Column('object_id', sa.String(length=80), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_audit_event_actor_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_event_cohort_occurred', ['cohort_id', 'occurred_at'], unique=False)

    op.create_table('certificate_counter',
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.CheckConstraint('last_number >= 0', name=op.f('ck_certificate_counter_not_negative')),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_certificate_counter_course_id_course'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('course_id', 'year', name=op.f('pk_certificate_counter'))
    )
    op.create_table('cohort',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('coordinator_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('location', sa.String(length=300), nullable=False),
    sa.Column('min_attendance_percent', sa.Integer(), nullable=False),
    sa.Column('excused_counts', sa.Boolean(), nullable=False),
    sa.Column('attendance_edit_days', sa.Integer(), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('attendance_edit_days >= 0', name=op.f('ck_cohort_edit_days_not_negative')),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_cohort_dates_ordered')),
    sa.CheckConstraint('length(trim(name)) > 0', name=op.f('ck_cohort_name_not_blank')),
    sa.CheckConstraint('min_attendance_percent BETWEEN 0 AND 100', name=op.f('ck_cohort_min_attendance_range')),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_cohort_company_id_company'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['coordinator_id'], ['user_account.id'], name=op.f('fk_cohort_coordinator_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_cohort_course_id_course'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cohort')),
    sa.UniqueConstraint('course_id', 'name', name=op.f('uq_cohort_course_id_name'))
    )
    op.create_table('lecturer_profile',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('affiliation', sa.String(length=200), nullable=False),
    sa.Column('job_title', sa.String(length=200), nullable=False),
    sa.Column('bio', sa.Text(), nullable=False),
    sa.Column('expertise', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_lecturer_profile_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_lecturer_profile'))
    )
    op.create_table('module',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('learning_outcomes', sa.JSON(), nullable=False),
    sa.Column('topics', sa.JSON(), nullable=False),
    sa.Column('hours', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('hours > 0', name=op.f('ck_module_hours_positive')),
    sa.CheckConstraint('number > 0', name=op.f('ck_module_number_positive')),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_module_course_id_course'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_module')),
    sa.UniqueConstraint('course_id', 'number', name=op.f('uq_module_course_id_number')),
    sa.UniqueConstraint('course_id', 'slug', name=op.f('uq_module_course_id_slug'))
    )
    op.create_table('user_role',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('coordinator', 'lecturer', 'participant', 'company_contact', name='role', native_enum=False, create_constraint=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_user_role_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'role', name=op.f('pk_user_role'))
    )
    op.create_table('assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=True),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('kind', sa.Enum('paper', 'assessment', name='kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('grading', sa.Enum('pass_fail', 'points', name='grading', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('max_points', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('pass_points', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("grading = 'pass_fail' OR (max_points IS NOT NULL AND pass_points IS NOT NULL AND pass_points > 0 AND pass_points <= max_points)", name=op.f('ck_assignment_points_consistent')),
    sa.CheckConstraint('length(trim(title)) > 0', name=op.f('ck_assignment_title_not_blank')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_assignment_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['module_id'], ['module.id'], name=op.f('fk_assignment_module_id_module'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment')),
    sa.UniqueConstraint('cohort_id', 'key', name=op.f('uq_assignment_cohort_id_key'))
    )
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignment_module_id'), ['module_id'], unique=False)

    op.create_table('block',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_block_dates_ordered')),
    sa.CheckConstraint('length(trim(title)) > 0', name=op.f('ck_block_title_not_blank')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_block_cohort_id_cohort'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_block'))
    )
    with op.batch_alter_table('block', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_block_cohort_id'), ['cohort_id'], unique=False)

    op.create_table('calendar_feed',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.Enum('personal', 'cohort', name='scope', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('cohort_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(scope = 'personal' AND user_id IS NOT NULL) OR (scope = 'cohort' AND cohort_id IS NOT NULL)", name=op.f('ck_calendar_feed_scope_target')),
    sa.CheckConstraint('length(token_hash) = 64', name=op.f('ck_calendar_feed_token_hash_length')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_calendar_feed_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_calendar_feed_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_calendar_feed_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_feed')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_calendar_feed_token_hash'))
    )
    with op.batch_alter_table('calendar_feed', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_feed_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calendar_feed_user_id'), ['user_id'], unique=False)

    op.create_table('cohort_contact',
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_cohort_contact_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_cohort_contact_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('cohort_id', 'user_id', name=op.f('pk_cohort_contact'))
    )
    op.create_table('course_assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=True),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('paper', 'assessment', name='assessment_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('grading', sa.Enum('pass_fail', 'points', name='grading', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('max_points', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('pass_points', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.CheckConstraint("grading = 'pass_fail' OR (max_points IS NOT NULL AND pass_points IS NOT NULL AND pass_points > 0 AND pass_points <= max_points)", name=op.f('ck_course_assessment_points_consistent')),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_course_assessment_course_id_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['module_id'], ['module.id'], name=op.f('fk_course_assessment_module_id_module'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_assessment')),
    sa.UniqueConstraint('course_id', 'key', name=op.f('uq_course_assessment_course_id_key'))
    )
    op.create_table('enrollment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('invited', 'active', 'withdrawn', 'completed', name='status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('invited_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('activated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_enrollment_cohort_id_cohort'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_enrollment_user_id_user_account'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrollment')),
    sa.UniqueConstraint('cohort_id', 'user_id', name=op.f('uq_enrollment_cohort_id_user_id'))
    )
    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrollment_user_id'), ['user_id'], unique=False)

    op.create_table('certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('certificate', 'confirmation', name='kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('serial', sa.String(length=40), nullable=False),
    sa.Column('verification_code', sa.String(length=64), nullable=False),
    sa.Column('stored_name', sa.String(length=120), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('design', sa.String(length=80), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('valid', 'revoked', name='status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_reason', sa.String(length=500), nullable=False),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status = 'valid' OR (revoked_at IS NOT NULL AND length(trim(revoked_reason)) > 0)", name=op.f('ck_certificate_revocation_complete')),
    sa.CheckConstraint('length(sha256) = 64', name=op.f('ck_certificate_sha256_length')),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollment.id'], name=op.f('fk_certificate_enrollment_id_enrollment'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['issued_by_id'], ['user_account.id'], name=op.f('fk_certificate_issued_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['user_account.id'], name=op.f('fk_certificate_revoked_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate')),
    sa.UniqueConstraint('serial', name=op.f('uq_certificate_serial')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_certificate_stored_name')),
    sa.UniqueConstraint('verification_code', name=op.f('uq_certificate_verification_code'))
    )
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_enrollment_id'), ['enrollment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_sha256'), ['sha256'], unique=False)
        batch_op.create_index('uq_certificate_one_valid', ['enrollment_id', 'kind'], unique=True, sqlite_where=sa.text("status = 'valid'"), postgresql_where=sa.text("status = 'valid'"))

    op.create_table('meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('block_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('location', sa.String(length=300), nullable=False),
    sa.Column('online_url', sa.String(length=500), nullable=False),
    sa.Column('status', sa.Enum('scheduled', 'cancelled', name='status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('cancelled_reason', sa.String(length=500), nullable=False),
    sa.Column('ical_uid', sa.String(length=120), nullable=False),
    sa.Column('ical_sequence', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_meeting_ends_after_start')),
    sa.CheckConstraint('ical_sequence >= 0', name=op.f('ck_meeting_sequence_not_negative')),
    sa.ForeignKeyConstraint(['block_id'], ['block.id'], name=op.f('fk_meeting_block_id_block'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_meeting_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['module_id'], ['module.id'], name=op.f('fk_meeting_module_id_module'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting')),
    sa.UniqueConstraint('ical_uid', name=op.f('uq_meeting_ical_uid'))
    )
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_block_id'), ['block_id'], unique=False)
        batch_op.create_index('ix_meeting_cohort_starts', ['cohort_id', 'starts_at'], unique=False)

    op.create_table('submission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('original_filename', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=120), nullable=False),
    sa.Column('content_type', sa.String(length=120), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('is_late', sa.Boolean(), nullable=False),
    sa.CheckConstraint('length(sha256) = 64', name=op.f('ck_submission_sha256_length')),
    sa.CheckConstraint('size_bytes >= 0', name=op.f('ck_submission_size_not_negative')),
    sa.CheckConstraint('version > 0', name=op.f('ck_submission_version_positive')),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_submission_assignment_id_assignment'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollment.id'], name=op.f('fk_submission_enrollment_id_enrollment'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission')),
    sa.UniqueConstraint('assignment_id', 'enrollment_id', 'version', name=op.f('uq_submission_assignment_id_enrollment_id_version')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_submission_stored_name'))
    )
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_enrollment_id'), ['enrollment_id'], unique=False)

    op.create_table('attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('present', 'late', 'excused', 'absent', name='status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('minutes_attended', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('minutes_attended IS NULL OR minutes_attended >= 0', name=op.f('ck_attendance_minutes_not_negative')),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollment.id'], name=op.f('fk_attendance_enrollment_id_enrollment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_attendance_meeting_id_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_attendance_recorded_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance')),
    sa.UniqueConstraint('meeting_id', 'enrollment_id', name=op.f('uq_attendance_meeting_id_enrollment_id'))
    )
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_enrollment_id'), ['enrollment_id'], unique=False)

    op.create_table('grade',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=True),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('points', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('feedback', sa.Text(), nullable=False),
    sa.Column('graded_by_id', sa.Integer(), nullable=True),
    sa.Column('graded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('points IS NULL OR points >= 0', name=op.f('ck_grade_points_not_negative')),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_grade_assignment_id_assignment'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollment.id'], name=op.f('fk_grade_enrollment_id_enrollment'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['graded_by_id'], ['user_account.id'], name=op.f('fk_grade_graded_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_grade_submission_id_submission'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grade')),
    sa.UniqueConstraint('assignment_id', 'enrollment_id', name=op.f('uq_grade_assignment_id_enrollment_id'))
    )
    with op.batch_alter_table('grade', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grade_enrollment_id'), ['enrollment_id'], unique=False)

    op.create_table('meeting_lecturer',
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_meeting_lecturer_meeting_id_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_meeting_lecturer_user_id_user_account'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('meeting_id', 'user_id', name=op.f('pk_meeting_lecturer'))
    )
    with op.batch_alter_table('meeting_lecturer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_lecturer_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('meeting_lecturer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_lecturer_user_id'))

    op.drop_table('meeting_lecturer')
    with op.batch_alter_table('grade', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grade_enrollment_id'))

    op.drop_table('grade')
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_enrollment_id'))

    op.drop_table('attendance')
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_enrollment_id'))

    op.drop_table('submission')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_index('ix_meeting_cohort_starts')
        batch_op.drop_index(batch_op.f('ix_meeting_block_id'))

    op.drop_table('meeting')
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_index('uq_certificate_one_valid', sqlite_where=sa.text("status = 'valid'"), postgresql_where=sa.text("status = 'valid'"))
        batch_op.drop_index(batch_op.f('ix_certificate_sha256'))
        batch_op.drop_index(batch_op.f('ix_certificate_enrollment_id'))

    op.drop_table('certificate')
    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrollment_user_id'))

    op.drop_table('enrollment')
    op.drop_table('course_assessment')
    op.drop_table('cohort_contact')
    with op.batch_alter_table('calendar_feed', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_feed_user_id'))
        batch_op.drop_index(batch_op.f('ix_calendar_feed_cohort_id'))

    op.drop_table('calendar_feed')
    with op.batch_alter_table('block', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_block_cohort_id'))

    op.drop_table('block')
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignment_module_id'))

    op.drop_table('assignment')
    op.drop_table('user_role')
    op.drop_table('module')
    op.drop_table('lecturer_profile')
    op.drop_table('cohort')
    op.drop_table('certificate_counter')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_cohort_occurred')

    op.drop_table('audit_event')
    op.drop_table('user_account')
    op.drop_table('course')
    op.drop_table('company')
