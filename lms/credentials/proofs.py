"""Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite (W3C Data Integrity
EdDSA Cryptosuites v1.0, section 3.2): the suite the 1EdTech conformance tests accept.

Signing: the document without its proof and the proof's options (with the document's
``@context``) are each canonicalised (RDFC-1.0) and hashed with SHA-256; the Ed25519
signature over ``hash(options) + hash(document)`` is the proof value, base58btc-encoded.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from lms.credentials.jsonld import canonicalize
from lms.credentials.keys import SigningKey

CRYPTOSUITE = "eddsa-rdfc-2022"


class ProofError(ValueError):
    """A proof is missing, malformed or does not verify; the message says which."""


def utc_stamp(moment: datetime) -> str:
    """An XML Schema dateTimeStamp in UTC, to the second: "2026-03-01T09:00:00Z"."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def hash_data(document: dict[str, Any], options: dict[str, Any],
              extra: dict[str, dict[str, Any]] | None = None) -> bytes:
    """``SHA-256(canonical proof options) + SHA-256(canonical document)``."""
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    config = {k: v for k, v in options.items() if k != "proofValue"}
    config["@context"] = unsecured["@context"]
    proof_hash = hashlib.sha256(canonicalize(config, extra).encode("utf-8")).digest()
    document_hash = hashlib.sha256(canonicalize(unsecured, extra).encode("utf-8")).digest()
    return proof_hash + document_hash


def sign(document: dict[str, Any], key: SigningKey, verification_method: str,
         created: datetime, *, extra: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """``document`` with a ``DataIntegrityProof`` added (the input is not changed)."""
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": utc_stamp(created),
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    signature = key.sign(hash_data(document, options, extra))
    secured = copy.deepcopy({k: v for k, v in document.items() if k != "proof"})
    secured["proof"] = {**options,
                        "proofValue": "z" + base58.b58encode(signature).decode("ascii")}
    return secured


def verify(document: dict[str, Any],
           resolve: Callable[[str], Ed25519PublicKey | None], *,
           extra: dict[str, dict[str, Any]] | None = None) -> str:
    """Check the document's proof; return its verification method. ``resolve`` gives
    the public key of a verification method we know (None: unknown)."""
    proof = document.get("proof")
    if not isinstance(proof, dict):
        raise ProofError("the credential has no proof")
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError(f"the proof is not a DataIntegrityProof of {CRYPTOSUITE}")
    if proof.get("proofPurpose") != "assertionMethod":
        raise ProofError("the proof's purpose is not assertionMethod")
    method = proof.get("verificationMethod")
    public = resolve(method) if isinstance(method, str) else None
    if public is None or not isinstance(method, str):
        raise ProofError("the proof was made with a key that is not ours")
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        raise ProofError("the proof value is not base58btc")
    try:
        signature = base58.b58decode(value[1:])
        public.verify(signature, hash_data(document, proof, extra))
    except (ValueError, InvalidSignature):
        raise ProofError("the signature does not match the credential") from None
    except Exception as exc:  # a document PyLD cannot read is not ours either
        raise ProofError(f"the credential cannot be read as JSON-LD ({exc})") from None
    return method
