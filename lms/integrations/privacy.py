"""The personal data of API tokens: a staff member's key for another system (as a hash),
and when it was last used."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l

from lms.privacy.declare import Category as C
from lms.privacy.declare import Erasure as E
from lms.privacy.declare import LegalBasis as B
from lms.privacy.declare import personal, table
from lms.privacy.retention import Retention as R

if TYPE_CHECKING:
    from lms.accounts.models import User
    from lms.privacy.erasure import ErasureContext
    from lms.privacy.export import AreaExport
    from lms.privacy.purge import PurgeContext

TABLES = (
    table(
        "api_token",
        personal("token_hash", C.ACCOUNT,
                 _l("the key another system uses the API with, for its owner (only its "
                    "SHA-256 is stored)"), B.CONTRACT, R.LOGIN_RECORDS, E.DELETE),
        personal("last_used_at", C.ACCOUNT,
                 _l("when an API token was last used, so that its owner sees unused ones"),
                 B.CONTRACT, R.LOGIN_RECORDS, E.DELETE),
        key=("id", "user_id", "revoked_by_id"),
        technical=("key_id", "name", "scope"),
        bookkeeping=("created_at", "expires_at", "revoked_at"),
    ),
)


def erase(context: ErasureContext) -> None:
    """The person's API tokens stop working and are forgotten."""
    import sqlalchemy as sa

    from lms.integrations.models import ApiToken
    from lms.privacy.erasure import delete_rows

    context.count("api_token", delete_rows(sa.delete(ApiToken).where(
        ApiToken.user_id == context.user.id)))


def export(person: User) -> AreaExport:
    """The person's API tokens (their secret hashes withheld)."""
    import sqlalchemy as sa

    from lms.extensions import db
    from lms.integrations.models import ApiToken
    from lms.privacy.export import AreaExport, record

    exported = AreaExport(_l("Your API tokens"))
    exported.add("api_token", [
        record(t, ["name", "scope", "created_at", "expires_at", "last_used_at", "revoked_at"])
        for t in db.session.scalars(sa.select(ApiToken).where(
            ApiToken.user_id == person.id).order_by(ApiToken.id))])
    return exported


def purge(context: PurgeContext) -> None:
    """API tokens revoked or expired longer ago than LOGIN_RECORDS."""
    import sqlalchemy as sa

    from lms.integrations.models import ApiToken

    cutoff = context.cutoff(R.LOGIN_RECORDS)
    condition = sa.or_(ApiToken.revoked_at < cutoff, ApiToken.expires_at < cutoff)
    context.delete_where(R.LOGIN_RECORDS, _l("ended API tokens"), ApiToken, condition)
