from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from lms.access import (
    get_meeting_or_404,
    is_coordinator,
    own_enrollment,
    sees_cohort_materials,
    teaches_module,
)
from lms.accounts.models import Locale, Role, User
from lms.accounts.operations import authenticate
from lms.accounts.sessions import end_session, start_session
from lms.db import database_is_reachable, migrations_are_current, utcnow
from lms.extensions import db
from lms.jobs.queue import redis_reachable
from lms.materials.queries import released_materials
from lms.storage import storage_reachable
from lms.web.fields import add_error, filled
from lms.web.public import bp
from lms.web.public.forms import LanguageForm, LoginForm
from lms.web.public.login_throttle import LoginAttempt, remember_device
from lms.web.saving import committing

# Where each role starts; a person with several roles starts at the first that applies.
ROLE_HOMES = (
    (Role.COORDINATOR, "coordinator.home"),
    (Role.LECTURER, "lecturer.home"),
    (Role.PARTICIPANT, "participant.home"),
    (Role.COMPANY_CONTACT, "company.home"),
)


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths: never send a user to another host after login."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.get("/")
def index() -> ResponseReturnValue:
    if not current_user.is_authenticated:
        return redirect(url_for("public.login"))
    for role, endpoint in ROLE_HOMES:
        if current_user.has_role(role):
            return redirect(url_for(endpoint))
    return render_template("public/no_role.html")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Throttled per account and place, per address and per account (see login_throttle):
    only failed attempts count, and none of the counts can shut the account holder out."""
    if current_user.is_authenticated:
        return redirect(url_for("public.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        email, password = filled(form.email.data), filled(form.password.data)
        attempt = LoginAttempt.for_request(email)
        attempt.check()  # 429 with the page that fits, before the password is looked at
        with committing():
            user = authenticate(email, password)
            if user is not None:
                log_in(user)
        if user is None:
            attempt.failed()
            # The same words for an unknown address and a wrong password.
            add_error(form.password, _("Email address or password is not correct."))
        else:
            attempt.succeeded()
            return redirect(_safe_next(form.next.data) or url_for("public.index"))
    return render_template("public/login.html", form=form)


def log_in(user: User) -> None:
    """Start a new server-side session for ``user`` (a new identifier at every login);
    the browser becomes a device known to the account (see login_throttle)."""
    session.clear()
    session["sid"] = start_session(user)
    login_user(user)
    remember_device(user.email)


@bp.post("/logout")
@login_required
def logout() -> ResponseReturnValue:
    with committing():
        end_session(session.get("sid"))
    logout_user()
    session.clear()
    flash(_("You have been logged out."), "info")
    return redirect(url_for("public.login"))


@bp.post("/language")
def set_language() -> ResponseReturnValue:
    form = LanguageForm()
    if form.validate_on_submit():
        session["locale"] = form.language.data
        if current_user.is_authenticated:
            with committing():
                current_user.locale = Locale(filled(form.language.data))
    return redirect(_safe_next(form.next.data) or url_for("public.index"))


@bp.get("/meetings/<int:meeting_id>")
@login_required
def meeting(meeting_id: int) -> ResponseReturnValue:
    meeting = get_meeting_or_404(current_user, meeting_id)
    materials = None
    if sees_cohort_materials(current_user, meeting.cohort_id):
        materials = released_materials([meeting.cohort_id], utcnow(), meeting_id=meeting.id)
    return render_template(
        "public/meeting.html", meeting=meeting, materials=materials,
        participant=own_enrollment(current_user, meeting.cohort_id) is not None,
        manages=is_coordinator(current_user) or teaches_module(
            current_user, meeting.cohort_id, meeting.module_id))


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """Alive: the process answers (for its supervisor). It asks nothing else, so that a
    database or store that is down never gets healthy processes restarted; whether the
    process can serve is /readyz's question."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> ResponseReturnValue:
    """Ready to serve: the database answers at the code's schema revision, Redis answers
    (when configured: "not used" without it) and the file store answers. 503 (for the
    load balancer) when not; the reason goes to the log, never to the public answer."""
    checks = {"database": "ok", "migrations": "ok", "redis": "ok", "storage": "ok"}
    if not database_is_reachable(db.session):
        checks["database"], checks["migrations"] = "unreachable", "unknown"
    elif not migrations_are_current(db.session):
        checks["migrations"] = "behind"
    answers, why = redis_reachable()
    if answers is None:
        checks["redis"] = "not used"
    elif not answers:
        checks["redis"] = "unreachable"
        current_app.logger.warning("readyz: Redis is unreachable: %s", why)
    reachable, reason = storage_reachable()
    if not reachable:
        checks["storage"] = "unreachable"
        current_app.logger.warning("readyz: the file store is unreachable: %s", reason)
    ready = all(value in ("ok", "not used") for value in checks.values())
    return jsonify(status="ok" if ready else "error", **checks), 200 if ready else 503
