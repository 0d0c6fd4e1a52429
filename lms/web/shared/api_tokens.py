"""API token pages, for coordinators (the university's systems) and company contacts
(their HR system): make a token (shown once), see them, revoke one; the webhook
subscriptions on the same page (lms/web/shared/webhooks.py). Registered on both
blueprints; the view is told the role it serves in."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField
from wtforms.validators import InputRequired, Length

from lms.access import get_api_token_to_manage_or_404
from lms.accounts.models import Role
from lms.db import utcnow
from lms.i18n import duration_text
from lms.integrations.models import (
    UNIVERSITY_SCOPES,
    ApiToken,
    TokenScope,
    WebhookSubscription,
)
from lms.integrations.operations import (
    DEFAULT_LIFETIME_DAYS,
    LIFETIMES_DAYS,
    NAME_MAX,
    create_api_token,
    revoke_api_token,
)
from lms.integrations.queries import (
    list_api_tokens,
    list_university_tokens,
    list_webhook_subscriptions,
)
from lms.labels import choices
from lms.web.saving import committing
from lms.web.shared import webhooks


class ApiTokenForm(FlaskForm):
    name = StringField(_l("Name"), description=_l("Which system uses it, e.g. “HR system”."),
                       validators=[InputRequired(), Length(max=NAME_MAX)])
    lifetime = SelectField(_l("Valid for"), coerce=int, default=DEFAULT_LIFETIME_DAYS)
    scope = RadioField(_l("May"), default=TokenScope.READ.value)

    def __init__(self, role: Role, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.lifetime.choices = [(days, duration_text(timedelta(days=days)))
                                 for days in LIFETIMES_DAYS]
        if role == Role.COORDINATOR:
            self.scope.choices = choices(TokenScope, UNIVERSITY_SCOPES, capitalise=True)
        else:
            del self.scope


class RevokeForm(FlaskForm):
    """The revoke button: the form only carries the CSRF token."""


def register(bp: Blueprint, role: Role) -> None:
    def tokens() -> ResponseReturnValue:
        return api_tokens(bp.name, role)

    def revoke(token_id: int) -> ResponseReturnValue:
        return revoke_token(bp.name, role, token_id)

    bp.add_url_rule("/api-tokens", "api_tokens", tokens, methods=["GET", "POST"])
    bp.add_url_rule("/api-tokens/<int:token_id>/revoke", "api_token_revoke", revoke,
                    methods=["POST"])
    webhooks.register(bp, role)


def api_tokens(area: str, role: Role) -> ResponseReturnValue:
    form = ApiTokenForm(role)
    created = None
    if form.validate_on_submit():
        scope = TokenScope(form.scope.data) if role == Role.COORDINATOR else TokenScope.COMPANY
        with committing(form, "name") as saved:
            row, secret = create_api_token(current_user, form.name.data or "", scope,
                                           form.lifetime.data)
        if saved:
            created = (row, secret)
            form = ApiTokenForm(role, formdata=None)
    return render_tokens_page(area, role, form=form, created=created)


def render_tokens_page(area: str, role: Role, *, form: ApiTokenForm | None = None,
                       created: tuple[ApiToken, str] | None = None,
                       webhook_form: FlaskForm | None = None,
                       created_webhook: tuple[WebhookSubscription, str] | None = None
                       ) -> ResponseReturnValue:
    """The page of tokens and webhook subscriptions, with a new one's secret once."""
    from lms.web.shared.webhooks import ButtonForm, WebhookForm

    rows = list_university_tokens() if role == Role.COORDINATOR else list_api_tokens(current_user)
    return render_template(
        "api/tokens.html", area=area, role=role, form=form or ApiTokenForm(role),
        created=created, tokens=rows, now=utcnow(), revoke_form=RevokeForm(),
        webhook_form=webhook_form or WebhookForm(prefix="webhook"),
        created_webhook=created_webhook, webhooks=list_webhook_subscriptions(
            current_user, university=role == Role.COORDINATOR),
        button_form=ButtonForm())


def revoke_token(area: str, role: Role, token_id: int) -> ResponseReturnValue:
    token = get_api_token_to_manage_or_404(current_user, token_id)
    if RevokeForm().validate_on_submit():
        with committing() as saved:
            revoked = revoke_api_token(token, by=current_user)
        if saved:
            flash(_("The token “%(name)s” has been revoked: it no longer works.",
                    name=token.name) if revoked
                  else _("The token “%(name)s” had been revoked already.", name=token.name),
                  "info")
    return redirect(url_for(f"{area}.api_tokens"))
