"""Open Badges 3.0 credentials: every certificate is also a signed, revocable W3C
Verifiable Credential (an ``OpenBadgeCredential``), embedded in its PDF.

- ``jsonld``: the shipped contexts and RDFC-1.0 canonicalisation (PyLD), offline only;
- ``proofs``: Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite;
- ``keys`` and ``did``: the issuer's Ed25519 keys and its ``did:web`` document;
- ``achievement``: a certificate's facts as an ``AchievementCredential``;
- ``status``: the Bitstring Status List that says which credentials are revoked;
- ``operations`` / ``queries``: what ``lms.certificates`` calls at issue, correction and
  revocation, and what the pages read.
"""
