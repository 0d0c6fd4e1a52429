"""Where people use a credential: LinkedIn's "add certification" form, filled in."""

from __future__ import annotations

from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from lms.certificates.content import verification_url
from lms.certificates.models import Certificate

LINKEDIN_ADD = "https://www.linkedin.com/profile/add"


def linkedin_add_url(certificate: Certificate, achievement_name: str, organisation: str) -> str:
    """LinkedIn's add-to-profile address for a certification: name, organisation, issue
    month and year, the serial as credential id and the verification address."""
    issued = certificate.issued_at.astimezone(ZoneInfo(certificate.enrollment.cohort.timezone))
    return LINKEDIN_ADD + "?" + urlencode({
        "startTask": "CERTIFICATION_NAME",
        "name": achievement_name,
        "organizationName": organisation,
        "issueYear": issued.year,
        "issueMonth": issued.month,
        "certId": certificate.serial,
        "certUrl": verification_url(certificate.verification_code),
    })
