from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, Email, EqualTo, Length, Optional

from lms.accounts.models import User
from lms.accounts.passwords import MIN_PASSWORD_LENGTH
from lms.config import SUPPORTED_LOCALES
from lms.db import max_length
from lms.privacy.models import ErasureRequest
from lms.web.choices import LANGUAGE_CHOICES, CourseTitleForms, title_form_choices


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        validators=[DataRequired(_l("Please enter your email address.")),
                    Email(_l("Please enter a valid email address."), check_deliverability=False),
                    Length(max=max_length(User.email))],
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(_l("Please enter your password."))]
    )
    next = HiddenField()


class LanguageForm(FlaskForm):
    language = StringField(_l("Language"), validators=[AnyOf(SUPPORTED_LOCALES)])
    next = HiddenField()


class PasswordForgotForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        validators=[DataRequired(_l("Please enter your email address.")),
                    Email(_l("Please enter a valid email address."), check_deliverability=False),
                    Length(max=max_length(User.email))],
    )


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Please enter a password."))],
        description=_ln("At least %(num)s character. A few unrelated words make a good "
                        "password.", "At least %(num)s characters. A few unrelated words make "
                        "a good password.", MIN_PASSWORD_LENGTH),
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(_l("Please repeat the password.")),
                    EqualTo("password", _l("The two passwords are not the same."))],
    )


def _title_form_field() -> RadioField:
    return RadioField(
        _l("How your certificate names you"), choices=title_form_choices(),
        validators=[DataRequired(_l("Please choose one."))],
    )


def _language_field() -> RadioField:
    return RadioField(
        _l("Language"), choices=LANGUAGE_CHOICES,
        validators=[DataRequired(_l("Please choose one."))],
    )


class AccountInvitationForm(CourseTitleForms, NewPasswordForm):
    """A lecturer or company contact sets a first password and the language."""

    language = _language_field()


class InvitationForm(CourseTitleForms, NewPasswordForm):
    title_form = _title_form_field()
    language = _language_field()


class AcceptInvitationForm(CourseTitleForms):
    """For a person who already has an account: confirm only."""

    title_form = _title_form_field()
    language = _language_field()


class AccountForm(CourseTitleForms):
    """What a person keeps up to date themselves: their name, (participants) the title
    form their certificate names them with, and the language of the site and mails."""

    first_name = StringField(_l("First name"), validators=[
        DataRequired(_l("Please fill in this field.")), Length(max=max_length(User.first_name))])
    last_name = StringField(_l("Last name"), validators=[
        DataRequired(_l("Please fill in this field.")), Length(max=max_length(User.last_name))])
    # (made here, after the names: WTForms orders fields by their creation)
    title_form = _title_form_field()
    language = _language_field()


class ErasureRequestForm(FlaskForm):
    """A person asks the coordination to erase their data (Art. 17 GDPR)."""

    message = TextAreaField(
        _l("Message to the coordination (optional)"),
        validators=[Optional(), Length(max=max_length(ErasureRequest.message))])


class DataExportForm(FlaskForm):
    """A button: put together a copy of my data (the form carries the CSRF token only)."""
