"""A certificate as an Open Badges 3.0 ``AchievementCredential``: what the course is made
of (modules, hours, assessments, the issuing university) as data, in the certificate's
language. Built from facts gathered once at issuing (``queries.credential_facts``); this
module reads nothing else, so that what it states is what the PDF prints."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import force_locale, format_decimal, ngettext
from flask_babel import gettext as _

from lms.credentials.jsonld import OB_V3, VC_V2
from lms.credentials.proofs import utc_stamp
from lms.i18n import plural_n


@dataclass(frozen=True)
class ModuleHours:
    number: int
    title: str
    scheduled_minutes: int
    attended_minutes: int


@dataclass(frozen=True)
class AssessmentOutcome:
    key: str
    title: str
    points: Decimal | None  # None: pass/fail
    max_points: Decimal | None
    pass_points: Decimal | None


@dataclass(frozen=True)
class CredentialFacts:
    """Everything one credential states; gathered in the issuing transaction."""

    kind: str  # "certificate" | "confirmation"
    language: str
    holder_name: str
    email: str
    course_slug: str
    course_title: str  # as printed (the title form the holder chose)
    course_description: str
    provider: str
    provider_unit: str
    credits: Decimal | None
    starts_on: date
    ends_on: date
    min_percent: int
    scheduled_minutes: int
    required_minutes: int
    attended_minutes: int
    modules: tuple[ModuleHours, ...]
    assessments: tuple[AssessmentOutcome, ...]  # the required ones, all passed
    serial: str
    verification_url: str
    issued_at: datetime


def hours(minutes: int) -> str:
    """"56", "56.5": hours to a tenth, as OB results carry values (text)."""
    value = (Decimal(minutes) / 60).quantize(Decimal("0.1"))
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)


def number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def achievement_id(base_url: str, course_slug: str, kind: str) -> str:
    """The same achievement for every holder: a name-based UUID of the course and kind."""
    name = f"{base_url}/achievements/{course_slug}/{kind}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def identity_hash(email: str, salt: str) -> str:
    """OB 3.0 identityHash: ``sha256$`` + hex SHA-256 of the e-mail address and the salt."""
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()


def build_credential(facts: CredentialFacts, *, issuer: dict[str, Any], base_url: str,
                     status: dict[str, Any], credential_uri: str | None = None,
                     salt: str | None = None) -> dict[str, Any]:
    """The unsigned credential."""
    with force_locale(facts.language):
        return _build(facts, issuer, base_url, status,
                      credential_uri or f"urn:uuid:{uuid.uuid4()}",
                      salt or secrets.token_hex(16))


def _build(facts: CredentialFacts, issuer: dict[str, Any], base_url: str,
           status: dict[str, Any], credential_uri: str, salt: str) -> dict[str, Any]:
    certificate = facts.kind == "certificate"
    achievement_uri = achievement_id(base_url, facts.course_slug, facts.kind)
    descriptions, results = _results(facts, achievement_uri)
    achievement: dict[str, Any] = {
        "id": achievement_uri,
        "type": ["Achievement"],
        "achievementType": "Certificate" if certificate else "CertificateOfCompletion",
        "name": (_("Certificate: %(title)s", title=facts.course_title) if certificate
                 else _("Confirmation of participation: %(title)s", title=facts.course_title)),
        "description": _description(facts),
        "criteria": {"narrative": _criteria(facts)},
        "inLanguage": facts.language,
        "resultDescription": descriptions,
    }
    if facts.credits is not None and certificate:
        achievement["creditsAvailable"] = float(facts.credits)
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "identifier": [
            {"type": "IdentityObject", "identityType": "emailAddress", "hashed": True,
             "identityHash": identity_hash(facts.email, salt), "salt": salt},
            {"type": "IdentityObject", "identityType": "name", "hashed": False,
             "identityHash": facts.holder_name},
        ],
        "achievement": achievement,
        "result": results,
        "activityStartDate": f"{facts.starts_on.isoformat()}T00:00:00Z",
        "activityEndDate": f"{facts.ends_on.isoformat()}T00:00:00Z",
    }
    if facts.credits is not None and certificate:
        subject["creditsEarned"] = float(facts.credits)
    return {
        "@context": [VC_V2, OB_V3],
        "id": credential_uri,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement["name"],
        "issuer": issuer,
        "validFrom": utc_stamp(facts.issued_at),
        "credentialSubject": subject,
        "credentialStatus": status,
        "evidence": [{
            "id": facts.verification_url,
            "type": ["Evidence"],
            "name": _("Certificate %(serial)s, verifiable at this address", serial=facts.serial),
        }],
    }


def _description(facts: CredentialFacts) -> str:
    if facts.language == "de" and facts.course_description:
        return facts.course_description
    return _("Continuing-education certificate course of %(provider)s (%(unit)s): "
             "%(hours_part)s in %(modules_part)s, %(start)s to %(end)s.",
             provider=facts.provider, unit=facts.provider_unit,
             hours_part=_hours_part(facts.scheduled_minutes),
             modules_part=ngettext("%(num)s module", "%(num)s modules", len(facts.modules)),
             start=facts.starts_on.isoformat(), end=facts.ends_on.isoformat())


def _hours_part(minutes: int) -> str:
    """"8 hours", "6.4 hours" ("6,4 Stunden" in German), "1 hour": the count chooses the
    noun's form; the number is written as the credential's language writes numbers."""
    value = Decimal(hours(minutes))
    return ngettext("%(value)s hour", "%(value)s hours", plural_n(value),
                    value=format_decimal(value, format="#,##0.#"))


def _criteria(facts: CredentialFacts) -> str:
    attendance = _("Attendance of at least %(percent)s %% of the scheduled %(hours_part)s "
                   "(at least %(required_part)s).", percent=facts.min_percent,
                   hours_part=_hours_part(facts.scheduled_minutes),
                   required_part=_hours_part(facts.required_minutes))
    if facts.kind != "certificate":
        return attendance
    passed = []
    for item in facts.assessments:
        if item.pass_points is not None and item.max_points is not None:
            passed.append(_("%(title)s (at least %(needed)s of %(max_part)s)",
                            title=item.title, needed=number(item.pass_points),
                            max_part=ngettext("%(value)s point", "%(value)s points",
                                              plural_n(item.max_points),
                                              value=number(item.max_points))))
        else:
            passed.append(item.title)
    if not passed:
        return attendance
    return attendance + " " + _("Passed: %(assessments)s.", assessments="; ".join(passed))


def _results(facts: CredentialFacts, base: str
             ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    descriptions: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []

    def add(key: str, description: dict[str, Any], result: dict[str, Any]) -> None:
        ref = f"{base}#{key}"
        descriptions.append({"id": ref, "type": ["ResultDescription"], **description})
        results.append({"type": ["Result"], "resultDescription": ref, **result})

    add("attendance", {
        "name": _("Hours attended"), "resultType": "RawScore", "valueMin": "0",
        "valueMax": hours(facts.scheduled_minutes),
        "requiredValue": hours(facts.required_minutes),
    }, {"value": hours(facts.attended_minutes)})
    for module in facts.modules:
        add(f"module-{module.number}", {
            "name": _("Module %(number)s: %(title)s (hours attended)", number=module.number,
                      title=module.title),
            "resultType": "RawScore", "valueMin": "0",
            "valueMax": hours(module.scheduled_minutes),
        }, {"value": hours(module.attended_minutes)})
    if facts.kind == "certificate":
        for item in facts.assessments:
            if item.points is not None and item.max_points is not None:
                add(f"assessment-{item.key}", {
                    "name": item.title, "resultType": "RawScore", "valueMin": "0",
                    "valueMax": number(item.max_points),
                    "requiredValue": number(item.pass_points or Decimal(0)),
                }, {"value": number(item.points), "status": "Completed"})
            else:
                add(f"assessment-{item.key}", {
                    "name": item.title, "resultType": "Status",
                }, {"status": "Completed"})
    return descriptions, results
