"""The webhook pages (#18 item 4), on the API token page of coordinators and company
contacts: subscribing shows the signing secret once (German by default), a wrong address
is refused in German with nothing stored, every form carries its CSRF token; a
subscription's page lists its deliveries with the last status code, sends a failed one
again (to a real receiver) and the subscription can be deleted; a company contact reaches
only their own subscriptions (any other id answers 404)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role, User
from lms.audit.models import AuditEvent
from lms.certificates.operations import issue_certificate
from lms.cohorts.models import Enrollment
from lms.cohorts.operations import add_company_contact
from lms.extensions import db
from lms.integrations.delivery import send_due
from lms.integrations.models import (
    DeliveryState,
    WebhookDelivery,
    WebhookEvent,
    WebhookScope,
    WebhookSubscription,
)
from lms.integrations.operations import MAX_ATTEMPTS, create_webhook_subscription
from tests.factories import load_test_course, make_finished_cohort, make_user
from tests.helpers import login, text_of
from tests.integrations.conftest import Receiver

SECRET = re.compile(r"whsec_[A-Za-z0-9+/=]{40,}")
PUBLIC_URL = "https://93.184.215.14/hooks/lms"  # a public address: no DNS needed
FORM = {"webhook-name": "Personalsystem", "webhook-url": PUBLIC_URL,
        "webhook-events": [e.value for e in WebhookEvent]}


@pytest.fixture
def world(app, course_dir):
    """Cohorts of companies A and B with a contact each, a coordinator."""
    course = load_test_course(course_dir)
    _a, (enrollment_a,) = make_finished_cohort(course, participants=1)
    _b, (enrollment_b,) = make_finished_cohort(course, participants=1)
    contact_a = make_user(Role.COMPANY_CONTACT, first="Anna")
    contact_b = make_user(Role.COMPANY_CONTACT, first="Bert")
    add_company_contact(enrollment_a.cohort, contact_a)
    add_company_contact(enrollment_b.cohort, contact_b)
    coordinator = make_user(Role.COORDINATOR)
    db.session.commit()
    return {"a": enrollment_a.id, "contact_a": contact_a.id, "contact_b": contact_b.id,
            "coordinator": coordinator.id}


def client_of(app, user_id: int):
    client = app.test_client()
    login(client, db.session.get_one(User, user_id))
    return client


def subscriptions() -> list[WebhookSubscription]:
    db.session.rollback()  # a fresh look at what the requests committed
    return list(db.session.scalars(sa.select(WebhookSubscription)
                                   .order_by(WebhookSubscription.id)))


def subscribe(user_id: int, url: str, scope: WebhookScope, name: str = "HR") -> int:
    row, _secret = create_webhook_subscription(db.session.get_one(User, user_id), name, url,
                                               list(WebhookEvent), scope)
    db.session.commit()
    return row.id


@pytest.mark.parametrize(("area", "who", "scope"), [
    ("company", "contact_a", WebhookScope.COMPANY),
    ("coordination", "coordinator", WebhookScope.UNIVERSITY)])
def test_subscribing_shows_the_secret_once_in_german(app, world, area, who, scope):
    client = client_of(app, world[who])
    empty = client.get(f"/{area}/api-tokens")
    assert "Noch kein Abonnement." in text_of(empty)
    page = client.post(f"/{area}/api-tokens/webhooks",
                       data={**FORM, "webhook-name": "HR <script>x</script>"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    [secret] = set(SECRET.findall(html))
    text = text_of(page)
    assert "Kopieren Sie das Signatur-Geheimnis jetzt" in text
    assert "Ihr neues Abonnement „HR <script>x</script>“" in text
    assert "<script>x" not in html  # the name stays text
    [row] = subscriptions()
    assert (row.secret, row.url, row.scope, row.user_id) == (secret, PUBLIC_URL, scope,
                                                              world[who])
    assert row.events == [e.value for e in WebhookEvent]
    again = client.get(f"/{area}/api-tokens")
    assert not SECRET.search(again.get_data(as_text=True))
    assert PUBLIC_URL in text_of(again) and "HR <script>x</script>" in text_of(again)


@pytest.mark.parametrize(("url", "message"), [
    ("ftp://93.184.215.14/h", "Geben Sie eine vollständige Adresse ein, die mit https:// "
                              "beginnt."),
    ("http://93.184.215.14/h", "Die Adresse muss mit https:// beginnen."),
    ("https://10.1.2.3/h", "Die Adresse zeigt in ein privates oder lokales Netz"),
    ("https://169.254.169.254/latest", "Die Adresse zeigt in ein privates oder lokales Netz"),
    ("https://nutzer:pw@93.184.215.14/", "darf keinen Benutzernamen"),
])
def test_a_wrong_address_is_refused_in_german_and_nothing_is_stored(app, world, url,
                                                                     message):
    client = client_of(app, world["contact_a"])
    page = client.post("/company/api-tokens/webhooks", data={**FORM, "webhook-url": url})
    assert page.status_code == 200
    assert message in text_of(page)
    assert not SECRET.search(page.get_data(as_text=True))
    assert subscriptions() == []


def test_no_event_chosen_is_refused(app, world):
    client = client_of(app, world["contact_a"])
    page = client.post("/company/api-tokens/webhooks",
                       data={**FORM, "webhook-events": []})
    assert "Wählen Sie mindestens ein Ereignis." in text_of(page)
    assert subscriptions() == []


def test_every_webhook_form_needs_its_csrf_token(app, world):
    client = client_of(app, world["contact_a"])
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post("/company/api-tokens/webhooks", data=FORM).status_code == 400
        assert subscriptions() == []
        listing = client.get("/company/api-tokens").get_data(as_text=True)
        token = re.search(r'name="webhook-csrf_token"[^>]*value="([^"]+)"', listing)
        assert token, "the subscribe form carries its token"
        page = client.post("/company/api-tokens/webhooks",
                           data={**FORM, "webhook-csrf_token": token.group(1)})
        assert SECRET.search(page.get_data(as_text=True))
        [row] = subscriptions()
        assert client.post(f"/company/api-tokens/webhooks/{row.id}/delete").status_code \
            == 400
        assert len(subscriptions()) == 1
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def _failed_delivery(world, receiver: Receiver) -> tuple[int, int]:
    """A university subscription whose one delivery failed every attempt (500)."""
    receiver.statuses = [500] * MAX_ATTEMPTS
    subscription_id = subscribe(world["coordinator"], receiver.url, WebhookScope.UNIVERSITY,
                                name="Campus")
    issue_certificate(db.session.get_one(Enrollment, world["a"]))
    db.session.commit()  # attempt 1, at once (no worker in these tests)
    for _attempt in range(MAX_ATTEMPTS - 1):
        db.session.expire_all()
        delivery = db.session.scalars(sa.select(WebhookDelivery)).one()
        send_due(delivery.next_attempt_at)
    db.session.expire_all()
    delivery = db.session.scalars(sa.select(WebhookDelivery)).one()
    assert (delivery.state, delivery.attempts) == (DeliveryState.FAILED, MAX_ATTEMPTS)
    return subscription_id, delivery.id


def test_the_deliveries_list_and_sending_a_failed_one_again(app, world,
                                                           receiver: Receiver):
    subscription_id, delivery_id = _failed_delivery(world, receiver)
    client = client_of(app, world["coordinator"])
    url = f"/coordination/api-tokens/webhooks/{subscription_id}"
    page = client.get(url)
    text = text_of(page)
    assert "Webhook „Campus“" in text
    assert "Zertifikat ausgestellt" in text
    assert "fehlgeschlagen" in text and "500 try later" in text
    assert "Erneut senden" in text
    assert f"/deliveries/{delivery_id}/resend" in page.get_data(as_text=True)

    sent = client.post(f"{url}/deliveries/{delivery_id}/resend", follow_redirects=True)
    assert "Die Zustellung wird erneut gesendet." in text_of(sent)
    db.session.expire_all()
    delivery = db.session.get_one(WebhookDelivery, delivery_id)
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == (
        DeliveryState.DELIVERED, MAX_ATTEMPTS + 1, 200)
    assert len(receiver.received) == MAX_ATTEMPTS + 1
    text = text_of(client.get(url))
    assert "zugestellt" in text and "200 thanks" in text and "Erneut senden" not in text

    twice = client.post(f"{url}/deliveries/{delivery_id}/resend", follow_redirects=True)
    assert "Nur eine fehlgeschlagene Zustellung kann erneut gesendet werden." in text_of(twice)
    assert len(receiver.received) == MAX_ATTEMPTS + 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "webhook.resent")) == 1


def test_deleting_a_subscription_removes_it_and_its_deliveries(app, world,
                                                              receiver: Receiver):
    subscription_id, _delivery_id = _failed_delivery(world, receiver)
    client = client_of(app, world["coordinator"])
    done = client.post(f"/coordination/api-tokens/webhooks/{subscription_id}/delete",
                       follow_redirects=True)
    assert "Das Abonnement „Campus“ wurde gelöscht" in text_of(done)
    assert subscriptions() == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookDelivery)) == 0
    assert client.get(f"/coordination/api-tokens/webhooks/{subscription_id}").status_code \
        == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "webhook.deleted")) == 1


def test_a_company_contact_reaches_only_their_own_subscriptions(app, world):
    own = subscribe(world["contact_a"], PUBLIC_URL, WebhookScope.COMPANY, name="Anna-HR")
    university = subscribe(world["coordinator"], PUBLIC_URL, WebhookScope.UNIVERSITY,
                           name="Campus")
    issue_certificate(db.session.get_one(Enrollment, world["a"]))  # deliveries to name
    db.session.commit()
    deliveries = {d.subscription_id: d.id for d in db.session.scalars(
        sa.select(WebhookDelivery))}
    other = client_of(app, world["contact_b"])
    listing = text_of(other.get("/company/api-tokens"))
    assert "Anna-HR" not in listing and "Campus" not in listing
    for subscription_id in (own, university):
        base = f"/company/api-tokens/webhooks/{subscription_id}"
        assert other.get(base).status_code == 404
        assert other.post(f"{base}/delete").status_code == 404
        assert other.post(f"{base}/deliveries/{deliveries[subscription_id]}/resend"
                          ).status_code == 404
    # a delivery of another subscription under one's own is no way in either
    anna = client_of(app, world["contact_a"])
    assert anna.get(f"/company/api-tokens/webhooks/{own}").status_code == 200
    assert anna.post(f"/company/api-tokens/webhooks/{own}/deliveries/"
                     f"{deliveries[university]}/resend").status_code == 404
    assert anna.get(f"/company/api-tokens/webhooks/{university}").status_code == 404
    # the coordinator manages the university's subscriptions, not a company's
    coordinator = client_of(app, world["coordinator"])
    assert coordinator.get(f"/coordination/api-tokens/webhooks/{own}").status_code == 404
    assert coordinator.post(f"/coordination/api-tokens/webhooks/{own}/delete"
                            ).status_code == 404
    assert len(subscriptions()) == 2
