"""Checking a credential someone hands us (as JSON, or inside a certificate PDF): its
signature (with our keys, the retired ones too), its bit in our status list, and whether
it is the very credential we stored."""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from typing import Any

from lms.certificates.models import Certificate
from lms.credentials import proofs
from lms.credentials.did import resolver
from lms.credentials.keys import load_keyring
from lms.credentials.models import CertificateCredential
from lms.credentials.queries import get_credential_by_uri, get_status_list
from lms.credentials.status import bit_is_set, decode_list

MAX_JSON_BYTES = 1024 * 1024


@dataclass(frozen=True)
class CredentialCheck:
    document: dict[str, Any]
    signature_valid: bool
    problem: str  # why the signature does not verify ("" when it does)
    credential: CertificateCredential | None  # ours, by its id
    revoked: bool | None  # the status list's bit; None: no list of ours answers
    identical: bool  # the stored credential, byte for byte
    same_content: bool  # the stored credential, perhaps formatted differently

    @property
    def certificate(self) -> Certificate | None:
        return self.credential.certificate if self.credential else None

    @property
    def genuine(self) -> bool:
        return self.signature_valid and self.credential is not None and self.same_content


def parse_json(data: bytes) -> dict[str, Any] | None:
    """The uploaded bytes as a JSON object, or None if they are not one."""
    if len(data) > MAX_JSON_BYTES or data.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] != b"{":
        return None
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return document if isinstance(document, dict) else None


def embedded_credential(pdf: bytes) -> bytes | None:
    """The credential a certificate PDF carries as an associated file, if any."""
    if not pdf.startswith(b"%PDF-"):
        return None
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(pdf))
        for name, contents in (reader.attachments or {}).items():
            if name.endswith(".json") and contents:
                return contents[0]
    except Exception:  # a damaged PDF carries nothing we can read
        return None
    return None


def check_credential(document: dict[str, Any], raw: bytes | None = None) -> CredentialCheck:
    keyring = load_keyring()
    try:
        proofs.verify(document, resolver(keyring))
        valid, problem = True, ""
    except proofs.ProofError as exc:
        valid, problem = False, str(exc)
    uri = document.get("id")
    credential = get_credential_by_uri(uri) if isinstance(uri, str) else None
    identical = same = False
    revoked = None
    if credential is not None:
        identical = raw is not None and hashlib.sha256(raw).hexdigest() == credential.sha256
        same = identical or _same_content(credential, document)
        revoked = status_bit(credential)
    return CredentialCheck(document, valid, problem, credential, revoked, identical, same)


def content_digest(document: dict[str, Any]) -> str:
    """SHA-256 of a credential's content, whatever its formatting (sorted keys, no spaces)."""
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _same_content(credential: CertificateCredential, document: dict[str, Any]) -> bool:
    """The stored credential's content, compared as JSON; after an erasure (its text gone)
    by the fingerprint of its content."""
    if credential.document:
        return bool(json.loads(credential.document) == document)
    return credential.content_sha256 is not None and (
        content_digest(document) == credential.content_sha256)


def status_bit(credential: CertificateCredential) -> bool | None:
    """Whether the served status list marks the credential revoked."""
    status_list = get_status_list(credential.status_list_id)
    if status_list is None or not status_list.document:
        return None
    served = json.loads(status_list.document)
    bits = decode_list(served["credentialSubject"]["encodedList"])
    return bit_is_set(bits, credential.status_index)
