"""Bitstring Status List (W3C, v1.0): one bit per credential, set when revoked.

The list is GZIP-compressed and base64url-encoded (multibase ``u``); bit 0 is the
left-most bit of the first byte. Its credential is signed like every other credential of
ours and stored, re-signed whenever a bit changes.
"""

from __future__ import annotations

import base64
import gzip
from collections.abc import Iterable
from typing import Any

from lms.credentials.jsonld import VC_V2


def encode_list(size: int, set_bits: Iterable[int]) -> str:
    bits = bytearray(size // 8)
    for index in set_bits:
        if not 0 <= index < size:
            raise ValueError(f"index {index} is outside the list of {size}")
        bits[index // 8] |= 0x80 >> (index % 8)
    # mtime=0: the same list always encodes to the same text
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def decode_list(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise ValueError("the encoded list is not multibase base64url")
    data = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))


def bit_is_set(bits: bytes, index: int) -> bool:
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def status_entry(list_url: str, index: int) -> dict[str, Any]:
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def status_list_credential(list_url: str, issuer: str, valid_from: str, size: int,
                           revoked: Iterable[int]) -> dict[str, Any]:
    """The unsigned BitstringStatusListCredential."""
    return {
        "@context": [VC_V2],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_list(size, revoked),
        },
    }
