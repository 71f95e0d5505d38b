"""Backups of a 10,000-key vault: `make bench` prints the figures.

Issue 10: export with verification of 10,000 keys, minus the KDF runs. An export runs
the KDF twice (sealing the backup under a new salt, then opening it again to verify):
"minus KDF" is timed on the same keys under a negligible KDF, as bench_vault does, and
the production KDF's own time is printed beside it. Also: reading a backup and planning
a merge of it into the vault it came from (every entry identical), and restoring it
into a new vault, both minus KDF.
"""

from __future__ import annotations

import secrets
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._util import PASSWORD, median_time, report
from benchmarks.bench_vault import KEYS, NEGLIGIBLE_KDF, build, make_entries
from vault_app.backups.export import export_backup
from vault_app.backups.merge import plan_merge
from vault_app.backups.restore import read_backup, restore_new
from vault_app.core.kdf import KdfParams, derive_kek
from vault_app.trading.journal import Journal, journal_path

RUNS = 5
RECORDS = 2_000


def main() -> None:
    print(f"Backups, {KEYS:,} keys and {RECORDS:,} order records")
    default = KdfParams.default()
    salt = secrets.token_bytes(32)
    kdf_time, _ = median_time(lambda: derive_kek(PASSWORD, salt, default), 3)
    report(f"KDF alone ({default.describe()}), an export runs it twice", kdf_time)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        vault = build(folder / "bench.vault", NEGLIGIBLE_KDF, make_entries())
        journal = Journal(journal_path(vault.path), vault.ensure_journal_key())
        ids = [entry.id for entry in vault.entries]
        for number in range(RECORDS):
            journal.append({"kind": "order", "client_order_id": f"va-{number}",
                            "key_id": ids[number % len(ids)], "state": "FILLED",
                            "symbol": "BTC/USDT", "amount": "0.01"}, sync=False)
        targets = iter(range(1_000))

        def export() -> None:
            export_backup(vault, folder / f"backup-{next(targets)}.vault", PASSWORD)

        export_time, _ = median_time(export, RUNS)
        size = (folder / "backup-0.vault").stat().st_size
        print(f"  backup file: {size / 1e6:.1f} MB; 'minus KDF': the same keys under a "
              f"negligible KDF, median of {RUNS}")
        report("export + verify minus KDF (write, read back, compare)", export_time)
        backup_path = folder / "backup-0.vault"
        read_time, _ = median_time(lambda: read_backup(backup_path, PASSWORD), RUNS)
        report("read a backup minus KDF", read_time)
        backup = read_backup(backup_path, PASSWORD)
        plan_time, _ = median_time(lambda: plan_merge(vault, backup), RUNS)
        report("plan a merge (every entry identical)", plan_time)
        restores = iter(range(1_000))

        def restore() -> None:
            restore_new(backup, folder / f"restored-{next(restores)}.vault", PASSWORD,
                        kdf=NEGLIGIBLE_KDF, enforce_kdf_minimum=False)

        restore_time, _ = median_time(restore, RUNS)
        report(f"restore into a new vault minus KDF ({RECORDS:,} records)", restore_time)


if __name__ == "__main__":
    main()
