from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import AnyOf, DataRequired, Email, Length

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
