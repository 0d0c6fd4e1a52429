"""Shared by the credential tests: the OB 3.0 schema check, and the DCC verifier run by
Node on what lms serves."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest

HERE = Path(__file__).parent
SCHEMA = HERE / "credentials_schema" / "ob_v3p0_achievementcredential_schema.json"
SCHEMA_URL = ("https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
              "ob_v3p0_achievementcredential_schema.json")
VERIFIER = HERE / "credentials_verifier"


@cache
def _validator():
    from jsonschema import Draft201909Validator

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft201909Validator.check_schema(schema)
    return Draft201909Validator(schema, format_checker=Draft201909Validator.FORMAT_CHECKER)


def schema_errors(credential: dict) -> list[str]:
    """1EdTech's AchievementCredential schema's complaints about ``credential``."""
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in _validator().iter_errors(credential)]


def require_verifier() -> None:
    """Skip (locally) or fail (under CI=true) when Node or the verifier is missing."""
    missing = None
    if shutil.which("node") is None:
        missing = "node is not installed"
    elif not (VERIFIER / "node_modules" / "@digitalcredentials" / "verifier-core").is_dir():
        missing = ("the verifier is not installed: run `npm ci` in "
                   "tests/credentials_verifier")
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{missing} (CI must run the verifier)")
        pytest.skip(missing)


def served_documents(client, credential: dict) -> dict[str, str]:
    """What a verifier fetches, as lms serves it: the DID document (at the HTTPS address
    did:web resolves to), the status list, and the schema."""
    from lms.credentials.did import issuer_did

    did = issuer_did()
    host = did.removeprefix("did:web:").split(":")[0].replace("%3A", ":")
    documents = {}
    response = client.get("/.well-known/did.json")
    assert response.status_code == 200
    documents[f"https://{host}/.well-known/did.json"] = response.get_data(as_text=True)
    status_url = credential["credentialStatus"]["statusListCredential"]
    path = "/" + status_url.split("/", 3)[3]
    response = client.get(path)
    assert response.status_code == 200
    documents[status_url] = response.get_data(as_text=True)
    documents[SCHEMA_URL] = SCHEMA.read_text(encoding="utf-8")
    return documents


def run_verifier(credential: dict, documents: dict[str, str]) -> dict:
    """The DCC verifier's result for ``credential`` (tests/credentials_verifier/verify.mjs)."""
    require_verifier()
    completed = subprocess.run(
        ["node", str(VERIFIER / "verify.mjs")], cwd=VERIFIER, capture_output=True,
        input=json.dumps({"credential": credential, "documents": documents}),
        text=True, timeout=120, check=False)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def steps(result: dict) -> dict[str, bool]:
    """The verifier's log as {step: valid}."""
    return {entry["id"]: entry.get("valid") for entry in result["result"].get("log", [])}
