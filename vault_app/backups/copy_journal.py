"""The order journal that goes with each second-folder copy (``copies``).

A copy ``<name>.vault`` carries the vault's journal as ``<name>.vault.journal`` beside
it, byte for byte, so the pair restores as it was: rename both, keeping the suffix
(``keys-1a2b3c4d-20260101T120000Z.vault`` to ``keys.vault`` and its ``.journal`` to
``keys.vault.journal``); the journal key is in the vault. A vault without a journal
(no order placed yet) has a copy without one: no error.

The journal is read under its shared lock (an append in progress is waited for, so
no half record is copied), written like the copy (``storage.atomic_create``: 0600,
fsynced, never over a file), then read back and every record decrypted with the
vault's journal key (``Journal.read``). It is written *before* its vault copy, so a
copy that exists always has its journal; a journal left without its copy (killed in
between) is removed once it is old (``remove_orphans``).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import stat
import time
from pathlib import Path

from vault_app.core.errors import VaultError, VaultIOError
from vault_app.core.os_messages import describe_os_error, kind_of
from vault_app.trading.journal import SUFFIX as JOURNAL_SUFFIX
from vault_app.trading.journal import Journal
from vault_app.trading.journal_format import MAX_JOURNAL_SIZE

_OPEN = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK


def journal_of(copy: Path) -> Path:
    """Where the journal of the copy ``copy`` goes."""
    return copy.with_name(copy.name + JOURNAL_SUFFIX)


def read_journal(journal: Path) -> bytes | None:
    """The journal's bytes, read under its shared lock; None if there is none."""
    try:
        fd = os.open(journal, _OPEN)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise VaultIOError(f"cannot read the order journal {journal}: "
                           f"{describe_os_error(exc)}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise VaultIOError(f"the order journal {journal} is {kind_of(info.st_mode)}, "
                               "not a file; it was not copied")
        if info.st_size > MAX_JOURNAL_SIZE:
            raise VaultIOError(f"the order journal {journal} is larger than a journal "
                               "can be; it was not copied")
        fcntl.flock(fd, fcntl.LOCK_SH)  # an append holds it exclusively: wait for it
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise VaultIOError(f"cannot read the order journal {journal}: "
                           f"{describe_os_error(exc)}") from None
    finally:
        os.close(fd)


def verify(copy_journal: Path, data: bytes, key: bytes) -> str | None:
    """None if the journal copy reads back as ``data`` and every record decrypts with
    ``key``; else what is wrong."""
    try:
        with open(copy_journal, "rb") as back:
            if back.read() != data:
                return "it read back differently"
        Journal(copy_journal, key).read()
    except (OSError, VaultError) as exc:
        return str(exc)
    return None


def remove(copy: Path) -> None:
    """Remove the journal of ``copy`` (pruned with it), if it is a regular file."""
    target = journal_of(copy)
    with contextlib.suppress(OSError):
        if stat.S_ISREG(os.stat(target, follow_symlinks=False).st_mode):
            os.unlink(target)


def remove_orphans(folder: Path, copy_pattern: re.Pattern[str], older_than: float) -> None:
    """Journals of this vault's copies whose copy is gone, older than ``older_than``
    seconds (a copy being written now writes its journal first)."""
    cutoff = time.time() - older_than
    with contextlib.suppress(OSError):
        for name in os.listdir(folder):
            if not name.endswith(JOURNAL_SUFFIX):
                continue
            copy = name[:-len(JOURNAL_SUFFIX)]
            if not copy_pattern.fullmatch(copy) or os.path.lexists(folder / copy):
                continue
            with contextlib.suppress(OSError):
                info = os.stat(folder / name, follow_symlinks=False)
                if stat.S_ISREG(info.st_mode) and info.st_mtime < cutoff:
                    os.unlink(folder / name)
