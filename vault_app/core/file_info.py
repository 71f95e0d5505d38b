"""What a vault file tells without the password: ``inspect`` and its ``FileInfo``."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from vault_app.core import paths, storage
from vault_app.core.kdf import KdfParams
from vault_app.core.vault_format import FORMAT_VERSION, parse


@dataclass(frozen=True)
class FileInfo:
    """What ``inspect`` can tell without the password.

    ``path`` is the real file; ``link`` the symbolic link it was reached
    through, if the path given was one.
    """

    path: Path
    format_version: int
    kdf: KdfParams
    salt_length: int
    payload_length: int
    size: int
    link: Path | None = None


def inspect(path: str | os.PathLike[str]) -> FileInfo:
    """Parse and check a vault file (checksum, caps) without decrypting it."""
    given = Path(path)
    real = paths.resolve_existing(given)
    parsed = parse(storage.read_bytes(real, via=given))
    return FileInfo(
        path=real,
        format_version=FORMAT_VERSION,
        kdf=parsed.slot.kdf,
        salt_length=len(parsed.slot.salt),
        payload_length=len(parsed.ciphertext),
        size=parsed.size,
        link=given if given.is_symlink() else None,
    )
