"""What a credential states, in words, for the verification page: read from the
credential itself (so the page says what a verifier's program reads), labelled in the
reader's language."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _


@dataclass(frozen=True)
class Claim:
    label: str
    text: str  # the statement in words
    items: tuple[str, ...] = ()


# Formats a moment in the reader's language (flask_babel.format_date, in the views).
DateFormatter = Callable[[datetime], str]


def _text(value: Any) -> str:
    if isinstance(value, dict):  # a language map
        return str(next(iter(value.values()), ""))
    return str(value) if value is not None else ""


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _date(stamp: Any, format_date: DateFormatter) -> str:
    try:
        return format_date(datetime.fromisoformat(str(stamp).replace("Z", "+00:00")))
    except ValueError:
        return _text(stamp)


def claims_in_words(document: dict[str, Any], format_date: DateFormatter, *,
                    results: bool = True) -> list[Claim]:
    """The credential's statements as label and value; ``format_date`` formats a
    timestamp in the reader's language. ``results=False`` leaves out the holder's results
    (hours attended, points): someone who only has the verification code sees no more
    than the certificate shows; who holds the credential sees all it says."""
    subject = document.get("credentialSubject") or {}
    achievement = subject.get("achievement") or {}
    issuer = document.get("issuer") or {}
    claims: list[Claim] = []
    name = next((_text(i.get("identityHash")) for i in _list(subject.get("identifier"))
                 if isinstance(i, dict) and i.get("identityType") == "name"
                 and not i.get("hashed")), "")
    if name:
        claims.append(Claim(_("Awarded to"), name))
    if any(isinstance(i, dict) and i.get("identityType") == "emailAddress"
           for i in _list(subject.get("identifier"))):
        claims.append(Claim(_("Identified by"),
                            _("a salted hash of the holder's e-mail address (the address "
                              "itself is not in the credential)")))
    claims.append(Claim(_("Achievement"), _text(achievement.get("name"))))
    if isinstance(issuer, dict):
        who = _text(issuer.get("name"))
        if issuer.get("description"):
            who += f" – {_text(issuer.get('description'))}"
        claims.append(Claim(_("Issued by"), who))
    claims.append(Claim(_("Valid from"), _date(document.get("validFrom"), format_date)))
    if subject.get("activityStartDate") and subject.get("activityEndDate"):
        claims.append(Claim(_("Course period"), _("%(start)s to %(end)s",
                      start=_date(subject["activityStartDate"], format_date),
                      end=_date(subject["activityEndDate"], format_date))))
    criteria = (achievement.get("criteria") or {}).get("narrative")
    if criteria:
        claims.append(Claim(_("Requirements met"), _text(criteria)))
    descriptions = {d.get("id"): d for d in _list(achievement.get("resultDescription"))
                    if isinstance(d, dict)}
    found = []
    for result in _list(subject.get("result")):
        if not isinstance(result, dict):
            continue
        described = descriptions.get(result.get("resultDescription"), {})
        label = _text(described.get("name"))
        if result.get("value") is not None and described.get("valueMax") is not None:
            found.append(_("%(label)s: %(value)s of %(max)s", label=label,
                             value=_text(result["value"]), max=_text(described["valueMax"])))
        elif result.get("status") == "Completed":
            found.append(_("%(label)s: passed", label=label))
        elif result.get("value") is not None:
            found.append(f"{label}: {_text(result['value'])}")
    if results and found:
        claims.append(Claim(_("Results"), "", tuple(found)))
    if subject.get("creditsEarned") is not None:
        claims.append(Claim(_("Credits earned"), _text(subject["creditsEarned"])))
    return claims
