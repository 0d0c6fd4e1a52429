"""An independent verifier we did not write, the Digital Credentials Consortium's
@digitalcredentials/verifier-core, checks the signature and the status of the credentials
lms issues, reading the DID document and status list lms serves (run by Node from
tests/credentials_verifier; offline: the script answers the verifier's requests with
what the app served and refuses any other address)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest

from lms.certificates.models import CertificateKind
from lms.certificates.operations import (
    issue_certificate,
    issue_corrected_certificate,
    revoke_certificate,
)
from lms.credentials.queries import credential_document, get_credential
from lms.extensions import db
from tests.credentials_helpers import SCHEMA_URL, run_verifier, served_documents, steps
from tests.factories import make_finished_cohort

pytestmark = [pytest.mark.node, pytest.mark.slow]
ISSUED = datetime(2026, 7, 1, 10, tzinfo=UTC)


def _issue(course, **kwargs):
    _cohort, (enrollment,) = make_finished_cohort(course)
    db.session.commit()
    certificate = issue_certificate(enrollment, now=ISSUED, **kwargs).certificate
    db.session.commit()
    return certificate


def test_a_credential_verifies_and_a_changed_one_does_not(app, course):
    certificate = _issue(course)
    credential = credential_document(get_credential(certificate))
    client = app.test_client()
    documents = served_documents(client, credential)

    result = run_verifier(credential, documents)
    assert not result["result"].get("errors"), result
    assert steps(result) == {"valid_signature": True, "expiration": True,
                             "revocation_status": True, "registered_issuer": False}
    # its own schema check, with 1EdTech's schema (served from the fixture)
    schema = result["result"]["additionalInformation"][0]["results"][0]
    assert schema["schema"] == SCHEMA_URL and schema["result"]["valid"] is True, schema
    assert f"https://{app.config['LMS_BASE_URL'].split('//')[1]}/.well-known/did.json" in (
        result["requested"])

    for path, value in ((("name",), "Certificate: Doctor of Everything"),
                        (("credentialSubject", "result", 0, "value"), "120"),
                        (("validFrom",), "2025-07-01T10:00:00Z"),
                        (("issuer", "name"), "Another University")):
        tampered = copy.deepcopy(credential)
        target = tampered
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        result = run_verifier(tampered, documents)
        errors = result["result"].get("errors") or []
        assert [e["name"] for e in errors] == ["invalid_signature"], (path, result)


def test_a_revoked_certificate_is_reported_revoked(app, course):
    certificate = _issue(course)
    credential = credential_document(get_credential(certificate))
    client = app.test_client()
    assert steps(run_verifier(credential, served_documents(client, credential)))[
        "revocation_status"] is True
    revoke_certificate(certificate, "Versehentlich ausgestellt", now=ISSUED)
    db.session.commit()
    result = run_verifier(credential, served_documents(client, credential))
    assert not result["result"].get("errors"), result
    assert steps(result)["valid_signature"] is True
    assert steps(result)["revocation_status"] is False


def test_a_correction_revokes_the_old_credential_and_its_successor_verifies(app, course):
    certificate = _issue(course)
    old = credential_document(get_credential(certificate))
    corrected = issue_corrected_certificate(certificate, "Name berichtigt", now=ISSUED)
    db.session.commit()
    new = credential_document(get_credential(corrected.certificate))
    assert new["id"] != old["id"]
    client = app.test_client()
    assert steps(run_verifier(old, served_documents(client, old)))["revocation_status"] is False
    assert steps(run_verifier(new, served_documents(client, new)))["revocation_status"] is True


def test_a_confirmation_of_participation_verifies_too(app, course):
    certificate = _issue(course, kind=CertificateKind.CONFIRMATION, check_rules=False)
    credential = credential_document(get_credential(certificate))
    assert credential["credentialSubject"]["achievement"]["achievementType"] == (
        "CertificateOfCompletion")
    result = run_verifier(credential, served_documents(app.test_client(), credential))
    assert not result["result"].get("errors"), result
    assert steps(result)["valid_signature"] is True
    assert json.dumps(result)  # printable, for the note
