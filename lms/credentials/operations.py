"""Issuing and revoking credentials; called by ``lms.certificates`` in its transactions.
Operations flush, never commit.

At issue (when a reserved certificate is rendered) the credential is built from the
certificate's facts, given a free index in a status list, signed with the active key and
returned as the exact text the PDF embeds; ``record_credential`` stores it in the
transaction that makes the certificate valid. A render that fails records nothing, and
its retry prepares the credential afresh. Revoking a certificate
(also when a correction replaces it) sets its bit: the status list's credential is
signed again and stored, in the same transaction.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import current_app

from lms.certificates.models import Certificate, CertificateStatus
from lms.credentials import proofs
from lms.credentials.achievement import build_credential
from lms.credentials.did import issuer_did, verification_method
from lms.credentials.keys import Keyring, load_keyring
from lms.credentials.models import CertificateCredential, CredentialStatusList
from lms.credentials.queries import credential_facts, get_credential
from lms.credentials.status import status_entry, status_list_credential
from lms.extensions import db

if TYPE_CHECKING:
    from lms.certificates.queries import ParticipantProgress
    from lms.certificates.render import CertificateData
    from lms.cohorts.models import Enrollment

MEDIA_TYPE = "application/ld+json"


@dataclass(frozen=True)
class PreparedCredential:
    """A signed credential not yet stored: its text is what the PDF embeds."""

    text: str
    document: dict[str, Any]
    sha256: str
    verification_method: str
    status_list: CredentialStatusList
    status_index: int

    @property
    def uri(self) -> str:
        return str(self.document["id"])


def serialise(document: dict[str, Any]) -> str:
    """The one text of a credential: stored, downloaded and embedded alike."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


STATUS_LIST_PATH = "/credentials/status/{list_id}"


def status_list_url(list_id: int) -> str:
    """The list's stable public address (the route ``credentials.status_list``)."""
    base: str = current_app.config["LMS_BASE_URL"]
    return base + STATUS_LIST_PATH.format(list_id=list_id)


def issuer_profile(provider: str, unit: str) -> dict[str, Any]:
    profile: dict[str, Any] = {"id": issuer_did(), "type": ["Profile"], "name": provider,
                               "url": current_app.config["LMS_BASE_URL"]}
    if unit:
        profile["description"] = unit
    return profile


def prepare_credential(enrollment: Enrollment, kind: str, language: str,
                       data: CertificateData, progress: ParticipantProgress,
                       now: datetime) -> PreparedCredential:
    """Build and sign the credential of a certificate about to be issued."""
    keyring = load_keyring()
    status_list = open_status_list(now, keyring)
    index = _free_index(status_list)
    facts = credential_facts(enrollment, kind, language, data, progress, now)
    unsigned = build_credential(
        facts, issuer=issuer_profile(facts.provider, facts.provider_unit),
        base_url=current_app.config["LMS_BASE_URL"],
        status=status_entry(status_list_url(status_list.id), index))
    method = verification_method(keyring.active.public_multibase)
    signed = proofs.sign(unsigned, keyring.active, method, now)
    text = serialise(signed)
    return PreparedCredential(text, signed, hashlib.sha256(text.encode("utf-8")).hexdigest(),
                              method, status_list, index)


def record_credential(certificate: Certificate, prepared: PreparedCredential,
                      now: datetime) -> CertificateCredential:
    credential = CertificateCredential(
        certificate=certificate, credential_uri=prepared.uri, document=prepared.text,
        sha256=prepared.sha256, verification_method=prepared.verification_method,
        status_list=prepared.status_list, status_index=prepared.status_index, issued_at=now)
    db.session.add(credential)
    db.session.flush()
    return credential


def revoke_credential(certificate: Certificate, now: datetime) -> bool:
    """Set the revoked certificate's bit (a certificate issued before credentials were
    issued has none: nothing to do). Returns whether a status list changed."""
    credential = get_credential(certificate)
    if credential is None:
        return False
    refresh_status_list(credential.status_list, now)
    return True


def refresh_status_list(status_list: CredentialStatusList, now: datetime,
                        keyring: Keyring | None = None) -> CredentialStatusList:
    """Sign the list again from the certificates' states, under the row's lock: a second
    revoker waits here and then reads the first one's committed bit too."""
    _lock(status_list, bump=True)
    revoked = db.session.scalars(
        sa.select(CertificateCredential.status_index)
        .join(Certificate, Certificate.id == CertificateCredential.certificate_id)
        .where(CertificateCredential.status_list_id == status_list.id,
               Certificate.status == CertificateStatus.REVOKED)
    ).all()
    _sign_list(status_list, revoked, now, keyring or load_keyring())
    return status_list


# --------------------------------------------------------------------------- status lists


def open_status_list(now: datetime, keyring: Keyring) -> CredentialStatusList:
    """The newest status list with room for one more credential, created if needed."""
    for status_list in db.session.scalars(
            sa.select(CredentialStatusList).order_by(CredentialStatusList.id.desc())):
        used = db.session.scalar(sa.select(sa.func.count()).where(
            CertificateCredential.status_list_id == status_list.id)) or 0
        if used < status_list.size:
            return status_list
        break
    status_list = CredentialStatusList(updated_at=now)
    db.session.add(status_list)
    db.session.flush()
    _sign_list(status_list, [], now, keyring)
    return status_list


def ensure_status_list(now: datetime) -> CredentialStatusList:
    """The list the next credentials take their index from, created now if there is none
    with room: reserving certificates calls it, so that the jobs rendering them in
    parallel never create a list each."""
    return open_status_list(now, load_keyring())


def _free_index(status_list: CredentialStatusList) -> int:
    """A random unused index (the specification asks for random assignment, so that an
    index says nothing about when or to whom a credential was issued).

    Nothing is locked: certificates render in parallel, and a lock taken here would be
    held through the render until the commit. Two renderers that chose the same index at
    the same moment are stopped by the unique (list, index) constraint when the second
    records its credential; its transaction rolls back and the job renders it again (at
    a few renderers among 131,072 entries this is rare)."""
    used = set(db.session.scalars(sa.select(CertificateCredential.status_index).where(
        CertificateCredential.status_list_id == status_list.id)))
    if len(used) >= status_list.size:  # pragma: no cover (checked by _open_status_list)
        raise RuntimeError("the status list is full")
    while True:
        index = secrets.randbelow(status_list.size)
        if index not in used:
            return index


def _lock(status_list: CredentialStatusList, *, bump: bool) -> None:
    """An UPDATE of the list's row: it is held until the transaction ends, on PostgreSQL
    (row lock) and SQLite (the database's write lock) alike."""
    db.session.execute(
        sa.update(CredentialStatusList).where(CredentialStatusList.id == status_list.id)
        .values(version=CredentialStatusList.version + (1 if bump else 0))
        .execution_options(synchronize_session=False))


def _sign_list(status_list: CredentialStatusList, revoked: Sequence[int], now: datetime,
               keyring: Keyring) -> None:
    url = status_list_url(status_list.id)
    unsigned = status_list_credential(url, issuer_did(), proofs.utc_stamp(now),
                                      status_list.size, revoked)
    signed = proofs.sign(unsigned, keyring.active,
                         verification_method(keyring.active.public_multibase), now)
    status_list.document = serialise(signed)
    status_list.updated_at = now
    db.session.flush()
