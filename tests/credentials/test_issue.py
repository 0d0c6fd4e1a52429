"""Every certificate (and every correction) comes with an Open Badges 3.0 credential:
1EdTech's schema, its content, its signature with the production code path, its status
bit, and the PDF/A-3 that carries exactly the stored JSON."""

from __future__ import annotations

import copy
import io
import json
import os
import stat
from datetime import UTC, datetime
from decimal import Decimal

import pypdf
import pytest
import sqlalchemy as sa

from lms.certificates.models import Certificate, CertificateKind
from lms.certificates.operations import (
    issue_certificate,
    issue_corrected_certificate,
    revoke_certificate,
)
from lms.credentials import proofs
from lms.credentials.achievement import identity_hash
from lms.credentials.did import issuer_did, resolver
from lms.credentials.keys import keyring_path, load_keyring, rotate_keyring
from lms.credentials.models import MIN_LIST_SIZE, CertificateCredential
from lms.credentials.queries import credential_document, get_credential
from lms.credentials.status import bit_is_set, decode_list, encode_list
from lms.credentials.verification import status_bit
from lms.extensions import db
from lms.storage import read_stored
from tests.credentials_helpers import schema_errors
from tests.factories import make_finished_cohort

ISSUED = datetime(2026, 7, 1, 10, tzinfo=UTC)


def _issue(course, **kwargs) -> Certificate:
    _cohort, (enrollment,) = make_finished_cohort(course)
    db.session.commit()
    certificate = issue_certificate(enrollment, now=ISSUED, **kwargs).certificate
    db.session.commit()
    return certificate


@pytest.fixture
def keyring_backup(app):
    """Tests that rotate the key put the session's keyring back afterwards."""
    load_keyring()
    path = keyring_path()
    saved = path.read_bytes()
    yield
    path.write_bytes(saved)


def test_a_certificate_comes_with_a_valid_open_badges_credential(app, course):
    certificate = _issue(course)
    credential = credential_document(get_credential(certificate))
    assert schema_errors(credential) == []
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["id"].startswith("urn:uuid:")
    assert credential["validFrom"] == "2026-07-01T10:00:00Z"
    issuer = credential["issuer"]
    assert issuer == {"id": issuer_did(), "type": ["Profile"], "name": "TH Köln",
                      "url": app.config["LMS_BASE_URL"],
                      "description": "Zentrum für akademische Weiterbildung"}
    subject = credential["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    email, name = subject["identifier"]
    user = certificate.enrollment.user
    assert email["identityType"] == "emailAddress" and email["hashed"] is True
    assert email["identityHash"] == identity_hash(user.email, email["salt"])
    assert user.email not in json.dumps(credential)  # only its salted hash
    assert name == {"type": "IdentityObject", "identityType": "name", "hashed": False,
                    "identityHash": certificate.holder_name}
    achievement = subject["achievement"]
    assert achievement["achievementType"] == "Certificate"
    assert achievement["name"] == "Zertifikat: Social Media Manager*in"
    assert achievement["inLanguage"] == "de"
    assert "Anwesenheit von mindestens 80 %" in achievement["criteria"]["narrative"]
    # numbers as the credential's language writes them (8 hours scheduled, 80 %: 6,4)
    assert "(mindestens 6,4 Stunden)" in achievement["criteria"]["narrative"]
    assert "Hausarbeit (mindestens 50 von 100 Punkten)" in achievement["criteria"]["narrative"]
    results = {d["name"]: r for d in achievement["resultDescription"]
               for r in subject["result"] if r["resultDescription"] == d["id"]}
    assert results["Anwesende Stunden"]["value"] == "8"
    assert results["Modul 1: Social-Media-Strategie und Ziele (anwesende Stunden)"][
        "value"] == "4"
    assert results["Hausarbeit"] == {"type": ["Result"], "value": "100", "status": "Completed",
                                     "resultDescription": results["Hausarbeit"][
                                         "resultDescription"]}
    assert results["Mündliche Prüfung"]["status"] == "Completed"
    assert "creditsEarned" not in subject  # the course carries no credits
    status = credential["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry"
    assert status["statusPurpose"] == "revocation"
    assert status["statusListCredential"] == (
        f"{app.config['LMS_BASE_URL']}/credentials/status/{get_credential(certificate).status_list_id}")
    assert int(status["statusListIndex"]) == get_credential(certificate).status_index
    # signed with the issuer's key by the production code path, and it verifies
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert credential["proof"]["verificationMethod"].startswith(issuer_did() + "#z6Mk")
    assert proofs.verify(credential, resolver(load_keyring()))
    tampered = copy.deepcopy(credential)
    tampered["credentialSubject"]["result"][0]["value"] = "120"
    with pytest.raises(proofs.ProofError):
        proofs.verify(tampered, resolver(load_keyring()))


def test_the_english_credential_speaks_english(course):
    certificate = _issue(course, language="en")
    credential = credential_document(get_credential(certificate))
    assert schema_errors(credential) == []
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["name"] == "Certificate: Social Media Manager"
    assert achievement["inLanguage"] == "en"
    assert achievement["criteria"]["narrative"].startswith("Attendance of at least 80 %")
    assert "(at least 6.4 hours)" in achievement["criteria"]["narrative"]
    assert "Written paper (at least 50 of 100 points)" in achievement["criteria"]["narrative"]
    assert achievement["description"].startswith("Continuing-education certificate course")


def test_a_confirmation_is_a_credential_of_its_own_achievement(course):
    certificate = _issue(course, kind=CertificateKind.CONFIRMATION, check_rules=False)
    credential = credential_document(get_credential(certificate))
    assert schema_errors(credential) == []
    achievement = credential["credentialSubject"]["achievement"]
    other = credential_document(get_credential(_issue(course)))["credentialSubject"][
        "achievement"]
    assert achievement["achievementType"] == "CertificateOfCompletion"
    assert achievement["name"] == "Teilnahmebescheinigung: Social Media Manager*in"
    assert achievement["id"] != other["id"]
    # attendance only: no assessments stated, passed or not
    assert [d["id"].split("#")[1] for d in achievement["resultDescription"]] == [
        "attendance", "module-1", "module-2"]
    assert "Bestanden" not in achievement["criteria"]["narrative"]


def test_course_credits_are_stated_where_the_course_has_them(course):
    course.credits = Decimal("10.0")
    db.session.commit()
    certificate = _issue(course)
    credential = credential_document(get_credential(certificate))
    assert schema_errors(credential) == []
    assert credential["credentialSubject"]["creditsEarned"] == 10.0
    assert credential["credentialSubject"]["achievement"]["creditsAvailable"] == 10.0


def test_the_pdf_carries_exactly_the_stored_credential_as_associated_file(course):
    certificate = _issue(course)
    stored = get_credential(certificate)
    reader = pypdf.PdfReader(io.BytesIO(read_stored("certificates", certificate.stored_name)))
    assert reader.attachments == {f"{certificate.serial}.credential.json":
                                  [stored.document.encode("utf-8")]}
    catalog = reader.trailer["/Root"]
    # WeasyPrint lists the one file spec twice in /AF (from the name tree and the
    # objects); it is one associated file
    (filespec,) = {f.idnum: f.get_object() for f in catalog["/AF"]}.values()
    assert filespec["/AFRelationship"] == "/Data"
    assert filespec["/EF"]["/F"].get_object()["/Subtype"] == "/application/json"
    xmp = reader.xmp_metadata.stream.get_data().decode()
    assert "pdfaid:part" in xmp and ("pdfaid:part>3<" in xmp or 'pdfaid:part="3"' in xmp)


def test_revoking_sets_the_bit_and_a_correction_revokes_the_old_credential(app, course):
    certificate = _issue(course)
    first = get_credential(certificate)
    assert status_bit(first) is False
    corrected = issue_corrected_certificate(certificate, "Name berichtigt", now=ISSUED)
    db.session.commit()
    second = get_credential(corrected.certificate)
    assert status_bit(first) is True
    assert status_bit(second) is False
    assert schema_errors(credential_document(second)) == []
    served = json.loads(app.test_client().get(
        f"/credentials/status/{first.status_list_id}").get_data())
    assert served["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert proofs.verify(served, resolver(load_keyring()))
    bits = decode_list(served["credentialSubject"]["encodedList"])
    assert len(bits) * 8 == first.status_list.size >= MIN_LIST_SIZE
    assert bit_is_set(bits, first.status_index) and not bit_is_set(bits, second.status_index)
    revoke_certificate(corrected.certificate, "Versehentlich", now=ISSUED)
    db.session.commit()
    assert status_bit(second) is True


def test_status_indexes_are_unique_per_list(course):
    _cohort, enrollments = make_finished_cohort(course, participants=4)
    db.session.commit()
    for enrollment in enrollments:
        issue_certificate(enrollment, now=ISSUED)
    db.session.commit()
    pairs = db.session.execute(sa.select(CertificateCredential.status_list_id,
                                         CertificateCredential.status_index)).all()
    assert len(pairs) == len(set(pairs))
    taken = pairs[0]
    clash = CertificateCredential(
        certificate_id=db.session.scalar(sa.select(Certificate.id).where(
            ~Certificate.id.in_(sa.select(CertificateCredential.certificate_id))).limit(1))
        or _issue_without_credential(), credential_uri="urn:uuid:clash", document="{}",
        sha256="0" * 64, verification_method="x", status_list_id=taken[0],
        status_index=taken[1])
    db.session.add(clash)
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def _issue_without_credential() -> int:
    certificate = db.session.scalar(sa.select(Certificate).limit(1))
    return certificate.id


def test_encoded_lists_put_index_zero_at_the_first_bit():
    bits = decode_list(encode_list(MIN_LIST_SIZE, [0, 9, MIN_LIST_SIZE - 1]))
    assert bits[0] == 0x80 and bits[1] == 0x40 and bits[-1] == 0x01
    assert encode_list(MIN_LIST_SIZE, []) == encode_list(MIN_LIST_SIZE, [])  # no timestamp
    with pytest.raises(ValueError):
        encode_list(MIN_LIST_SIZE, [MIN_LIST_SIZE])


def test_the_did_document_lists_every_key_and_a_rotated_key_still_verifies(
        app, course, keyring_backup):
    certificate = _issue(course)
    credential = credential_document(get_credential(certificate))
    before = load_keyring()
    rotate_keyring(ISSUED)
    after = load_keyring()
    assert after.active.public_multibase != before.active.public_multibase
    assert stat.S_IMODE(os.stat(keyring_path()).st_mode) == 0o600
    document = json.loads(app.test_client().get("/.well-known/did.json").get_data())
    assert document["id"] == issuer_did()
    methods = [m["id"] for m in document["verificationMethod"]]
    assert methods == [f"{issuer_did()}#{after.active.public_multibase}",
                       f"{issuer_did()}#{before.active.public_multibase}"]
    assert document["assertionMethod"] == methods
    assert all(m["type"] == "Multikey" and m["controller"] == issuer_did()
               for m in document["verificationMethod"])
    assert proofs.verify(credential, resolver(after))  # signed before the rotation
    newer = credential_document(get_credential(_issue(course)))
    assert newer["proof"]["verificationMethod"].endswith(after.active.public_multibase)


def test_did_web_of_a_host_with_a_port(app):
    assert issuer_did("http://127.0.0.1:5000") == "did:web:127.0.0.1%3A5000"
    assert issuer_did("https://lms.example.org") == "did:web:lms.example.org"
    assert issuer_did("https://example.org/weiterbildung") == (
        "did:web:example.org:weiterbildung")
