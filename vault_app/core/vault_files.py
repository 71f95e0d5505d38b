"""A vault's own files, and the check that a file the user asked us to write (a CSV
export, a backup) replaces none of them and is not written into one of its folders.

Beside the real vault file ``<vault>`` live ``<vault>.journal`` (the order journal, spec
9), ``<vault>.lock`` (the write lock, ``vault_lock``) and ``<vault>.versions/`` (previous
versions, docs/versions.md). Writing over the vault or its journal loses keys or
orders; over the lock, the next save's lock; into the versions folder, a file the
pruning of old versions may delete.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

from vault_app.core.errors import NotARegularFile, VaultError, VaultIOError
from vault_app.core.os_messages import describe_os_error, kind_of
from vault_app.core.paths import resolve_existing
from vault_app.core.vault_lock import lock_path

JOURNAL_SUFFIX = ".journal"  # trading.journal.SUFFIX
VERSIONS_SUFFIX = ".versions"  # core.versions.SUFFIX


def own_files(vault_path: str | os.PathLike[str]) -> tuple[Path, ...]:
    """The vault's real file, its order journal, its lock file and its folder of
    previous versions (whether they exist or not). A vault path that cannot be
    resolved (gone meanwhile) is taken as it is."""
    try:
        real = resolve_existing(Path(vault_path))
    except VaultError:
        real = Path(os.path.abspath(vault_path))
    return (real, real.with_name(real.name + JOURNAL_SUFFIX), lock_path(real),
            real.with_name(real.name + VERSIONS_SUFFIX))


def check_target(path: Path, protected: Iterable[Path], *, writing: str,
                 refused: Callable[[str], VaultIOError]) -> os.stat_result | None:
    """Check ``path`` before writing ``writing`` ("the CSV", "the backup") there: it
    must be absent or a regular file (not a symbolic link, a FIFO, a device, a socket
    or a folder), none of ``protected`` (``own_files``) and in none of its folders.
    Returns the existing file's ``lstat``, None if there is none.

    Raises:
        NotARegularFile: ``path`` is not a regular file.
        VaultIOError: ``path`` cannot be examined.
        ``refused(message)``: ``path`` is one of ``protected`` or inside one.
    """
    protected = tuple(protected)
    _refuse_inside(path, protected, writing, refused)
    try:
        info = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        _refuse_named(path, protected, writing, refused)
        return None
    except OSError as exc:
        raise VaultIOError(f"cannot write {path}: {describe_os_error(exc)}") from None
    if not stat.S_ISREG(info.st_mode):
        raise NotARegularFile(f"{path} is {kind_of(info.st_mode)}, not a regular file; "
                              "nothing was written. Choose another file name")
    for other in protected:
        with contextlib.suppress(OSError):
            if os.path.samefile(path, other):
                raise refused(f"{path} is your vault's own file ({other.name}); "
                              f"replacing it with {writing} would lose every key. "
                              "Nothing was written: choose another file name")
    return info


def _refuse_named(path: Path, protected: tuple[Path, ...], writing: str,
                  refused: Callable[[str], VaultIOError]) -> None:
    """Refuse the name of one of ``protected`` while no file has it (``path`` does not
    exist): a backup written as ``<vault>.journal`` before the first order would stop
    every order, as ``<vault>.versions`` every version kept."""
    real = os.path.realpath(path)
    for other in protected:
        if real == os.path.realpath(other):
            raise refused(f"{path} is the name of your vault's own file ({other.name}); "
                          f"{writing} must not take it. Nothing was written: choose "
                          "another file name")


def _refuse_inside(path: Path, protected: tuple[Path, ...], writing: str,
                   refused: Callable[[str], VaultIOError]) -> None:
    """Refuse a ``path`` whose folder is one of ``protected`` or inside one."""
    try:
        folder = Path(os.path.realpath(path.parent))
    except OSError:
        return  # the write itself will say why the folder cannot be used
    for other in protected:
        try:
            if not os.path.isdir(other):
                continue
            real = Path(os.path.realpath(other))
        except OSError:
            continue
        if folder == real or folder.is_relative_to(real):
            raise refused(f"{path} is inside your vault's folder {other.name}, which only "
                          f"the app writes; {writing} could be removed from there. "
                          "Nothing was written: choose another folder")


COMPANION_SUFFIXES = (JOURNAL_SUFFIX, ".lock", VERSIONS_SUFFIX)  # vault_lock.lock_path


def check_new_vault(path: Path) -> None:
    """Refuse to create a vault at ``path`` when that is the name of another vault's own
    file (``<x>.journal``, ``<x>.lock``, ``<x>.versions`` beside an existing file
    ``<x>``) or lies inside a vault's versions folder: a vault written as ``k.vault.journal``
    before the first order stops every order of ``k.vault``; one inside
    ``k.vault.versions/`` can be pruned with the versions. Whether it exists is not
    looked at here (``paths.resolve_new`` refuses a taken name).

    Raises:
        VaultIOError: ``path`` is such a name; nothing was written.
    """
    path = Path(os.path.abspath(path))
    try:
        folder = Path(os.path.realpath(path.parent))
    except OSError:
        return  # the write itself will say why the folder cannot be used
    for suffix in COMPANION_SUFFIXES:
        owner = folder / path.name.removesuffix(suffix)
        if path.name.endswith(suffix) and owner.name and os.path.isfile(owner):
            raise VaultIOError(
                f"{path} is the name of the {suffix[1:]} of the vault {owner}; a new "
                "vault must not take it. Nothing was written: choose another file name")
    for above in (folder, *folder.parents):
        stem = above.name.removesuffix(VERSIONS_SUFFIX)
        if not stem or stem == above.name:
            continue
        owner = above.with_name(stem)
        if os.path.isfile(owner):
            raise VaultIOError(
                f"{path} is inside {above}, the previous versions of the vault {owner}, "
                "which only the app writes; a vault there could be removed with them. "
                "Nothing was written: choose another folder")
