"""The personal data of accounts: who a person is, how they log in, a lecturer's profile."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms.privacy.declare import Category as C
from lms.privacy.declare import Erasure as E
from lms.privacy.declare import LegalBasis as B
from lms.privacy.declare import personal, table
from lms.privacy.retention import Retention as R

NAMING = _l("naming the person on pages, in lists, mails and certificates")

TABLES = (
    table(
        "user_account",
        personal("email", C.CONTACT,
                 _l("logging in; invitations, password resets and notices by e-mail"),
                 B.CONTRACT, R.ACCOUNT, E.PSEUDONYMISE),
        personal("first_name", C.IDENTITY, NAMING, B.CONTRACT, R.ACCOUNT, E.PSEUDONYMISE),
        personal("last_name", C.IDENTITY, NAMING, B.CONTRACT, R.ACCOUNT, E.PSEUDONYMISE),
        personal("title_form", C.IDENTITY,
                 _l("the form of the course title their certificate names them with "
                    "(their choice)"), B.CONTRACT, R.ACCOUNT, E.DELETE),
        personal("locale", C.ACCOUNT, _l("the language of pages and mails (their choice)"),
                 B.CONTRACT, R.ACCOUNT, E.DELETE),
        personal("password_hash", C.ACCOUNT,
                 _l("logging in (an argon2id hash; the password itself is never stored)"),
                 B.CONTRACT, R.ACCOUNT, E.DELETE),
        personal("is_active_account", C.ACCOUNT, _l("whether the account may log in"),
                 B.CONTRACT, R.ACCOUNT, E.DELETE),
        personal("last_login_at", C.ACCOUNT, _l("security: when the account was last used"),
                 B.LEGITIMATE_INTEREST, R.ACCOUNT, E.DELETE),
        key=("id",), bookkeeping=("created_at", "updated_at"),
    ),
    table(
        "user_role",
        personal("role", C.ACCOUNT, _l("what the person may see and do"),
                 B.CONTRACT, R.ACCOUNT, E.DELETE),
        key=("user_id",),
    ),
    table(
        "lecturer_profile",
        *(personal(column, C.PROFILE,
                   _l("introducing the lecturer to participants and the coordination"),
                   B.CONTRACT, R.ACCOUNT, E.DELETE)
          for column in ("affiliation", "job_title", "bio", "expertise")),
        key=("user_id",), bookkeeping=("created_at", "updated_at"),
    ),
    table(
        "one_time_token",
        personal("token_hash", C.ACCOUNT,
                 _l("the e-mailed link of an invitation or a password reset (only its "
                    "SHA-256 is stored)"), B.CONTRACT, R.LOGIN_RECORDS, E.DELETE),
        personal("used_at", C.ACCOUNT, _l("using each link once only"),
                 B.CONTRACT, R.LOGIN_RECORDS, E.DELETE),
        key=("id", "user_id", "enrollment_id", "created_by_id"),
        bookkeeping=("created_at", "expires_at", "withdrawn_at"),
        technical=("purpose",),
    ),
    table(
        "user_session",
        personal("token_hash", C.ACCOUNT,
                 _l("a log-in that logging out really ends (only its SHA-256 is stored)"),
                 B.CONTRACT, R.LOGIN_RECORDS, E.DELETE),
        personal("created_at", C.ACCOUNT, _l("security: when a session began"),
                 B.LEGITIMATE_INTEREST, R.LOGIN_RECORDS, E.DELETE),
        personal("last_seen_at", C.ACCOUNT,
                 _l("ending a session after a time without use"),
                 B.LEGITIMATE_INTEREST, R.LOGIN_RECORDS, E.DELETE),
        key=("id", "user_id"), bookkeeping=("revoked_at",),
    ),
)
