"""Previous versions: the added cost of keeping one per save, on a 10,000-key vault.

Target (issue 10): <= 10 ms per save. A save with keep_versions=10 hard-links the file
it replaces into ``<vault>.versions/``, fsyncs that folder and prunes the oldest; a
save with keep_versions=0 does none of it. Both are timed as the median of edits of
one key's notes in an unlocked session (no KDF), alternating, so that the machine's
load falls on both alike; the difference is the cost of keeping a version.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._util import report
from benchmarks.bench_vault import NEGLIGIBLE_KDF, build, make_entries
from vault_app.core import versions
from vault_app.core.vault import Vault

ROUNDS = 15


def timed_save(vault: Vault, number: int) -> float:
    entry_id = vault.entries[0].id
    start = time.perf_counter()
    vault.update(entry_id, {"notes": f"benchmark edit {number}"})
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.vault"
        vault = build(path, NEGLIGIBLE_KDF, make_entries())
        keeping: list[float] = []
        without: list[float] = []
        for number in range(ROUNDS):
            vault.set_keep_versions(10)
            keeping.append(timed_save(vault, 2 * number))
            vault.set_keep_versions(0)
            without.append(timed_save(vault, 2 * number + 1))
        vault.set_keep_versions(10)
        for number in range(12):
            timed_save(vault, 100 + number)
        count, size = versions.usage(path)
    kept, bare = statistics.median(keeping), statistics.median(without)
    print(f"Previous versions ({len(vault)} keys, {ROUNDS} saves each, median)")
    report("save keeping 10 versions", kept * 1000, unit="ms")
    report("save keeping none", bare * 1000, unit="ms")
    report("added cost of keeping a version", (kept - bare) * 1000, target=10, unit="ms")
    print(f"  versions folder after 12 more saves: {count} files, {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
