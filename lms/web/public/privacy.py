"""Privacy for everyone: the privacy notice; on a person's account page a copy of their
data (Art. 15/20 GDPR) to download, and asking for its erasure (Art. 17)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.access import get_own_export_or_404
from lms.privacy.erasure import request_erasure
from lms.privacy.models import ExportState
from lms.privacy.notice import custom_notice, notice_facts
from lms.privacy.retention import Retention
from lms.web.public import bp
from lms.web.public.forms import DataExportForm, ErasureRequestForm
from lms.web.saving import committing
from lms.web.shared.exports import make_export
from lms.web.shared.files import send_data_export


@bp.get("/privacy")
def privacy_notice() -> ResponseReturnValue:
    """The privacy notice (Art. 13 GDPR), for everyone: the deployment's own text, or the
    default one built from the registry and the configured retention periods."""
    locale = str(get_locale())
    config = current_app.config
    custom = custom_notice(config["LMS_PRIVACY_NOTICE_DIR"], locale,
                           "en" if locale == "de" else "de")
    return render_template("public/privacy.html", custom=custom,
                           facts=notice_facts(config["LMS_RETENTION"]),
                           controller=config["LMS_PRIVACY_CONTROLLER"],
                           contact=config["LMS_PRIVACY_CONTACT"],
                           log_days=config["LMS_RETENTION"][Retention.LOG_FILES.value])


@bp.post("/account/erasure")
@login_required
def erasure_request() -> ResponseReturnValue:
    """The request goes to the coordination, which decides and gives its reason."""
    form = ErasureRequestForm()
    if form.validate_on_submit():
        with committing() as saved:
            request_erasure(current_user._get_current_object(), form.message.data or "")
        if saved:
            flash(_("Your request for erasure has been sent to the coordination. You will "
                    "find its decision here."), "info")
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
    return redirect(url_for("public.account") + "#my-data")


@bp.post("/account/data")
@login_required
def data_export() -> ResponseReturnValue:
    """Everyone downloads their own data from their account page."""
    if DataExportForm().validate_on_submit():
        me = current_user._get_current_object()
        export = make_export(me, me)
        if export is not None and export.state == ExportState.READY:
            flash(_("Your data is ready: download it below."), "info")
    return redirect(url_for("public.account") + "#my-data")


@bp.get("/account/data/<int:export_id>")
@login_required
def data_download(export_id: int) -> ResponseReturnValue:
    export = get_own_export_or_404(current_user, export_id)
    return send_data_export(export)
