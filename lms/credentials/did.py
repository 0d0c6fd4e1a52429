"""The issuer's ``did:web``: derived from ``LMS_BASE_URL``; its DID document (served at
``/.well-known/did.json``) lists every public key of the keyring, the retired ones too,
so that credentials signed before a rotation still verify."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from flask import current_app

from lms.credentials.keys import Keyring, public_from_multibase

DID_CONTEXTS = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]


def issuer_did(base_url: str | None = None) -> str:
    """``http://127.0.0.1:5000`` -> ``did:web:127.0.0.1%3A5000`` (a port's colon is
    percent-encoded; path segments become colon-separated parts)."""
    parts = urlsplit(base_url or current_app.config["LMS_BASE_URL"])
    did = "did:web:" + quote(parts.netloc.lower(), safe="")
    segments = [quote(s, safe="") for s in parts.path.split("/") if s]
    return ":".join([did, *segments])


def verification_method(public_multibase: str, did: str | None = None) -> str:
    return f"{did or issuer_did()}#{public_multibase}"


def did_document(keyring: Keyring, did: str | None = None) -> dict[str, Any]:
    did = did or issuer_did()
    methods = [verification_method(key, did) for key in keyring.public_keys]
    return {
        "@context": DID_CONTEXTS,
        "id": did,
        "verificationMethod": [
            {"id": method, "type": "Multikey", "controller": did, "publicKeyMultibase": key}
            for method, key in zip(methods, keyring.public_keys, strict=True)
        ],
        "assertionMethod": methods,
    }


def resolver(keyring: Keyring, did: str | None = None
             ) -> Callable[[str], Ed25519PublicKey | None]:
    """Public key of one of our verification methods, or None."""
    did = did or issuer_did()
    known = {verification_method(key, did): key for key in keyring.public_keys}

    def resolve(method: str) -> Ed25519PublicKey | None:
        key = known.get(method)
        return public_from_multibase(key) if key else None

    return resolve
