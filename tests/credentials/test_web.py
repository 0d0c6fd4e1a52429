"""The credential where people use it: the participant's JSON download and LinkedIn
link, and verification by file (the JSON, or the PDF that carries it) with the claims in
words."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from lms.certificates.operations import issue_certificate, revoke_certificate
from lms.credentials.queries import get_credential
from lms.extensions import db
from lms.storage import read_stored
from tests.factories import make_finished_cohort
from tests.helpers import login, text_of

ISSUED = datetime(2026, 7, 1, 10, tzinfo=UTC)


@pytest.fixture
def issued(course):
    _cohort, (enrollment,) = make_finished_cohort(course)
    db.session.commit()
    certificate = issue_certificate(enrollment, now=ISSUED).certificate
    db.session.commit()
    return certificate


def _upload(client, data: bytes, name: str):
    return client.post("/verify/file", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_the_participant_downloads_the_json_and_adds_it_to_linkedin(app, issued):
    client = app.test_client()
    login(client, issued.enrollment.user)
    response = client.get(f"/me/certificates/{issued.id}/credential.json")
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    assert response.get_data(as_text=True) == get_credential(issued).document
    assert f'filename="{issued.serial}.credential.json"' in response.headers[
        "Content-Disposition"]
    page = client.get("/me/progress").get_data(as_text=True)
    assert f"/me/certificates/{issued.id}/credential.json" in page
    link = next(part.split('"')[0] for part in page.split('href="')
                if part.startswith("https://www.linkedin.com/profile/add"))
    query = parse_qs(urlsplit(link.replace("&amp;", "&")).query)
    assert query == {
        "startTask": ["CERTIFICATION_NAME"], "name": ["Zertifikat: Social Media Manager*in"],
        "organizationName": ["TH Köln"], "issueYear": ["2026"], "issueMonth": ["7"],
        "certId": [issued.serial],
        "certUrl": [f"{app.config['LMS_BASE_URL']}/verify/{issued.verification_code}"]}
    # revoked: neither the download nor the link
    revoke_certificate(issued, "Versehentlich", now=ISSUED)
    db.session.commit()
    assert client.get(f"/me/certificates/{issued.id}/credential.json").status_code == 404
    assert "linkedin.com" not in client.get("/me/progress").get_data(as_text=True)


def test_verify_by_file_accepts_the_json_and_states_its_claims_in_words(app, issued):
    client = app.test_client()
    document = get_credential(issued).document.encode()
    response = _upload(client, document, "nachweis.json")
    assert response.status_code == 200
    text = text_of(response)
    assert "Gültig" in text
    assert "genau der Nachweis, den wir ausgestellt haben" in text
    for claim in ("Verliehen an", issued.holder_name, "Abschluss",
                  "Zertifikat: Social Media Manager*in", "Ausgestellt von",
                  "TH Köln – Zentrum für akademische Weiterbildung",
                  "Anwesende Stunden: 8 von 8", "Hausarbeit: 100 von 100",
                  "Mündliche Prüfung: bestanden", "Digitale Signatur: gültig",
                  "Statusliste: nicht widerrufen"):
        assert claim in text, claim
    # the same credential, formatted otherwise (as a wallet may store it)
    compact = json.dumps(json.loads(document)).encode()
    assert "Formatierung weicht ab" in text_of(_upload(client, compact, "n.json"))


def test_a_changed_credential_is_refused(app, issued):
    document = json.loads(get_credential(issued).document)
    document["credentialSubject"]["result"][0]["value"] = "120"
    response = _upload(app.test_client(), json.dumps(document).encode(), "nachweis.json")
    assert response.status_code == 422
    assert "Nicht gültig" in text_of(response)
    assert "verändert" in text_of(response)


def test_verify_by_file_reads_the_credential_inside_a_changed_pdf(app, issued):
    client = app.test_client()
    pdf = read_stored("certificates", issued.stored_name)
    assert "genau die Datei, die wir ausgestellt haben" in text_of(_upload(client, pdf, "z.pdf"))
    # saved again by another program: the file's hash differs, the credential inside not
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.add_metadata({"/Producer": "Ein anderes Programm"})
    again = io.BytesIO()
    writer.write(again)
    response = _upload(client, again.getvalue(), "z.pdf")
    # not confirmed (its pages may have been edited), but the credential inside is named
    assert response.status_code == 404, text_of(response)
    assert "Diese Datei wurde nicht von uns ausgestellt" in text_of(response)
    assert f"Seriennummer {issued.serial}" in text_of(response)
    assert f'href="/verify/{issued.verification_code}"' in response.get_data(as_text=True)
    assert "Mündliche Prüfung" not in text_of(response)
    # a revoked certificate's credential reads as revoked
    revoke_certificate(issued, "Versehentlich", now=ISSUED)
    db.session.commit()
    text = text_of(_upload(client, get_credential(issued).document.encode(), "n.json"))
    assert "Widerrufen" in text and "Statusliste: widerrufen" in text


def test_the_verification_page_by_code_shows_the_claims_but_no_results(app, issued):
    """By code: what the certificate shows; the results only to who holds the credential."""
    text = text_of(app.test_client().get(f"/verify/{issued.verification_code}"))
    assert "Der digitale Nachweis" in text and "Zertifikat: Social Media Manager*in" in text
    assert "Erfüllte Anforderungen" in text and "Digitale Signatur: gültig" in text
    assert "Anwesende Stunden" not in text and "100 von 100" not in text
    assert issued.enrollment.user.email not in text


def test_other_files_are_still_unknown(app, issued):
    client = app.test_client()
    assert _upload(client, b"%PDF-1.7\n%%EOF\n", "x.pdf").status_code == 404
    assert _upload(client, b'{"not": "a credential"', "x.json").status_code == 404
    assert _upload(client, b"[1, 2]", "x.json").status_code == 404
    response = _upload(client, b'{"id": "urn:uuid:0", "proof": {}}', "x.json")
    assert response.status_code == 422
