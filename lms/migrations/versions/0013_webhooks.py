"""webhooks: subscriptions of other systems, their deliveries, the standings last seen

A subscription (webhook_subscription) is a company contact's or a coordinator's endpoint
with the events it hears and its signing secret; each event becomes a delivery per
subscription (webhook_delivery) with its payload and attempts; webhook_standing keeps
each participant's standing as `lms notify` last saw it (to tell "at risk" once).

Revision ID: 0013_webhooks
Revises: 0012_cohort_data_version
Create Date: 2026-12-02 11:28:42.069508

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_webhooks'
down_revision = '0012_cohort_data_version'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('webhook_subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('events', sa.JSON(), nullable=False),
    sa.Column('scope', sa.Enum('company', 'university', name='scope', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('secret', sa.String(length=60), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("url LIKE 'http%'", name=op.f('ck_webhook_subscription_url_is_http')),
    sa.CheckConstraint('length(trim(name)) > 0', name=op.f('ck_webhook_subscription_name_not_blank')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_webhook_subscription_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_subscription'))
    )
    with op.batch_alter_table('webhook_subscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_subscription_user_id'), ['user_id'], unique=False)

    op.create_table('webhook_delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=40), nullable=False),
    sa.Column('event', sa.Enum('certificate.issued', 'certificate.revoked', 'participant.at_risk', name='event', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('state', sa.Enum('pending', 'sending', 'delivered', 'failed', 'stopped', name='state', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_status_code', sa.Integer(), nullable=True),
    sa.Column('last_response', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("state != 'pending' OR next_attempt_at IS NOT NULL", name=op.f('ck_webhook_delivery_pending_has_next_attempt')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_webhook_delivery_attempts_not_negative')),
    sa.ForeignKeyConstraint(['subscription_id'], ['webhook_subscription.id'], name=op.f('fk_webhook_delivery_subscription_id_webhook_subscription'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_delivery')),
    sa.UniqueConstraint('event_id', name=op.f('uq_webhook_delivery_event_id'))
    )
    with op.batch_alter_table('webhook_delivery', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_delivery_state_next', ['state', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhook_delivery_subscription_id'), ['subscription_id'], unique=False)

    op.create_table('webhook_standing',
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('standing', sa.Enum('on_track', 'at_risk', 'out_of_reach', 'certified', 'confirmation', 'not_completed', 'withdrawn', name='standing', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollment.id'], name=op.f('fk_webhook_standing_enrollment_id_enrollment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('enrollment_id', name=op.f('pk_webhook_standing'))
    )


def downgrade() -> None:
    op.drop_table('webhook_standing')
    with op.batch_alter_table('webhook_delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_delivery_subscription_id'))
        batch_op.drop_index('ix_webhook_delivery_state_next')

    op.drop_table('webhook_delivery')
    with op.batch_alter_table('webhook_subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_subscription_user_id'))

    op.drop_table('webhook_subscription')
