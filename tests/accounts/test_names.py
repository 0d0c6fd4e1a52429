"""Names can be corrected: by the coordinator from the roster, by everyone on their own
account page, and by inviting an existing account under another name (never silently
kept). A certificate printed with the old name is then replaced by a corrected one whose
PDF shows the new name, while the old one verifies as superseded. Issuing marks the
participation completed; revoking sets it back to active and says so."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lms.accounts.models import Locale, Role, TitleForm
from lms.accounts.operations import AccountError, rename_user
from lms.audit.models import AuditEvent
from lms.certificates.models import Certificate, CertificateStatus
from lms.certificates.operations import issue_certificate
from lms.cohorts.invitations import invite_participant, withdraw_enrollment
from lms.cohorts.models import EnrollmentStatus
from lms.cohorts.operations import add_company_contact
from lms.cohorts.roster_import import parse_roster
from lms.extensions import db
from tests.factories import (
    enroll,
    load_test_course,
    make_cohort,
    make_finished_cohort,
    make_user,
)
from tests.helpers import pdf_text, text_of


def renames(user_id: int) -> list[AuditEvent]:
    return db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "user.renamed", AuditEvent.object_id == str(user_id))
        .order_by(AuditEvent.id)).all()


@pytest.fixture
def world(app, course_dir):
    course = load_test_course(course_dir)
    cohort, (enrollment,) = make_finished_cohort(course)
    enrollment.user.first_name, enrollment.user.last_name = "Jana", "Schmidt"
    enrollment.user.title_form = TitleForm.FEMALE
    other = make_cohort(course)
    enroll(other, enrollment.user)  # the same person in a second cohort
    coordinator = make_user(Role.COORDINATOR, first="Clara", last="Koordinatorin")
    lecturer = make_user(Role.LECTURER, first="Lea", last="Lehrend")
    contact = make_user(Role.COMPANY_CONTACT, first="Kurt", last="Kontakt")
    add_company_contact(cohort, contact)
    for user in (enrollment.user, coordinator, lecturer, contact):
        user.locale = Locale.EN
    db.session.commit()
    return {"cohort": cohort, "other": other, "enrollment": enrollment,
            "participant": enrollment.user, "coordinator": coordinator,
            "lecturer": lecturer, "contact": contact}


# --------------------------------------------------------------------------- the operation


def test_a_rename_is_audited_in_every_cohort_of_the_person(world):
    user, coordinator = world["participant"], world["coordinator"]
    changed = rename_user(user, " Jana ", "Schmidt-Wolf", title_form=TitleForm.NEUTRAL,
                          by=coordinator)
    assert changed == {"last_name": ("Schmidt", "Schmidt-Wolf"),
                       "title_form": ("female", "neutral")}
    events = renames(user.id)
    assert {e.cohort_id for e in events} == {world["cohort"].id, world["other"].id}
    assert events[0].before == {"last_name": "Schmidt", "title_form": "female"}
    assert events[0].after == {"last_name": "Schmidt-Wolf", "title_form": "neutral"}
    assert events[0].actor_id == coordinator.id
    assert rename_user(user, "Jana", "Schmidt-Wolf") == {}  # nothing to record
    assert len(renames(user.id)) == 2
    for first, last in (("", "Wolf"), ("Jana", "   "), ("J" * 121, "Wolf")):
        with pytest.raises(AccountError):
            rename_user(user, first, last)


# --------------------------------------------------------------------------- coordinator


def test_the_coordinator_corrects_a_name_and_title_form_from_the_roster(client, auth, world):
    cohort, enrollment = world["cohort"], world["enrollment"]
    auth.login(world["coordinator"])
    roster = client.get(f"/coordination/cohorts/{cohort.id}/roster").get_data(as_text=True)
    edit = f"/coordination/cohorts/{cohort.id}/enrollments/{enrollment.id}/edit"
    assert f'href="{edit}"' in roster
    form = client.get(edit)
    assert form.status_code == 200 and 'value="Schmidt"' in form.get_data(as_text=True)

    blank = client.post(edit, data={"first_name": "Jana", "last_name": " ",
                                    "title_form": "female"})
    assert blank.status_code == 200 and "Please fill in this field." in text_of(blank)
    db.session.expire_all()
    assert world["participant"].last_name == "Schmidt"

    saved = client.post(edit, data={"first_name": "Jana", "last_name": "Schmidt-Wolf",
                                    "title_form": "neutral"}, follow_redirects=True)
    assert "Saved: Jana Schmidt-Wolf." in text_of(saved)
    db.session.expire_all()
    user = world["participant"]
    assert (user.last_name, user.title_form) == ("Schmidt-Wolf", TitleForm.NEUTRAL)
    log = text_of(client.get(f"/coordination/cohorts/{cohort.id}/audit"))
    assert "user.renamed" in log and "Schmidt-Wolf" in log and "Clara Koordinatorin" in log
    # Another cohort's enrollment is not reachable through this cohort's address.
    foreign = f"/coordination/cohorts/{world['other'].id}/enrollments/{enrollment.id}/edit"
    assert client.get(foreign).status_code == 404


# --------------------------------------------------------------------------- own account


@pytest.mark.parametrize("role", ["participant", "lecturer", "coordinator", "contact"])
def test_everyone_corrects_their_own_name(client, auth, world, role):
    user = world[role]
    auth.login(user)
    page = client.get("/account")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and user.email in html
    has_title_form = 'name="title_form"' in html
    assert has_title_form == (role == "participant")
    data = {"first_name": "Neu", "last_name": "Name-Richtig", "language": "de"}
    if has_title_form:
        data["title_form"] = "male"
    response = client.post("/account", data=data, follow_redirects=True)
    assert "Ihre Angaben sind gespeichert." in text_of(response)  # now in German
    db.session.expire_all()
    assert (user.first_name, user.last_name, user.locale) == ("Neu", "Name-Richtig", Locale.DE)
    if role == "participant":
        assert user.title_form == TitleForm.MALE
    [event, *_] = renames(user.id)
    assert event.actor_id == user.id and event.after["last_name"] == "Name-Richtig"
    refused = client.post("/account", data={**data, "first_name": ""})
    assert refused.status_code == 200 and 'aria-invalid="true"' in refused.get_data(as_text=True)


def test_the_header_name_leads_to_the_account_page(client, auth, world):
    auth.login(world["lecturer"])
    assert 'href="/account"' in client.get("/calendar/").get_data(as_text=True)


# --------------------------------------------------------------------------- inviting


def test_inviting_an_existing_account_under_another_name_changes_it_and_says_so(
        client, auth, world, course_dir, smtp_server):
    user = world["participant"]
    third = make_cohort(load_test_course(course_dir))
    db.session.commit()
    auth.login(world["coordinator"])
    response = client.post(f"/coordination/cohorts/{third.id}/roster", data={
        "email": user.email, "first_name": "Jana", "last_name": "Wolf",
        "title_form": "neutral", "language": "de"}, follow_redirects=True)
    text = text_of(response)
    assert f"{user.email} already had an account as “Jana Schmidt”; it now reads “Jana Wolf”" \
        in text
    db.session.expire_all()
    assert user.last_name == "Wolf"
    assert user.title_form == TitleForm.FEMALE  # the invitee confirms the title form
    assert third.id in {e.cohort_id for e in renames(user.id)}


def test_inviting_again_after_a_withdrawal_takes_the_new_name(world):
    enrollment = world["enrollment"]
    withdraw_enrollment(enrollment)
    invitation = invite_participant(world["cohort"], enrollment.user.email, "Jana",
                                    "Schmidt-Wolf", by=world["coordinator"])
    assert invitation.renamed_from == "Jana Schmidt"
    assert enrollment.user.full_name == "Jana Schmidt-Wolf"
    same = invite_participant(world["other"], "new.person@example.org", "Neue", "Person")
    assert same.renamed_from is None


def test_the_roster_import_preview_names_every_account_it_renames(world, course_dir):
    third = make_cohort(load_test_course(course_dir))
    user = world["participant"]
    csv = (f"E-Mail;Vorname;Nachname\n{user.email};Jana;Wolf\n"
           f"neu@example.org;Nora;Neu\n").encode()
    parsed = parse_roster(csv, third)
    assert parsed.ok
    assert [(r.email, r.current_name) for r in parsed.rows] == [
        (user.email, "Jana Schmidt"), ("neu@example.org", "")]


# --------------------------------------------------------------------------- certificates


def test_a_corrected_certificate_after_a_name_change(client, auth, world):
    enrollment, cohort = world["enrollment"], world["cohort"]
    first = issue_certificate(enrollment, by=world["coordinator"]).certificate
    db.session.commit()
    assert enrollment.status == EnrollmentStatus.COMPLETED  # issuing completes it
    assert enrollment.completed_at is not None
    assert "Jana Schmidt" in pdf_text(first)

    auth.login(world["coordinator"])
    edit = f"/coordination/cohorts/{cohort.id}/enrollments/{enrollment.id}/edit"
    saved = client.post(edit, data={"first_name": "Jana", "last_name": "Schmidt-Wolf",
                                    "title_form": "female"}, follow_redirects=True)
    text = text_of(saved)  # on to the certificates page, which offers the correction
    assert "An issued certificate still shows the old data" in text
    assert "Printed as “Jana Schmidt”" in text

    corrected = client.post(f"/coordination/certificates/{first.id}/correct",
                            data={"reason": "Name nach Heirat"}, follow_redirects=True)
    assert corrected.status_code == 200
    db.session.expire_all()
    old, new = db.session.scalars(sa.select(Certificate).order_by(Certificate.id)).all()
    assert (old.status, new.status) == (CertificateStatus.REVOKED, CertificateStatus.VALID)
    assert old.replaced_by_id == new.id
    assert "Jana Schmidt-Wolf" in pdf_text(new) and new.holder_name == "Jana Schmidt-Wolf"
    assert enrollment.status == EnrollmentStatus.COMPLETED  # the correction keeps it
    assert "Printed as" not in text_of(corrected)

    verdict = text_of(client.get(f"/verify/{old.verification_code}"))
    assert f"Superseded: this document was issued by us and has been replaced by a " \
           f"corrected one (serial number {new.serial}" in verdict
    assert "Jana Schmidt" in verdict  # the old document shows what it printed
    assert "Valid" in text_of(client.get(f"/verify/{new.verification_code}"))


def test_revoking_sets_the_participation_back_to_active_and_says_so(client, auth, world):
    enrollment = world["enrollment"]
    certificate = issue_certificate(enrollment).certificate
    db.session.commit()
    auth.login(world["coordinator"])
    page = text_of(client.get(f"/coordination/cohorts/{world['cohort'].id}/certificates"))
    assert ("The participation of Jana Schmidt was marked completed when this was issued; "
            "revoking sets it back to active") in page
    response = client.post(f"/coordination/certificates/{certificate.id}/revoke",
                           data={"reason": "Falsche Note"}, follow_redirects=True)
    assert "The participation of Jana Schmidt is active again instead of completed" \
        in text_of(response)
    db.session.expire_all()
    assert (enrollment.status, enrollment.completed_at) == (EnrollmentStatus.ACTIVE, None)
    event = db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "enrollment.reopened"))
    assert event.after == {"status": "active",
                           "reason": f"{certificate.serial} revoked: Falsche Note"}
    completed = db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "enrollment.completed"))
    assert completed.before == {"status": "active"}


@pytest.mark.parametrize("role", ["lecturer", "contact"])
def test_inviting_an_existing_lecturer_or_contact_under_another_name_says_so(
        client, auth, world, role, smtp_server):
    """The same class for the other invitations: an account is never silently kept."""
    user = world["lecturer"]  # an existing account, invited once more
    auth.login(world["coordinator"])
    if role == "lecturer":
        url = "/coordination/lecturers/new"
        data = {"email": user.email, "first_name": "Lea", "last_name": "Lehrend-Neu"}
    else:
        url = f"/coordination/cohorts/{world['cohort'].id}/contacts"
        data = {"email": user.email, "first_name": "Lea", "last_name": "Lehrend-Neu"}
    text = text_of(client.post(url, data=data, follow_redirects=True))
    assert f"{user.email} already had an account as “Lea Lehrend”; it now reads " \
           f"“Lea Lehrend-Neu”" in text
    db.session.expire_all()
    assert user.last_name == "Lehrend-Neu" and renames(user.id)


def test_the_coordinator_renaming_a_lecturer_is_audited(client, auth, world):
    user = world["lecturer"]
    auth.login(world["coordinator"])
    response = client.post(f"/coordination/lecturers/{user.id}/edit", data={
        "first_name": "Lea", "last_name": "Lehrend-Neu", "affiliation": "", "job_title": "",
        "bio": "", "expertise": ""})
    assert response.status_code == 302
    [event] = renames(user.id)
    assert event.after == {"last_name": "Lehrend-Neu"}
    assert event.actor_id == world["coordinator"].id
