"""A person's own data: asking for its erasure (Art. 17 GDPR) from the account page."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.privacy.erasure import request_erasure
from lms.web.public import bp
from lms.web.public.forms import ErasureRequestForm
from lms.web.saving import committing


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
