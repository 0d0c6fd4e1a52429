"""Accounts: sessions that really end, password policy and rehashing, throttling, reset.

(How login throttling treats addresses, devices and proxies:
tests/security/test_login_throttle.py.)"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from lms.accounts.models import OneTimeToken, Role, UserSession
from lms.accounts.operations import set_password
from lms.accounts.passwords import PasswordPolicyError, check_password_policy
from lms.db import utcnow
from lms.extensions import db
from tests.factories import PASSWORD, make_user
from tests.helpers import attempt_login, text_of


@pytest.fixture
def user(app):
    user = make_user(Role.PARTICIPANT, email="jana.koenig@example.org", first="Jana",
                     last="König")
    db.session.commit()
    return user


def session_cookie(client) -> str:
    return client.get_cookie("session").value


def test_login_starts_a_new_server_side_session_each_time(app, client, auth, user):
    client.post("/language", data={"language": "en"})  # an anonymous session exists first
    anonymous = session_cookie(client)
    auth.login(user)
    first = session_cookie(client)
    assert first != anonymous
    auth.logout()
    auth.login(user)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession)) == 2


def test_logout_ends_the_session_even_for_a_copied_cookie(app, client, auth, user):
    auth.login(user)
    stolen = session_cookie(client)
    me = client.get("/me/")
    assert me.status_code == 200 and user.full_name in text_of(me)

    auth.logout()
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/me/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def _age_the_session(minutes: int) -> None:
    db.session.execute(sa.update(UserSession).values(
        last_seen_at=utcnow() - timedelta(minutes=minutes)))
    db.session.commit()


def _last_seen():
    db.session.expire_all()
    return db.session.scalar(sa.select(UserSession.last_seen_at))


def test_using_a_session_moves_its_last_use_on_and_the_request_commits_it(app, client, auth, user):
    auth.login(user)
    _age_the_session(10)  # longer ago than TOUCH_EVERY
    before = _last_seen()
    assert client.get("/me/").status_code == 200  # a page that only reads
    assert _last_seen() > before + timedelta(minutes=9)


def test_a_session_idle_for_longer_than_the_limit_has_ended(app, client, auth, user):
    from lms.accounts.sessions import IDLE_LIMIT

    auth.login(user)
    _age_the_session(int(IDLE_LIMIT.total_seconds() // 60) + 1)
    response = client.get("/me/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_looking_up_a_session_commits_nothing(app, user):
    """The touch is flushed with whatever the caller is doing, never committed on its
    own: rolling back the caller's transaction undoes it, and anything else with it."""
    from lms.accounts.sessions import start_session, user_for_session

    token = start_session(user)
    db.session.commit()
    _age_the_session(10)
    before = _last_seen()
    user.first_name = "Halbfertig"  # something the caller has not committed
    live = user_for_session(str(user.id), token)
    db.session.rollback()
    assert _last_seen() == before
    assert db.session.get(type(user), user.id).first_name == "Jana"
    assert live is not None and live.user.id == user.id and live.touched


def test_a_password_reset_ends_every_other_session(app, client, auth, user, smtp_server):
    auth.login(user)
    other = app.test_client()
    other.post("/password/forgot", data={"email": user.email})
    link = re.search(r"https?://\S+/password/reset/\S+", smtp_server.messages[0].get_body(
        ("plain",)).get_content()).group(0)
    path = link.split("lms.test", 1)[1]
    other.post(path, data={"password": "neues sicheres Kennwort", "confirm":
                           "neues sicheres Kennwort"})
    assert client.get("/me/").status_code == 302


@pytest.mark.parametrize(
    ("password", "words"),
    [("kurz", "at least 10"), ("1234567890", "most common"), ("qwertyuiop", "most common"),
     ("aaaaaaaaaaaaaaa", "too easy"), ("x" * 201, "at most 200")],
)
def test_weak_passwords_are_refused(app, password, words):
    with force_locale("en"), pytest.raises(PasswordPolicyError) as caught:
        check_password_policy(password, ["jana.koenig@example.org", "Jana", "König"])

    with force_locale("en"):
        assert words in str(caught.value.message)


def test_good_password_is_accepted(app):
    check_password_policy("Rheinufer Laterne Kompass", ["jana@example.org"])


def test_hash_is_upgraded_when_parameters_change(app, client, auth, user):
    old_hash = user.password_hash
    app.config["ARGON2_PROFILE"] = "RFC_9106_LOW_MEMORY"
    try:
        auth.login(user)
    finally:
        app.config["ARGON2_PROFILE"] = "CHEAPEST"
    db.session.refresh(user)
    assert user.password_hash != old_hash
    assert user.password_hash.startswith("$argon2id$") and "m=65536" in user.password_hash


def test_throttling_per_account_says_how_long_to_wait(app, client, auth, user):
    for _ in range(5):
        assert attempt_login(client, user, "wrong password!").status_code == 200
    response = attempt_login(client, user)  # even the right password now waits
    assert response.status_code == 429
    assert re.search(r"in 1[45] Minuten", text_of(response))
    assert int(response.headers["Retry-After"]) > 0
    english = client.post("/login", data={"email": user.email, "password": PASSWORD},
                          headers={"Accept-Language": "en"})
    assert re.search(r"try again in 1[45] minutes", text_of(english))

    other = make_user(Role.PARTICIPANT)
    db.session.commit()
    assert auth.login(other).status_code == 302  # other accounts are not affected


def test_successful_logins_do_not_count(app, client, auth, user):
    for _ in range(8):
        auth.login(user)
        auth.logout()


def test_reset_answers_the_same_for_known_and_unknown_addresses(app, client, user,
                                                                smtp_server):
    known = client.post("/password/forgot", data={"email": user.email}, follow_redirects=True)
    unknown = client.post("/password/forgot", data={"email": "nobody@example.org"},
                          follow_redirects=True)
    assert text_of(known) == text_of(unknown)
    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0]["To"] == user.email


def _reset_link(smtp_server) -> str:
    body = smtp_server.messages[-1].get_body(("plain",)).get_content()
    return re.search(r"http://lms\.test(/password/reset/\S+)", body).group(1)


def test_reset_link_uses_the_base_url_not_the_host_header(app, client, user, smtp_server):
    client.post("/password/forgot", data={"email": user.email},
                headers={"Host": "evil.example"})
    body = smtp_server.messages[-1].get_body(("plain",)).get_content()
    assert "evil.example" not in body and "http://lms.test/password/reset/" in body
    assert smtp_server.messages[-1]["Subject"] == "Passwort zurücksetzen"  # her language


def test_reset_link_works_once(app, client, auth, user, smtp_server):
    client.post("/password/forgot", data={"email": user.email})
    path = _reset_link(smtp_server)
    weak = client.post(path, data={"password": "1234567890", "confirm": "1234567890"})
    assert weak.status_code == 200 and "häufigsten" in text_of(weak)  # still usable after that

    done = client.post(path, data={"password": "Rheinufer Laterne Kompass",
                                   "confirm": "Rheinufer Laterne Kompass"})
    assert done.status_code == 302
    auth.login(user, "Rheinufer Laterne Kompass")
    again = app.test_client().get(path)
    assert again.status_code == 404 and "bereits verwendet" in text_of(again)


def test_expired_reset_link_is_refused(app, client, user, smtp_server):
    client.post("/password/forgot", data={"email": user.email})
    path = _reset_link(smtp_server)
    token = db.session.scalar(sa.select(OneTimeToken))
    token.created_at = utcnow() - timedelta(hours=3)
    token.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = client.get(path)
    assert response.status_code == 404 and "abgelaufen" in text_of(response)


def test_mismatched_passwords_are_a_field_error(app, client, user, smtp_server):
    client.post("/password/forgot", data={"email": user.email})
    response = client.post(_reset_link(smtp_server), data={
        "password": "Rheinufer Laterne Kompass", "confirm": "Rheinufer Laterne Komp"})
    assert response.status_code == 200 and "stimmen nicht überein" in text_of(response)


@pytest.mark.parametrize("password", ["jana.koenig", "JanaKönig2026", "koenig.jana"])
def test_set_password_refuses_the_persons_own_name_or_address(app, user, password):
    with pytest.raises(PasswordPolicyError):
        set_password(user, password)
