"""Erasure through the web (a person asks, the coordination refuses or erases) and
through the command line."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lms.accounts.models import User
from lms.audit.models import AuditEvent
from lms.extensions import db
from lms.privacy.models import ErasureDecision, ErasureRequest
from tests.helpers import attempt_login, login, text_of
from tests.privacy.test_erasure import tables_naming
from tests.privacy.world import EMAIL, FIRST, IDENTIFIERS, LAST, build_person_world


@pytest.fixture(autouse=True)
def own_storage(app, tmp_path):
    saved = app.config["LMS_STORAGE_DIR"]
    app.config["LMS_STORAGE_DIR"] = str(tmp_path / "storage")
    yield
    app.config["LMS_STORAGE_DIR"] = saved


@pytest.fixture
def world(app, course):
    built = build_person_world(course)
    db.session.commit()
    return built


def _request(world) -> ErasureRequest | None:
    return db.session.scalar(sa.select(ErasureRequest).filter_by(
        user_id=world.person.id).order_by(ErasureRequest.id.desc()))


def test_a_person_asks_and_the_coordination_refuses_with_a_reason(app, world):
    person, coordinator = app.test_client(), app.test_client()
    login(person, EMAIL)
    login(coordinator, world.coordinator.email)
    page = text_of(person.get("/account"))
    assert "Meine Daten" in page and "Löschung beantragen" in page

    answer = person.post("/account/erasure", data={"message": "Bitte alles löschen."})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/account#my-data")
    assert "Sie haben am" in text_of(person.get("/account"))
    assert _request(world).message == "Bitte alles löschen."
    # asking twice is refused with a sentence, not a second request
    person.post("/account/erasure", data={"message": "Nochmal"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ErasureRequest)) == 1

    overview = text_of(coordinator.get("/coordination/privacy"))
    assert f"{FIRST} {LAST}" in overview and "Bitte alles löschen." in overview
    person_page = coordinator.get(f"/coordination/people/{world.person.id}")
    assert person_page.status_code == 200 and "Antrag ablehnen" in text_of(person_page)
    request_id = _request(world).id
    blank = coordinator.post(f"/coordination/privacy/requests/{request_id}/refuse",
                             data={"reason": "  "})
    assert blank.status_code == 422
    coordinator.post(f"/coordination/privacy/requests/{request_id}/refuse",
                     data={"reason": "Der Kurs läuft noch."})
    db.session.expire_all()
    assert _request(world).decision == ErasureDecision.REFUSED
    assert "wurde am" in text_of(person.get("/account"))
    assert "Der Kurs läuft noch." in text_of(person.get("/account"))


def test_the_coordination_erases_a_person_from_their_page(app, world):
    person, coordinator = app.test_client(), app.test_client()
    login(person, EMAIL)
    person.post("/account/erasure", data={"message": f"Ich bin {FIRST} {LAST}."})
    login(coordinator, world.coordinator.email)
    url = f"/coordination/people/{world.person.id}/erase"

    unconfirmed = coordinator.post(url, data={"reason": "auf Antrag"})
    assert unconfirmed.status_code == 422
    assert "nicht rückgängig" in text_of(unconfirmed)
    no_reason = coordinator.post(url, data={"reason": "", "confirm": "y"})
    assert no_reason.status_code == 422
    db.session.expire_all()
    assert db.session.get(User, world.person.id).erased_at is None

    done = coordinator.post(url, data={"reason": "auf Antrag", "confirm": "y"},
                            follow_redirects=True)
    assert done.status_code == 200
    page = text_of(done)
    assert "Die Daten sind gelöscht" in page and "gelöschte Person P-" in page
    db.session.expire_all()
    assert tables_naming(IDENTIFIERS) == {}
    assert _request(world).decision == ErasureDecision.ERASED
    # The erased person's session ends; the address no longer logs in.
    assert person.get("/account").status_code == 302
    assert "nicht korrekt" in text_of(attempt_login(app.test_client(), EMAIL))
    # The roster shows the pseudonym, without the name form or actions on the name.
    roster = text_of(coordinator.get(f"/coordination/cohorts/{world.cohort.id}/roster"))
    assert "gelöschte Person P-" in roster and LAST not in roster


def test_a_coordinator_cannot_erase_themself(app, world):
    client = app.test_client()
    login(client, world.coordinator.email)
    answer = client.post(f"/coordination/people/{world.coordinator.id}/erase",
                         data={"reason": "Test", "confirm": "y"})
    assert answer.status_code == 422
    assert "andere Koordinator*in" in text_of(answer)


def test_find_a_person_by_address(app, world):
    client = app.test_client()
    login(client, world.coordinator.email)
    found = client.get("/coordination/privacy", query_string={"email": EMAIL.upper()})
    assert found.status_code == 302
    assert found.headers["Location"].endswith(f"/coordination/people/{world.person.id}")
    missing = client.get("/coordination/privacy", query_string={"email": "nobody@example.org"})
    assert missing.status_code == 200 and "kein Konto" in text_of(missing)


def test_erasure_on_the_command_line(app, world, runner):
    aborted = runner.invoke(args=["privacy", "erase", EMAIL, "--reason", "Antrag"], input="n\n")
    assert aborted.exit_code == 1
    db.session.expire_all()
    assert db.session.get(User, world.person.id).erased_at is None

    unknown = runner.invoke(args=["privacy", "erase", "nobody@example.org", "--reason", "x",
                                  "--yes"])
    assert unknown.exit_code == 1 and "no account" in unknown.output
    not_coordinator = runner.invoke(args=["privacy", "erase", EMAIL, "--reason", "x", "--yes",
                                          "--by", world.lecturer.email])
    assert not_coordinator.exit_code == 1

    result = runner.invoke(args=["privacy", "erase", EMAIL, "--reason", "Antrag per Brief",
                                 "--yes", "--by", world.coordinator.email])
    assert result.exit_code == 0, result.output
    assert "now appears as P-" in result.output
    db.session.expire_all()
    assert tables_naming(IDENTIFIERS) == {}
    event = db.session.scalar(sa.select(AuditEvent).filter_by(action="user.erased"))
    assert event.actor_id == world.coordinator.id and event.after["reason"] == "Antrag per Brief"
    again = runner.invoke(args=["privacy", "erase", world.person.email, "--reason", "x", "--yes"])
    assert again.exit_code == 1 and "bereits gelöscht" in again.output
