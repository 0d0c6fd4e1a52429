from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, RadioField, StringField
from wtforms.validators import AnyOf, DataRequired, Email, EqualTo, Length

from lms.config import SUPPORTED_LOCALES


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        validators=[DataRequired(_l("Please enter your email address.")),
                    Email(_l("Please enter a valid email address."), check_deliverability=False),
                    Length(max=254)],
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
                    Length(max=254)],
    )


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Please enter a password."))],
        description=_l("At least 10 characters. A few unrelated words make a good password."),
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(_l("Please repeat the password.")),
                    EqualTo("password", _l("The two passwords are not the same."))],
    )


class AccountInvitationForm(NewPasswordForm):
    """A lecturer or company contact sets a first password and the language."""

    language = RadioField(
        _l("Language"), choices=[("de", "Deutsch"), ("en", "English")],
        validators=[DataRequired(_l("Please choose one."))],
    )


class InvitationForm(NewPasswordForm):
    title_form = RadioField(
        _l("How your certificate names you"),
        choices=[("neutral", "Social Media Manager*in"), ("female", "Social Media Managerin"),
                 ("male", "Social Media Manager")],
        validators=[DataRequired(_l("Please choose one."))],
    )
    language = RadioField(
        _l("Language"), choices=[("de", "Deutsch"), ("en", "English")],
        validators=[DataRequired(_l("Please choose one."))],
    )


class AcceptInvitationForm(FlaskForm):
    """For a person who already has an account: confirm only."""

    title_form = InvitationForm.title_form
    language = InvitationForm.language


class AccountForm(FlaskForm):
    """What a person keeps up to date themselves: their name, (participants) the title
    form their certificate names them with, and the language of the site and mails."""

    first_name = StringField(_l("First name"), validators=[
        DataRequired(_l("Please fill in this field.")), Length(max=120)])
    last_name = StringField(_l("Last name"), validators=[
        DataRequired(_l("Please fill in this field.")), Length(max=120)])
    # Own fields (not InvitationForm's): WTForms orders fields by their creation.
    title_form = RadioField(
        _l("How your certificate names you"),
        choices=InvitationForm.title_form.kwargs["choices"],
        validators=[DataRequired(_l("Please choose one."))],
    )
    language = RadioField(
        _l("Language"), choices=[("de", "Deutsch"), ("en", "English")],
        validators=[DataRequired(_l("Please choose one."))],
    )
