"""Reading previous versions with the data key the unlocked vault holds (no KDF).

Every version sealed since the last password change shares the vault's data key, so
listing them costs one AES-GCM decryption each. A version sealed under another key
(kept before a password change a crash interrupted, or copied in by hand) is listed
without its contents and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from vault_app.core import crypto, versions
from vault_app.core.errors import VaultDamaged, VaultError, VersionOtherKey
from vault_app.core.model import KeyEntry
from vault_app.core.schema import VaultMeta, decode_payload
from vault_app.core.vault_format import parse

OTHER_KEY = ("sealed under another master password (kept before a password change, or by "
             "another vault of this name); it cannot be opened with the vault's key and is "
             "never removed automatically: delete it yourself if no one needs it")


@dataclass(frozen=True)
class VersionSummary:
    name: str
    saved_at: datetime  # UTC, from the name
    size: int
    key_count: int | None  # None: could not be opened (see ``problem``)
    opens_with_current_key: bool
    problem: str | None
    # When this state was written (``saved_at`` is when a save replaced it): see
    # ``versions.VersionFile``.
    state_saved_at: datetime | None = None


def open_version(vault_path: Path, name: str, dek: bytes) -> tuple[VaultMeta, list[KeyEntry]]:
    """Decrypt and decode one version. Raises VersionOtherKey, VaultDamaged, VaultNotFound."""
    parsed = parse(versions.read_version(vault_path, name))
    try:
        plaintext = crypto.open_payload(dek, parsed.payload_nonce, parsed.ciphertext,
                                        parsed.header)
    except VaultDamaged:
        raise VersionOtherKey(f"the previous version {name} is {OTHER_KEY}; nothing was "
                              "changed") from None
    return decode_payload(plaintext)


def summaries(vault_path: Path, dek: bytes) -> list[VersionSummary]:
    """Every version kept, newest first, with its key count when it opens."""
    result = []
    for version in versions.list_versions(vault_path):
        count: int | None = None
        opens, problem = False, None
        try:
            count = len(open_version(vault_path, version.name, dek)[1])
            opens = True
        except VersionOtherKey:
            problem = OTHER_KEY
        except VaultError as exc:
            problem = str(exc)
        result.append(VersionSummary(version.name, version.saved_at, version.size, count,
                                     opens, problem, version.state_saved_at))
    return result
