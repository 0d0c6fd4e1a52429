"""Login throttling slows attackers and cannot be turned against the people attacked.

Clients are told apart by their address (``REMOTE_ADDR``), or behind a trusted proxy by
the address it forwards; the throttle counts per account and place, per address and per
account (lms/web/public/login_throttle.py). Whatever an attacker does, the account holder
still gets in: from another address, on a device they used before, or after a password
reset by e-mail.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from lms import create_app
from lms.accounts.models import OneTimeToken, Role
from lms.addresses import client_network
from lms.extensions import db
from lms.web.public.login_throttle import PER_ACCOUNT, PER_ADDRESS, PER_PLACE
from tests.conftest import IsolatedClient
from tests.factories import PASSWORD, make_user
from tests.helpers import text_of

ATTACKER = "203.0.113.9"
HOLDER = "198.51.100.7"
COMPANY = "192.0.2.10"  # a whole company behind one NAT or proxy
PROXY = "10.0.0.2"
WRONG = "wrong password!"
EN = {"Accept-Language": "en"}


@pytest.fixture
def coordinator(app):
    user = make_user(Role.COORDINATOR, email="anna.lehmann@th-koeln.example")
    db.session.commit()
    return user


def attempt(client, email, password=WRONG, address=HOLDER, **options):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address}, **options)


def reset_password_by_mail(client, email, smtp_server, address, new_password):
    """What the holder does when the login page says so: ask for a link, follow it."""
    before = len(smtp_server.messages)
    client.post("/password/forgot", data={"email": email}, environ_base={"REMOTE_ADDR": address})
    assert len(smtp_server.messages) == before + 1, "no reset mail was sent"
    body = smtp_server.messages[-1].get_body(("plain",)).get_content()
    path = re.search(r"http://lms\.test(/password/reset/\S+)", body).group(1)
    done = client.post(path, data={"password": new_password, "confirm": new_password},
                       environ_base={"REMOTE_ADDR": address})
    assert done.status_code == 302, text_of(done)


def test_the_limits_keep_their_order():
    """One place is held tightest, one address far less, one account in between."""
    assert (PER_PLACE.amount, PER_PLACE.get_expiry()) == (5, 15 * 60)
    assert (PER_ADDRESS.amount, PER_ADDRESS.get_expiry()) == (100, 15 * 60)
    assert (PER_ACCOUNT.amount, PER_ACCOUNT.get_expiry()) == (20, 60 * 60)


def test_an_attacker_elsewhere_cannot_keep_the_coordinator_out(app, coordinator):
    attacker = app.test_client()
    statuses = [attempt(attacker, coordinator.email, address=ATTACKER).status_code
                for _ in range(8)]
    assert statuses == [200] * 5 + [429] * 3  # the attacker's address is slowed ...
    # ... even with the right password, so that a correct guess cannot be told apart
    assert attempt(attacker, coordinator.email, PASSWORD, address=ATTACKER).status_code == 429

    # the coordinator, from her own address and a browser she never used before
    holder = app.test_client()
    assert attempt(holder, coordinator.email, PASSWORD, address=HOLDER).status_code == 302


def test_a_known_device_logs_in_even_from_the_attackers_address(app, coordinator):
    laptop = app.test_client()
    assert attempt(laptop, coordinator.email, PASSWORD, address=COMPANY).status_code == 302
    laptop.post("/logout", environ_base={"REMOTE_ADDR": COMPANY})

    colleague = app.test_client()  # someone behind the same address, hammering her account
    for _ in range(6):
        attempt(colleague, coordinator.email, address=COMPANY)
    assert attempt(colleague, coordinator.email, PASSWORD, address=COMPANY).status_code == 429
    assert attempt(laptop, coordinator.email, PASSWORD, address=COMPANY).status_code == 302


def test_a_known_device_has_its_own_count_of_failures(app, coordinator):
    """A copied device cookie is worth five guesses in 15 minutes, not more."""
    laptop = app.test_client()
    attempt(laptop, coordinator.email, PASSWORD)
    laptop.post("/logout")
    statuses = [attempt(laptop, coordinator.email, address=f"198.51.100.{n}").status_code
                for n in range(1, 8)]
    assert statuses == [200] * 5 + [429] * 2
    assert attempt(app.test_client(), coordinator.email, PASSWORD).status_code == 302


def test_one_colleague_cannot_shut_out_the_company_behind_one_address(app, smtp_server):
    colleagues = [make_user(Role.PARTICIPANT) for _ in range(3)]
    db.session.commit()
    known, stranger = colleagues[0], colleagues[1]
    known_device = app.test_client()
    assert attempt(known_device, known.email, PASSWORD, address=COMPANY).status_code == 302
    known_device.post("/logout", environ_base={"REMOTE_ADDR": COMPANY})

    # 30 failures (the old limit for an address) over many accounts change nothing ...
    troublemaker = app.test_client()
    for n in range(30):
        attempt(troublemaker, f"guess{n}@nordlicht.example", address=COMPANY)
    assert attempt(app.test_client(), colleagues[2].email, PASSWORD,
                   address=COMPANY).status_code == 302
    # ... and past the ceiling for the address, the colleagues still have a way in
    for n in range(30, PER_ADDRESS.amount):
        attempt(troublemaker, f"guess{n}@nordlicht.example", address=COMPANY)
    refused = attempt(troublemaker, "guess-more@nordlicht.example", address=COMPANY)
    assert refused.status_code == 429 and "Netzwerk" in text_of(refused)

    assert attempt(known_device, known.email, PASSWORD, address=COMPANY).status_code == 302
    new_device = app.test_client()
    paused = attempt(new_device, stranger.email, PASSWORD, address=COMPANY)
    assert paused.status_code == 429
    assert 'href="/password/forgot"' in paused.get_data(as_text=True)
    reset_password_by_mail(new_device, stranger.email, smtp_server, COMPANY,
                           "Rheinufer Laterne Kompass")
    assert attempt(new_device, stranger.email, "Rheinufer Laterne Kompass",
                   address=COMPANY).status_code == 302


def test_an_attack_from_many_addresses_pauses_the_password_on_unknown_devices_only(
        app, coordinator, smtp_server):
    laptop = app.test_client()
    assert attempt(laptop, coordinator.email, PASSWORD).status_code == 302
    laptop.post("/logout")

    botnet = app.test_client()
    for n in range(PER_ACCOUNT.amount):  # one guess from each of many addresses
        assert attempt(botnet, coordinator.email, address=f"203.0.113.{n + 1}").status_code == 200
    # from now on the password alone gets nobody in on a device the account does not know
    guesser = app.test_client()
    guess = attempt(guesser, coordinator.email, PASSWORD, address="203.0.113.200")
    assert guess.status_code == 429 and "geschützt" in text_of(guess)
    assert guesser.get("/").headers["Location"] == "/login"  # not logged in

    # the coordinator on her laptop, from anywhere, is not affected
    assert attempt(laptop, coordinator.email, PASSWORD, address="198.51.100.99").status_code == 302
    # on a new device she sets a new password by e-mail, and is in
    phone = app.test_client()
    assert attempt(phone, coordinator.email, PASSWORD, address=HOLDER).status_code == 429
    reset_password_by_mail(phone, coordinator.email, smtp_server, HOLDER,
                           "Rheinufer Laterne Kompass")
    assert attempt(phone, coordinator.email, "Rheinufer Laterne Kompass").status_code == 302


def test_unknown_addresses_are_throttled_exactly_like_accounts(app, coordinator):
    """The throttle does not tell which addresses have an account."""
    client = app.test_client()
    for email in (coordinator.email, "nobody@th-koeln.example"):
        statuses = [attempt(client, email, address=ATTACKER).status_code for _ in range(6)]
        assert statuses == [200] * 5 + [429], email


# --------------------------------------------------------------------------- the 429 pages


@pytest.mark.parametrize(("case", "german", "english"), [
    ("here", "mehrere fehlgeschlagene Anmeldeversuche von hier",
     "several failed login attempts from here"),
    ("network", "von Ihrer Netzwerkadresse", "from your network address"),
    ("account", "vorerst geschützt", "protected for now"),
])
def test_each_login_throttle_says_what_happened_and_what_still_works(app, coordinator, case,
                                                                     german, english):
    client = app.test_client()
    if case == "here":
        rounds = [(coordinator.email, ATTACKER)] * PER_PLACE.amount
    elif case == "network":
        rounds = [(f"guess{n}@example.org", ATTACKER) for n in range(PER_ADDRESS.amount)]
    else:
        rounds = [(coordinator.email, f"203.0.113.{n + 1}") for n in range(PER_ACCOUNT.amount)]
    for email, address in rounds:
        attempt(client, email, address=address)

    for headers, words, wait in ((None, german, r"in \d+ Minuten? erneut"),
                                 (EN, english, r"try again in \d+ minutes?")):
        response = attempt(client, coordinator.email, PASSWORD, address=ATTACKER,
                           headers=headers)
        assert response.status_code == 429
        text = text_of(response)
        assert words in text and re.search(wait, text), text
        assert 'href="/password/forgot"' in response.get_data(as_text=True)
        assert int(response.headers["Retry-After"]) > 0
        assert "Zertifikat" not in text and "certificate" not in text


# --------------------------------------------------------------------------- behind a proxy


@pytest.fixture
def proxied(app, app_config):
    """The app as configured behind one TLS proxy (LMS_TRUSTED_PROXIES=1)."""
    proxied = create_app({**app_config, "LMS_TRUSTED_PROXIES": "1"})
    proxied.test_client_class = IsolatedClient
    yield proxied
    with proxied.app_context():
        db.engine.dispose()


def via_proxy(client, email, password=WRONG, *, forwarded_for, **options):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": PROXY},
                       headers={"X-Forwarded-For": forwarded_for,
                                "X-Forwarded-Proto": "https"}, **options)


def test_behind_a_trusted_proxy_each_client_is_counted_by_its_own_address(proxied, coordinator):
    attacker, holder = proxied.test_client(), proxied.test_client()
    statuses = [via_proxy(attacker, coordinator.email, forwarded_for=ATTACKER).status_code
                for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    # a value the attacker puts in front is not believed: only what the proxy appended
    spoofed = via_proxy(attacker, coordinator.email, forwarded_for=f"{HOLDER}, {ATTACKER}")
    assert spoofed.status_code == 429
    # everyone else comes through the same proxy, and is let in
    response = via_proxy(holder, coordinator.email, PASSWORD, forwarded_for=HOLDER)
    assert response.status_code == 302
    assert "Strict-Transport-Security" in response.headers  # https, as the proxy said


def test_without_trusted_proxies_forwarded_headers_are_ignored(app, coordinator):
    """A client cannot pick a new address per request by sending X-Forwarded-For."""
    client = app.test_client()
    statuses = [client.post("/login", data={"email": coordinator.email, "password": WRONG},
                            environ_base={"REMOTE_ADDR": ATTACKER},
                            headers={"X-Forwarded-For": f"198.51.100.{n}",
                                     "X-Forwarded-Proto": "https"}).status_code
                for n in range(6)]
    assert statuses == [200] * 5 + [429]
    response = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers


def test_ipv6_clients_are_counted_by_their_64_network(app, coordinator):
    """One connection usually holds a whole /64: a new address from it is the same client."""
    assert client_network("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
    assert client_network("::ffff:192.0.2.1") == "192.0.2.1"
    assert client_network("192.0.2.1") == "192.0.2.1"
    client = app.test_client()
    statuses = [client.post("/password/forgot", data={"email": coordinator.email},
                            environ_base={"REMOTE_ADDR": f"2001:db8:1:2::{n + 1:x}"}).status_code
                for n in range(6)]  # a new address of the same /64 every time
    assert statuses == [302] * 5 + [429]
    statuses = [attempt(client, coordinator.email, address=f"2001:db8:1:2::{n + 1:x}").status_code
                for n in range(6)]
    assert statuses == [200] * 5 + [429]
    # another network is another client
    elsewhere = attempt(client, coordinator.email, PASSWORD, address="2001:db8:7:7::1")
    assert elsewhere.status_code == 302


# --------------------------------------------------------------------------- password reset


def test_nobody_can_use_up_the_holders_password_reset(app, coordinator, smtp_server):
    attacker = app.test_client()
    statuses = [attacker.post("/password/forgot", data={"email": coordinator.email},
                              environ_base={"REMOTE_ADDR": ATTACKER}).status_code
                for _ in range(6)]
    assert statuses == [302] * 5 + [429]  # that address asked often enough
    mails = len(smtp_server.messages)
    assert mails == 5  # and one account gets at most five links an hour, from anywhere
    for n in range(3):
        app.test_client().post("/password/forgot", data={"email": coordinator.email},
                               environ_base={"REMOTE_ADDR": f"198.51.100.{n + 1}"})
    assert len(smtp_server.messages) == 5  # no flood of mail ...

    # ... and none of the links sent has been made useless by the later requests
    links = [re.search(r"http://lms\.test(/password/reset/\S+)",
                       m.get_body(("plain",)).get_content()).group(1)
             for m in smtp_server.messages]
    holder = app.test_client()
    assert all(holder.get(link, environ_base={"REMOTE_ADDR": HOLDER}).status_code == 200
               for link in links)
    done = holder.post(links[0], data={"password": "Rheinufer Laterne Kompass",
                                       "confirm": "Rheinufer Laterne Kompass"},
                       environ_base={"REMOTE_ADDR": HOLDER})
    assert done.status_code == 302
    # once one is used, the others stop working
    assert all(holder.get(link).status_code == 404 for link in links[1:])
    open_links = sa.select(sa.func.count()).select_from(OneTimeToken).where(
        OneTimeToken.used_at.is_(None), OneTimeToken.withdrawn_at.is_(None))
    assert db.session.scalar(open_links) == 0


def test_the_reset_throttle_page_speaks_of_links_not_of_logins(app, coordinator):
    client = app.test_client()
    for _ in range(5):
        client.post("/password/forgot", data={"email": coordinator.email})
    german = client.post("/password/forgot", data={"email": coordinator.email})
    english = client.post("/password/forgot", data={"email": coordinator.email}, headers=EN)
    assert german.status_code == english.status_code == 429
    assert "2 Stunden gültig" in text_of(german)
    assert "stays valid for 2 hours" in text_of(english)
    assert "Anmeldeversuche" not in text_of(german)
