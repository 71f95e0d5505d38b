"""An exporter for test_backup_crash: ``python -m tests.e2e.backup_writer VAULT TARGET``.

Reads the master password from stdin, opens the vault, then exports backups to TARGET
forever (replacing it each time), export number n holding the vault's first n % 3 + 1
keys, printing (and flushing) that count after each completed export. The test kills
it with SIGKILL at a random moment.
"""

from __future__ import annotations

import sys
from pathlib import Path

from vault_app.backups.export import export_backup
from vault_app.core.vault import Vault


def main(path: str, target: str) -> None:
    password = sys.stdin.readline().rstrip("\n")
    vault = Vault.open(Path(path), password, read_only=True)
    ids = [entry.id for entry in vault.entries]
    number = 0
    while True:
        number += 1
        count = number % 3 + 1
        export_backup(vault, Path(target), password, entry_ids=ids[:count], overwrite=True)
        sys.stdout.write(f"{count}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
