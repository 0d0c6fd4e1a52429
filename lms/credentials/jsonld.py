"""JSON-LD with the contexts shipped in ``contexts/``: never a network request.

Canonicalisation is PyLD's URDNA2015, which the W3C published as RDF Dataset
Canonicalization (RDFC-1.0) without change to its output; the test vectors of the
``eddsa-rdfc-2022`` specification are checked against it in the tests.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from pyld import jsonld

CONTEXTS_DIR = Path(__file__).parent / "contexts"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
SHIPPED = {
    VC_V2: "credentials-v2.jsonld",
    OB_V3: "ob-v3p0-context-3.0.3.json",
}


class ContextNotShipped(ValueError):
    """A document names a context that is not shipped: it is not fetched."""


@cache
def _shipped(url: str) -> dict[str, Any]:
    context: dict[str, Any] = json.loads((CONTEXTS_DIR / SHIPPED[url]).read_text(encoding="utf-8"))
    return context


DocumentLoader = Callable[[str, Any], dict[str, Any]]


def document_loader(extra: dict[str, dict[str, Any]] | None = None) -> DocumentLoader:
    """A PyLD document loader that answers the shipped contexts (and ``extra``, for
    tests) and refuses every other URL."""

    def load(url: str, options: Any = None) -> dict[str, Any]:
        if extra and url in extra:
            document = extra[url]
        elif url in SHIPPED:
            document = _shipped(url)
        else:
            raise ContextNotShipped(f"the JSON-LD context {url} is not shipped with lms")
        return {"contextUrl": None, "documentUrl": url, "document": document}

    return load


def canonicalize(document: dict[str, Any],
                 extra: dict[str, dict[str, Any]] | None = None) -> str:
    """The document's RDF dataset as canonical N-Quads (RDFC-1.0)."""
    nquads: str = jsonld.normalize(document, {
        "algorithm": "URDNA2015",
        "format": "application/n-quads",
        "documentLoader": document_loader(extra),
    })
    return nquads
