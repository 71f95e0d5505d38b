"""A password changer for test_versions_crash: ``python -m tests.e2e.rekey_writer VAULT``.

Reads two passwords from stdin (the current one first), opens the vault, prints
``0``, then changes the master password back and forth forever (fast test KDF),
printing after each completed change the index (0 or 1) of the password that now
opens the vault. The test kills it with SIGKILL at a random moment.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.conftest import FAST_KDF
from vault_app.core.vault import Vault


def main(path: str) -> None:
    passwords = [sys.stdin.readline().rstrip("\n"), sys.stdin.readline().rstrip("\n")]
    vault = Vault.open(Path(path), passwords[0])
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
