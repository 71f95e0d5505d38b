"""A writer for test_crash_safety: ``python -m tests.e2e.crash_writer VAULT``.

Reads the master password from stdin, opens the vault, prints its entry count,
then adds one entry per save forever, printing (and flushing) the entry count
after each completed save. The test kills it with SIGKILL at a random moment.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from vault_app.core.exchanges import load_catalog
from vault_app.core.model import new_entry
from vault_app.core.vault import Vault


def main(path: str) -> None:
    vault = Vault.open(Path(path), sys.stdin.readline().rstrip("\n"))
    catalog = load_catalog()
    pid = os.getpid()
    out = sys.stdout
    out.write(f"{len(vault)}\n")
    out.flush()
    number = 0
    while True:
        number += 1
        vault.add(new_entry(
            label=f"writer {pid} #{number}", exchange="binance", catalog=catalog,
            credentials={"apiKey": f"ak-{pid}-{number}", "secret": f"sk-{pid}-{number}"},
        ))
        out.write(f"{len(vault)}\n")
        out.flush()


if __name__ == "__main__":
    main(sys.argv[1])
