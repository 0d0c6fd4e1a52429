"""Webhook subscriptions, on the API token page of coordinators (the university's
systems, every cohort) and company contacts (their HR system, their cohorts' status):
subscribe (the secret is shown once), see a subscription's deliveries with their last
answer, send a failed one again, delete a subscription."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length

from lms.access import get_webhook_delivery_or_404, get_webhook_to_manage_or_404
from lms.accounts.models import Role
from lms.integrations.models import WebhookEvent, WebhookScope
from lms.integrations.operations import (
    MAX_ATTEMPTS,
    URL_MAX,
    WEBHOOK_NAME_MAX,
    create_webhook_subscription,
    delete_webhook_subscription,
    resend_delivery,
    retry_pause,
)
from lms.integrations.queries import list_deliveries
from lms.labels import choices
from lms.web.saving import committing


class WebhookForm(FlaskForm):
    name = StringField(_l("Name"), description=_l("Which system listens, e.g. “HR system”."),
                       validators=[InputRequired(), Length(max=WEBHOOK_NAME_MAX)])
    url = StringField(_l("Address (URL)"),
                      description=_l("Where the events are posted; it must start with "
                                     "https://."),
                      validators=[InputRequired(), Length(max=URL_MAX)])
    events = SelectMultipleField(_l("Events"), choices=choices(WebhookEvent, capitalise=True),
                                 default=[e.value for e in WebhookEvent])


class ButtonForm(FlaskForm):
    """A button (delete, send again): the form only carries the CSRF token."""


def scope_of(role: Role) -> WebhookScope:
    return WebhookScope.UNIVERSITY if role == Role.COORDINATOR else WebhookScope.COMPANY


def register(bp: Blueprint, role: Role) -> None:
    def subscribe() -> ResponseReturnValue:
        return create_webhook(bp.name, role)

    def show(subscription_id: int) -> ResponseReturnValue:
        return webhook_deliveries(bp.name, role, subscription_id)

    def delete(subscription_id: int) -> ResponseReturnValue:
        return delete_webhook(bp.name, subscription_id)

    def resend(subscription_id: int, delivery_id: int) -> ResponseReturnValue:
        return resend_webhook_delivery(bp.name, subscription_id, delivery_id)

    bp.add_url_rule("/api-tokens/webhooks", "webhook_create", subscribe, methods=["POST"])
    bp.add_url_rule("/api-tokens/webhooks/<int:subscription_id>", "webhook", show)
    bp.add_url_rule("/api-tokens/webhooks/<int:subscription_id>/delete", "webhook_delete",
                    delete, methods=["POST"])
    bp.add_url_rule("/api-tokens/webhooks/<int:subscription_id>/deliveries/"
                    "<int:delivery_id>/resend", "webhook_resend", resend, methods=["POST"])


def create_webhook(area: str, role: Role) -> ResponseReturnValue:
    from lms.web.shared.api_tokens import render_tokens_page  # (it registers this module)

    form = WebhookForm(prefix="webhook")
    created = None
    if form.validate_on_submit():
        events = [WebhookEvent(v) for v in form.events.data or ()]
        with committing(form, "name") as saved:
            row, secret = create_webhook_subscription(
                current_user, form.name.data or "", form.url.data or "", events,
                scope_of(role))
        if saved:
            created = (row, secret)
            form = WebhookForm(prefix="webhook", formdata=None)
    return render_tokens_page(area, role, webhook_form=form, created_webhook=created)


def webhook_deliveries(area: str, role: Role, subscription_id: int) -> ResponseReturnValue:
    subscription = get_webhook_to_manage_or_404(current_user, subscription_id)
    pauses = [retry_pause(n) for n in range(1, MAX_ATTEMPTS)]
    return render_template("api/webhook.html", area=area, role=role,
                           subscription=subscription,
                           deliveries=list_deliveries(subscription), pauses=pauses,
                           button_form=ButtonForm())


def delete_webhook(area: str, subscription_id: int) -> ResponseReturnValue:
    subscription = get_webhook_to_manage_or_404(current_user, subscription_id)
    name = subscription.name
    if ButtonForm().validate_on_submit():
        with committing() as saved:
            delete_webhook_subscription(subscription, by=current_user)
        if saved:
            flash(_("The subscription “%(name)s” has been deleted: nothing more is sent "
                    "to it.", name=name), "info")
    return redirect(url_for(f"{area}.api_tokens"))


def resend_webhook_delivery(area: str, subscription_id: int,
                            delivery_id: int) -> ResponseReturnValue:
    delivery = get_webhook_delivery_or_404(current_user, subscription_id, delivery_id)
    if ButtonForm().validate_on_submit():
        with committing() as saved:
            resent = resend_delivery(delivery, by=current_user)
        if saved:
            flash(_("The delivery is being sent again.") if resent
                  else _("Only a failed delivery can be sent again."), "info")
    return redirect(url_for(f"{area}.webhook", subscription_id=subscription_id))
