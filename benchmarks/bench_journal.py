"""The order journal (spec section 9): `make bench` prints the figures.

Targets (issue 8): an append costs about one write and one fsync, whatever the
journal's length (it never re-reads the file in the common case); reading 10,000
records stays well under a second. The reference is a raw ``os.write`` + ``os.fsync``
of a record-sized buffer to a file in the same folder.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._util import median_time, report
from vault_app.trading.journal import Journal

RECORDS = 10_000
RUNS = 200
KEY = os.urandom(32)
ORDER = {"event": "pending", "client_order_id": "va-0123456789abcdef", "key_id":
         "4f9c1e0a-7b3d-4e2f-9a8b-6c5d4e3f2a1b", "symbol": "BTC/USDT", "side": "buy",
         "type": "limit", "amount": "0.01000000", "price": "50000.00", "tif": "GTC",
         "post_only": False, "at": "2026-11-21T09:30:00Z"}


def raw_write_fsync(folder: Path, size: int) -> float:
    fd = os.open(folder / "raw", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    buffer = os.urandom(size)
    try:
        def once() -> None:
            os.write(fd, buffer)
            os.fsync(fd)
        return median_time(once, RUNS)[0]
    finally:
        os.close(fd)


def main() -> None:
    print(f"Order journal, {RECORDS:,} records")
    with tempfile.TemporaryDirectory(dir=Path.home() if os.access(Path.home(), os.W_OK)
                                     else None) as tmp:
        folder = Path(tmp)
        path = folder / "bench.vault.journal"
        journal = Journal(path, KEY)
        record_size = 0
        start = time.perf_counter()
        for i in range(RECORDS):
            journal.append({**ORDER, "n": i})
        fill = time.perf_counter() - start
        record_size = (path.stat().st_size - 54) // RECORDS
        print(f"  journal file: {path.stat().st_size / 1e6:.1f} MB, {record_size} bytes a "
              f"record; medians of {RUNS}")
        raw = raw_write_fsync(folder, record_size)
        report("raw os.write + os.fsync of one record (reference)", raw)
        append, _ = median_time(lambda: journal.append(ORDER), RUNS)
        report(f"append one record after {RECORDS:,}", append, note=f"{append / raw:.2f}x raw")
        report(f"mean append while filling {RECORDS:,} records", fill / RECORDS)
        # Another process appended meanwhile: this object reads only the new record.
        other = Journal(path, KEY)
        other.read()
        def interleaved() -> None:
            journal.append(ORDER)
            other.append(ORDER)
        both, _ = median_time(interleaved, RUNS // 2)
        report("two objects taking turns, per append", both / 2,
               note=f"{both / 2 / raw:.2f}x raw")
        reads = [median_time(lambda: Journal(path, KEY).read(), 1)[0] for _ in range(5)]
        count = len(Journal(path, KEY).read().records)
        report(f"read all {count:,} records (fresh object)", statistics.median(reads),
               target=0.5)
        first, _ = median_time(lambda: Journal(path, KEY).append(ORDER), 5)
        report("first append of a fresh object (reads the journal once)", first)


if __name__ == "__main__":
    main()
