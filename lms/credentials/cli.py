"""``lms credentials keys generate|rotate|show``: the issuer's signing keys."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click
from flask.cli import AppGroup

if TYPE_CHECKING:
    from lms.credentials.keys import Keyring

credentials_cli = AppGroup("credentials", help="Open Badges credentials: the issuer's keys.")
keys_cli = AppGroup("keys", help="The Ed25519 keys that sign the credentials.")
credentials_cli.add_command(keys_cli)


def _configured_refusal(action: str) -> None:
    from lms.credentials.keys import configured_keyring

    if configured_keyring() is not None:
        raise click.ClickException(
            f"The signing key is given by LMS_CREDENTIALS_KEY; {action} it there (keep the "
            "old public key in LMS_CREDENTIALS_PREVIOUS_KEYS so that its credentials "
            "still verify).")


def _describe(keyring: Keyring) -> None:
    from lms.credentials.did import issuer_did, verification_method
    from lms.credentials.keys import keyring_path

    click.echo(f"Issuer: {issuer_did()} (DID document at /.well-known/did.json)")
    where = (keyring_path() if keyring.source == "instance"
             else "LMS_CREDENTIALS_KEY (configuration)")
    click.echo(f"Keys: {where}")
    click.echo(f"  signing: {verification_method(keyring.active.public_multibase)}")
    for key in reversed(keyring.retired):
        click.echo(f"  retired (still verifies): {verification_method(key)}")


@keys_cli.command("generate")
def generate_command() -> None:
    """Create the signing key in the instance folder (mode 600). Refuses if one exists:
    a new key for an issuer that has signed before is a rotation."""
    from lms.credentials.keys import generate_keyring, keyring_path

    _configured_refusal("set")
    path = keyring_path()
    if path.exists():
        raise click.ClickException(
            f"{path} exists already; `lms credentials keys rotate` replaces the signing key "
            "and keeps the old one's public key for verification.")
    _describe(generate_keyring(path))


@keys_cli.command("rotate")
def rotate_command() -> None:
    """A new signing key; the old public key stays in the DID document."""
    from lms.credentials.keys import keyring_path, rotate_keyring
    from lms.db import utcnow

    _configured_refusal("rotate")
    if not keyring_path().exists():
        raise click.ClickException("There is no key to rotate yet: run "
                                   "`lms credentials keys generate`.")
    _describe(rotate_keyring(utcnow()))


@keys_cli.command("show")
def show_command() -> None:
    """The issuer's DID and its keys (public halves only)."""
    from lms.credentials.keys import load_keyring

    keyring = load_keyring(create=False)
    if keyring is None:
        raise click.ClickException("There is no signing key yet: run "
                                   "`lms credentials keys generate`.")
    _describe(keyring)
