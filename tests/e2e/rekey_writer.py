"""A password changer for test_versions_crash: ``python -m tests.e2e.rekey_writer VAULT``.

Reads two passwords from stdin (the current one first), opens the vault, prints
``0``, then changes the master password back and forth forever (fast test KDF),
printing after each completed change the index (0 or 1) of the password that now
opens the vault. The test kills it with SIGKILL at a random moment.

With ``VAULT_TEST_KILL_AT`` set, the child kills itself (SIGKILL) at one dangerous
step of its first change instead: ``kept`` (the version kept, no record yet),
``record`` (the pending record written, the vault not yet replaced), ``written``
(the vault replaced, nothing re-sealed) or ``resealing`` (one version re-sealed, the
next not). Only this child is patched; the steps are the real ones.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import FAST_KDF
from vault_app.core import storage, vault_versions, version_rekey, versions
from vault_app.core.vault import Vault


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def after(step: Callable[..., Any]) -> Callable[..., Any]:
    def run_then_die(*args: Any, **kwargs: Any) -> Any:
        result = step(*args, **kwargs)
        die()
        return result
    return run_then_die


def arm(point: str) -> None:
    """Make this process SIGKILL itself at ``point`` (see the module's docstring)."""
    if point == "kept":
        vault_versions.keep_version = after(vault_versions.keep_version)
    elif point == "record":
        vault_versions.write_rekey_record = after(vault_versions.write_rekey_record)
    elif point == "written":
        storage.atomic_write = after(storage.atomic_write)
    elif point == "resealing":
        real, resealed = versions.write_private, []

        def write_private(folder: Path, name: str, data: bytes, **kwargs: Any) -> None:
            if name != version_rekey.RECORD_NAME:
                if resealed:
                    die()  # one version re-sealed, the next about to be
                resealed.append(name)
            real(folder, name, data, **kwargs)

        versions.write_private = write_private  # type: ignore[assignment]
    else:
        raise SystemExit(f"unknown kill point {point!r}")


def main(path: str) -> None:
    passwords = [sys.stdin.readline().rstrip("\n"), sys.stdin.readline().rstrip("\n")]
    vault = Vault.open(Path(path), passwords[0])
    if os.environ.get("VAULT_TEST_KILL_AT"):
        arm(os.environ["VAULT_TEST_KILL_AT"])
    current = 0
    out = sys.stdout
    out.write(f"{current}\n")
    out.flush()
    while True:
        vault.change_password(passwords[current], passwords[1 - current], FAST_KDF,
                              enforce_kdf_minimum=False)
        current = 1 - current
        out.write(f"{current}\n")
        out.flush()


if __name__ == "__main__":
    main(sys.argv[1])
