"""The personal data of credentials: the signed credential names its holder; the status
lists hold one anonymous bit per credential."""

from __future__ import annotations

import json
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
        "certificate_credential",
        personal("document", C.CERTIFICATE,
                 _l("the signed Open Badges credential as issued (names the holder; "
                    "served to them and checked at /verify)"),
                 B.PUBLIC_TASK, R.CERTIFICATE_STUBS, E.DELETE),
        key=("id", "certificate_id", "status_list_id"),
        technical=("credential_uri", "sha256", "content_sha256", "verification_method",
                   "status_index"),
        bookkeeping=("issued_at",),
    ),
    table(
        "credential_status_list",
        key=("id",), technical=("purpose", "size", "version", "document"),
        bookkeeping=("updated_at",),
    ),
)


def erase(context: ErasureContext) -> None:
    """The signed credential names its holder: its text goes, its fingerprints stay
    (exact bytes, and content), so that a copy its holder hands in still verifies."""
    import sqlalchemy as sa

    from lms.certificates.models import Certificate
    from lms.cohorts.models import Enrollment
    from lms.credentials.models import CertificateCredential
    from lms.credentials.verification import content_digest
    from lms.extensions import db

    credentials = db.session.scalars(
        sa.select(CertificateCredential).join(CertificateCredential.certificate)
        .join(Certificate.enrollment).where(Enrollment.user_id == context.user.id)).all()
    context.note(*credentials)
    for credential in credentials:
        if credential.document:
            credential.content_sha256 = content_digest(json.loads(credential.document))
            credential.document = ""
    context.count("credentials", len(credentials))


def export(person: User) -> AreaExport:
    """Each certificate's Open Badges credential, as issued (the JSON its PDF carries)."""
    import sqlalchemy as sa

    from lms.certificates.models import Certificate
    from lms.cohorts.models import Enrollment
    from lms.credentials.models import CertificateCredential
    from lms.extensions import db
    from lms.privacy.export import AreaExport, record

    exported = AreaExport(_l("Your digital credentials"))
    for credential in db.session.scalars(
            sa.select(CertificateCredential).join(CertificateCredential.certificate)
            .join(Certificate.enrollment).where(Enrollment.user_id == person.id)
            .order_by(CertificateCredential.id)):
        if not credential.document:
            continue
        name = f"certificates/{credential.certificate.serial}.credential.json"
        exported.texts[name] = credential.document.encode("utf-8")
        exported.add("certificate_credential", [record(
            credential, ["credential_uri", "issued_at"],
            serial=credential.certificate.serial, file=name)])
    return exported


def purge(context: PurgeContext) -> None:
    """Credentials of certificates past CERTIFICATE_STUBS lose their text (it names the
    holder); their fingerprints stay."""
    import sqlalchemy as sa
    from flask_babel import lazy_gettext as _l

    from lms.certificates.models import Certificate
    from lms.credentials.models import CertificateCredential
    from lms.credentials.verification import content_digest
    from lms.extensions import db

    credentials = db.session.scalars(
        sa.select(CertificateCredential).join(CertificateCredential.certificate).where(
            Certificate.issued_at < context.cutoff(R.CERTIFICATE_STUBS),
            CertificateCredential.document != "")).all()
    context.found(R.CERTIFICATE_STUBS, _l("credentials"), len(credentials))
    if context.apply:
        for credential in credentials:
            credential.content_sha256 = content_digest(json.loads(credential.document))
            credential.document = ""
