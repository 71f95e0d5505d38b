"""Previous versions: the added cost of keeping one per save, on a 10,000-key vault.

Target (issue 10): <= 10 ms per save. A save with keep_versions=10 hard-links the file
it replaces into ``<vault>.versions/``, fsyncs that folder and prunes the oldest; a
save with keep_versions=0 does none of it. Both are timed as the median of edits of
one key's notes in an unlocked session (no KDF), on two vaults of the same keys, in
turns, so that the machine's load falls on both alike; the difference is the cost of
keeping a version (link, folder fsync, pruning the oldest).
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

ROUNDS = 21


def timed_save(vault: Vault, number: int) -> float:
    entry_id = vault.entries[0].id
    start = time.perf_counter()
    vault.update(entry_id, {"notes": f"benchmark edit {number}"})
    return time.perf_counter() - start


def main() -> None:
    entries = make_entries()
    with tempfile.TemporaryDirectory() as tmp:
        # Two vaults of the same keys: one keeps 10 versions (in its steady state, each
        # save links one and prunes one), the other none (no folder at all).
        keeping_vault = build(Path(tmp) / "keeping.vault", NEGLIGIBLE_KDF, entries)
        bare_vault = build(Path(tmp) / "bare.vault", NEGLIGIBLE_KDF, entries)
        bare_vault.set_keep_versions(0)
        for number in range(11):
            timed_save(keeping_vault, 1000 + number)
        keeping: list[float] = []
        without: list[float] = []
        for number in range(ROUNDS):
            keeping.append(timed_save(keeping_vault, number))
            without.append(timed_save(bare_vault, number))
        count, size = versions.usage(keeping_vault.path)
        start = time.perf_counter()
        listed = keeping_vault.versions()  # decrypt and decode each (no KDF)
        listing = time.perf_counter() - start
        start = time.perf_counter()
        keeping_vault.version_diff(listed[-1].name)
        diffing = time.perf_counter() - start
        alone = []  # the versions steps alone (link + fsync, then prune one + fsync)
        for _ in range(ROUNDS):
            start = time.perf_counter()
            kept_name = versions.keep(keeping_vault.path, 10)
            versions.prune(keeping_vault.path, 10, keeping_vault._keys()[0], kept_name)
            alone.append(time.perf_counter() - start)
    kept, bare = statistics.median(keeping), statistics.median(without)
    print(f"Previous versions ({len(keeping_vault)} keys, {ROUNDS} saves each, alternated, "
          "median)")
    report("save keeping 10 versions", kept * 1000, unit="ms")
    report("save keeping none", bare * 1000, unit="ms")
    report("added cost of keeping a version", (kept - bare) * 1000, target=10, unit="ms")
    report("keep + prune alone (link, fsync, unlink)", statistics.median(alone) * 1000,
           target=10, unit="ms")
    report(f"list {len(listed)} versions with their key counts", listing)
    report("difference to the oldest version", diffing)
    print(f"  versions folder: {count} files, {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
