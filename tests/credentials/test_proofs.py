"""The eddsa-rdfc-2022 implementation against the specification's published test vectors
(W3C Data Integrity EdDSA Cryptosuites v1.0, tests/credentials_fixtures/), and the keys'
Multikey encodings."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lms.credentials import proofs
from lms.credentials.jsonld import ContextNotShipped, canonicalize
from lms.credentials.keys import (
    KeyError_,
    SigningKey,
    private_from_multibase,
    private_multibase,
    public_from_multibase,
    public_multibase,
)

FIXTURES = Path(__file__).resolve().parents[1] / "credentials_fixtures"
EXAMPLES = {"https://www.w3.org/ns/credentials/examples/v2":
            json.loads((FIXTURES / "credentials-examples-v2.jsonld").read_text())}


def _vector(name: str) -> str:
    return (FIXTURES / name).read_text().strip()


@pytest.fixture
def signed():
    return json.loads(_vector("signedDataInt.json"))


@pytest.fixture
def key_pair():
    return json.loads(_vector("keyPair.json"))


def test_the_canonical_document_and_proof_options_are_the_specifications(signed):
    document = {k: v for k, v in signed.items() if k != "proof"}
    assert canonicalize(document, EXAMPLES).strip() == _vector("canonDocDataInt.txt")
    options = {k: v for k, v in signed["proof"].items() if k != "proofValue"}
    options["@context"] = signed["@context"]
    assert canonicalize(options, EXAMPLES).strip() == _vector("proofCanonDataInt.txt")
    assert proofs.hash_data(signed, signed["proof"], EXAMPLES).hex() == _vector(
        "combinedHashDataInt.txt")


def test_signing_the_vector_gives_the_published_proof_value(signed, key_pair):
    """Ed25519 is deterministic: the same key and data give the same signature."""
    key = SigningKey(private_from_multibase(key_pair["privateKeyMultibase"]))
    assert key.public_multibase == key_pair["publicKeyMultibase"]
    document = {k: v for k, v in signed.items() if k != "proof"}
    made = proofs.sign(document, key, signed["proof"]["verificationMethod"],
                       datetime(2023, 2, 24, 23, 36, 38, tzinfo=UTC), extra=EXAMPLES)
    assert made["proof"] == signed["proof"]
    assert made == signed
    assert "proof" not in document  # the input is left as it was
    import base58
    assert base58.b58decode(made["proof"]["proofValue"][1:]).hex() == _vector(
        "sigHexDataInt.txt")


def test_the_vector_verifies_and_one_changed_field_does_not(signed, key_pair):
    public = public_from_multibase(key_pair["publicKeyMultibase"])
    method = signed["proof"]["verificationMethod"]

    def resolve(m):
        return public if m == method else None

    assert proofs.verify(signed, resolve, extra=EXAMPLES) == method
    for change in (("name", "Alumni Credential!"), ("validFrom", "2023-01-02T00:00:00Z")):
        tampered = copy.deepcopy(signed)
        tampered[change[0]] = change[1]
        with pytest.raises(proofs.ProofError, match="does not match"):
            proofs.verify(tampered, resolve, extra=EXAMPLES)
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["alumniOf"] = "Another School"
    with pytest.raises(proofs.ProofError, match="does not match"):
        proofs.verify(tampered, resolve, extra=EXAMPLES)
    tampered = copy.deepcopy(signed)
    tampered["proof"]["created"] = "2024-02-24T23:36:38Z"
    with pytest.raises(proofs.ProofError, match="does not match"):
        proofs.verify(tampered, resolve, extra=EXAMPLES)
    with pytest.raises(proofs.ProofError, match="not ours"):
        proofs.verify(signed, lambda m: None, extra=EXAMPLES)


def test_a_context_that_is_not_shipped_is_never_fetched(signed):
    document = {k: v for k, v in signed.items() if k != "proof"}
    with pytest.raises(Exception) as caught:
        canonicalize(document)  # the examples context is not shipped with lms
    chain, error = [], caught.value
    while error is not None:
        chain.append(error)
        error = error.__cause__ or error.__context__
    assert any(isinstance(e, ContextNotShipped) for e in chain)


def test_multikeys_round_trip_and_refuse_what_they_are_not(key_pair):
    private = private_from_multibase(key_pair["privateKeyMultibase"])
    assert private_multibase(private) == key_pair["privateKeyMultibase"]
    assert public_multibase(private.public_key()) == key_pair["publicKeyMultibase"]
    assert key_pair["publicKeyMultibase"].startswith("z6Mk")
    for wrong in ("", "abc", "z", key_pair["publicKeyMultibase"], "z" + "1" * 40):
        with pytest.raises(KeyError_):
            private_from_multibase(wrong)
    with pytest.raises(KeyError_):
        public_from_multibase(key_pair["privateKeyMultibase"])
