"""A journal writer for test_journal_crash: ``python -m tests.e2e.journal_writer PATH
NAME [COUNT]``.

Reads the journal key (hex) from stdin (never argv), prints ``ready``, waits for a
line on stdin, then appends records
``{"writer": NAME, "n": 1, 2, ...}`` (every third one about 60 KiB, so that a kill
can land inside a write) and prints ``n seq`` after each append has returned, i.e.
once the record is durable. Stops after COUNT records, or never.
"""

from __future__ import annotations

import sys

from vault_app.trading.journal import Journal


def main(path: str, name: str, count: int | None) -> None:
    journal = Journal(path, bytes.fromhex(sys.stdin.readline().strip()))
    out = sys.stdout
    out.write("ready\n")
    out.flush()
    sys.stdin.readline()  # "go": so that two writers can start at once
    n = 0
    while count is None or n < count:
        n += 1
        record = {"writer": name, "n": n, "pad": "p" * (60_000 if n % 3 == 0 else 10)}
        seq = journal.append(record)
        out.write(f"{n} {seq}\n")
        out.flush()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else None)
