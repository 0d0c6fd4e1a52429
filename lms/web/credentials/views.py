"""``/.well-known/did.json`` (the ``did:web`` document with every key, retired ones too)
and ``/credentials/status/<id>`` (a signed Bitstring Status List, as stored)."""

from __future__ import annotations

import json

from flask import Response, abort

from lms.credentials.did import did_document
from lms.credentials.keys import load_keyring
from lms.credentials.operations import MEDIA_TYPE, STATUS_LIST_PATH
from lms.credentials.queries import get_status_list
from lms.web.credentials import bp


@bp.get("/.well-known/did.json")
def did_json() -> Response:
    document = did_document(load_keyring())
    response = Response(json.dumps(document, indent=2) + "\n", mimetype="application/did+json")
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"  # browser wallets verify too
    return response


@bp.get(STATUS_LIST_PATH.replace("{list_id}", "<int:list_id>"))
def status_list(list_id: int) -> Response:
    found = get_status_list(list_id)
    if found is None or not found.document:
        abort(404)
    response = Response(found.document, mimetype=MEDIA_TYPE)
    response.set_etag(f"{found.id}-{found.version}")
    # A revocation must reach verifiers soon: caches ask again after a minute.
    response.headers["Cache-Control"] = "public, max-age=60"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
