"""Where the vault lives: the default path, and the real file behind a path given."""

from __future__ import annotations

import os
from pathlib import Path

from vault_app import APP_NAME
from vault_app.core.errors import BrokenLink, VaultExists, VaultIOError, VaultNotFound
from vault_app.core.os_messages import describe_os_error

VAULT_ENV = "VAULT_APP_VAULT"
DEFAULT_FILENAME = "vault.vault"


def data_dir() -> Path:
    import platformdirs  # small, but only needed when no path was given

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_vault_path() -> Path:
    """``$VAULT_APP_VAULT`` if set, else ``vault.vault`` in the user data folder."""
    configured = os.environ.get(VAULT_ENV)
    if configured:
        return Path(configured).expanduser()
    return data_dir() / DEFAULT_FILENAME


def resolve_existing(path: Path) -> Path:
    """The real file behind ``path``: absolute, every symbolic link followed.

    A vault linked into another folder is read, locked and saved there, so the
    link survives every save.
    """
    try:
        return Path(os.path.realpath(path, strict=True))
    except FileNotFoundError:
        if os.path.islink(path):
            raise BrokenLink(
                f"{path} is a symbolic link to {os.path.realpath(path)}, which does not "
                "exist; fix or remove the link"
            ) from None
        raise VaultNotFound(f"no vault file at {path}") from None
    except OSError as exc:
        raise VaultIOError(f"cannot open {path}: {describe_os_error(exc)}") from None


def resolve_new(path: Path) -> Path:
    """Where a new vault named ``path`` is written: its absolute path, links in folders resolved.

    Refuses a name that is taken (VaultExists) and a symbolic link to a missing
    file (BrokenLink): creating a vault through a dangling link would write it
    wherever the link points, so the user is asked to name the target instead.
    """
    if os.path.islink(path):
        target = os.path.realpath(path)
        if not os.path.exists(path):
            raise BrokenLink(
                f"{path} is a symbolic link to {target}, which does not exist; nothing was "
                f"created. To create the vault there, name it directly (--vault {target}), "
                "or remove the link"
            )
        raise VaultExists(f"a vault already exists at {path} (a link to {target}); "
                          "refusing to overwrite it")
    if os.path.lexists(path):
        raise VaultExists(f"a vault already exists at {path}; refusing to overwrite it")
    return Path(os.path.realpath(path))


def still_named(path: Path, fd: int) -> bool:
    """Whether ``path`` still names the file open as ``fd`` (same device and inode, the
    name not followed if it is a link). A lock taken on a file that was moved aside or
    replaced while waiting for it protects nothing: lockers check this after locking."""
    try:
        named = os.stat(path, follow_symlinks=False)
    except OSError:
        return False
    held = os.fstat(fd)
    return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)
