"""The order journal across processes: a writer killed with SIGKILL mid-append loses
no record it reported durable, and two processes appending at once lose nothing."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO
from tests.e2e.support import LineReader, assert_private, child_env
from vault_app.trading.journal import Journal

KEY = bytes(range(7, 39))
TRIALS = 20
LINE_TIMEOUT = 30.0


def start_writer(path: Path, name: str, count: int | None = None,
                 err: Any = None) -> tuple[subprocess.Popen[str], LineReader]:
    args = [sys.executable, "-m", "tests.e2e.journal_writer", str(path), name]
    if count is not None:
        args.append(str(count))
    proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=err if err is not None else subprocess.PIPE, text=True,
                            cwd=REPO, env=child_env())
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(KEY.hex() + "\n")
    proc.stdin.flush()
    reader = LineReader(proc.stdout)
    assert reader.next_line(LINE_TIMEOUT) == "ready"
    return proc, reader


def go(proc: subprocess.Popen[str]) -> None:
    """Let a ready writer start appending."""
    assert proc.stdin is not None
    proc.stdin.write("go\n")
    proc.stdin.close()


def reported(proc: subprocess.Popen[str], reader: LineReader) -> list[tuple[int, int]]:
    """(n, seq) of every append the writer reported done; closes its pipes."""
    lines = reader.rest(LINE_TIMEOUT)[1:]  # after "ready"
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()
    return [(int(n), int(seq)) for n, seq in (line.split() for line in lines)]


def by_writer(path: Path) -> dict[str, list[tuple[int, int]]]:
    """Each writer's records as (n, seq), in file order."""
    found: dict[str, list[tuple[int, int]]] = {}
    for record in Journal(path, KEY).read().records:
        found.setdefault(record.data["writer"], []).append((record.data["n"], record.seq))
    return found


@pytest.mark.slow
def test_sigkill_during_appends_loses_no_record_reported_durable(
        tmp_path: Path, record_property: Callable[[str, object], None]) -> None:
    path = tmp_path / "vault.vault.journal"
    seed = int.from_bytes(os.urandom(4), "big")
    record_property("seed", seed)
    rng = random.Random(seed)
    stats: Counter[str] = Counter()
    expected: list[tuple[str, int]] = []  # (writer, n) of every record known durable

    for trial in range(TRIALS):
        name = f"trial {trial}"
        err_path = tmp_path / "writer.err"
        with err_path.open("w") as err:
            proc, reader = start_writer(path, name, err=err)
            go(proc)
            try:
                for _ in range(rng.randrange(1, 12)):  # records it has reported durable
                    reader.next_line(LINE_TIMEOUT)
                time.sleep(rng.uniform(0, 0.004))  # then a random moment, mid-append or not
            finally:
                proc.send_signal(signal.SIGKILL)
                proc.wait(LINE_TIMEOUT)
        printed = reported(proc, reader)
        assert proc.returncode == -signal.SIGKILL, (trial, err_path.read_text())
        assert err_path.read_text() == "", trial

        contents = Journal(path, KEY).read()  # never damaged
        stats["torn tail left"] += contents.torn_tail
        seqs = [record.seq for record in contents.records]
        assert seqs == list(range(1, len(seqs) + 1)), trial
        mine = [(record.data["n"], record.seq) for record in contents.records
                if record.data["writer"] == name]
        count = len(printed)
        # Everything reported is there, with the number the writer was given, in order;
        # at most one more record (written, not yet reported) follows it.
        assert mine[:count] == printed, trial
        assert len(mine) in (count, count + 1), (trial, count, len(mine))
        assert [n for n, _ in mine] == list(range(1, len(mine) + 1)), trial
        stats["one more than reported"] += len(mine) == count + 1
        # Nothing earlier was lost.
        assert [(r.data["writer"], r.data["n"]) for r in contents.records
                if r.data["writer"] != "check"][:len(expected)] == expected, trial
        expected += [(name, n) for n, _ in mine]

        # The next append works, and drops any torn tail.
        seq = Journal(path, KEY).append({"writer": "check", "n": trial})
        assert seq == len(seqs) + 1, trial
        after = Journal(path, KEY).read()
        assert not after.torn_tail and len(after.records) == seq
        assert_private(path)

    record_property("stats", dict(stats))
    print(f"\n{TRIALS} writers killed (seed {seed}): {dict(stats)}")
    assert len(expected) >= TRIALS


def test_two_processes_appending_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "vault.vault.journal"
    writers = [start_writer(path, name, 200) for name in ("a", "b")]
    for proc, _ in writers:  # both ready: they start together
        go(proc)
    printed: dict[str, list[tuple[int, int]]] = {}
    for (proc, reader), name in zip(writers, ("a", "b"), strict=True):
        assert proc.wait(120) == 0
        assert proc.stderr is not None and proc.stderr.read() == ""
        printed[name] = reported(proc, reader)
    contents = Journal(path, KEY).read()
    assert not contents.torn_tail
    assert [record.seq for record in contents.records] == list(range(1, 401))
    found = by_writer(path)
    for name in ("a", "b"):
        assert [n for n, _ in found[name]] == list(range(1, 201))
        assert found[name] == printed[name]  # each got the number it was told
    interleaved = sum(1 for x, y in zip(contents.records, contents.records[1:], strict=False)
                      if x.data["writer"] != y.data["writer"])
    print(f"\nthe two writers' records alternate {interleaved} times")
