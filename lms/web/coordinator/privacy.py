"""The coordination's privacy pages: requests for erasure, a person's data, the erasure."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from lms.access import get_export_or_404
from lms.accounts.models import User
from lms.accounts.queries import get_user, get_user_by_email
from lms.privacy.erasure import erase_person, refuse_erasure
from lms.privacy.export import note_download
from lms.privacy.models import ExportState
from lms.privacy.queries import (
    get_erasure_request,
    list_erasure_requests,
    list_exports,
    person_overview,
)
from lms.web.coordinator import bp
from lms.web.coordinator.forms import (
    ConfirmForm,
    ErasureForm,
    FindPersonForm,
    RefuseErasureForm,
)
from lms.web.saving import committing
from lms.web.shared.exports import make_export
from lms.web.shared.files import send_data_export


@bp.get("/privacy")
def privacy() -> ResponseReturnValue:
    """Open requests for erasure, the latest decisions, and a person found by address."""
    find = FindPersonForm(request.args)
    if request.args.get("email") and find.validate():
        user = get_user_by_email(find.email.data or "")
        if user is not None:
            return redirect(url_for("coordinator.person", user_id=user.id))
        find.email.errors = [*find.email.errors, _("There is no account with this address.")]
    return render_template("coordinator/privacy.html", find=find,
                           pending=list_erasure_requests(pending=True),
                           decided=list_erasure_requests(pending=False))


def _person(user_id: int) -> User:
    user = get_user(user_id)
    if user is None:
        abort(404)
    return user


def _render_person(user: User, erase: ErasureForm | None = None,
                   refuse: RefuseErasureForm | None = None, status: int = 200
                   ) -> ResponseReturnValue:
    return render_template("coordinator/person.html", overview=person_overview(user),
                           exports=list_exports(user), export_form=ConfirmForm(),
                           erase=erase or ErasureForm(), refuse=refuse or RefuseErasureForm(),
                           ), status


@bp.get("/people/<int:user_id>")
def person(user_id: int) -> ResponseReturnValue:
    return _render_person(_person(user_id))


@bp.post("/people/<int:user_id>/erase")
def person_erase(user_id: int) -> ResponseReturnValue:
    """Erase the person's data in every area, with the reason in the audit trail."""
    user = _person(user_id)
    form = ErasureForm()
    if form.validate_on_submit():
        with committing(form, "reason") as saved:
            report = erase_person(user, reason=form.reason.data or "", by=current_user,
                                  periods=current_app.config["LMS_RETENTION"])
        if saved:
            flash(_("The data has been erased. The person now appears as %(pseudonym)s.",
                    pseudonym=report.pseudonym), "info")
            return redirect(url_for("coordinator.person", user_id=user.id))
    return _render_person(user, erase=form, status=422)


@bp.post("/people/<int:user_id>/export")
def person_export(user_id: int) -> ResponseReturnValue:
    """The same copy of the person's data they can download themself, made by the
    coordination for them (in the audit trail)."""
    user = _person(user_id)
    if ConfirmForm().validate_on_submit():
        export = make_export(user, current_user._get_current_object())
        if export is not None and export.state == ExportState.READY:
            flash(_("The export is ready: download it below and hand it to the person "
                    "safely."), "info")
    return redirect(url_for("coordinator.person", user_id=user.id) + "#exports")


@bp.get("/exports/<int:export_id>")
def export_download(export_id: int) -> ResponseReturnValue:
    export = get_export_or_404(current_user, export_id)
    with committing():
        note_download(export, current_user._get_current_object())
    return send_data_export(export)


@bp.post("/privacy/requests/<int:request_id>/refuse")
def erasure_refuse(request_id: int) -> ResponseReturnValue:
    erasure = get_erasure_request(request_id)
    if erasure is None:
        abort(404)
    form = RefuseErasureForm()
    if form.validate_on_submit():
        with committing(form, "reason") as saved:
            refuse_erasure(erasure, reason=form.reason.data or "", by=current_user)
        if saved:
            flash(_("The request has been refused; the person reads your reason on their "
                    "account page."), "info")
            return redirect(url_for("coordinator.person", user_id=erasure.user_id))
    return _render_person(erasure.user, refuse=form, status=422)
