"""A bounded sample of ``make fuzz`` in every ``make test``.

1,000 mutated files and 1,000 hostile payloads with a fixed seed, in process,
plus a few files through the real CLI. Every case must be an identical open or a
typed error; a failure lists each bug class with the command that reproduces it.
The 2 s speed verdict of ``make fuzz`` is off here: the suite asserts no time.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz.fuzz_vault import make_case, run

SEED = 20261121
FAMILIES = ("identical open", "typed VaultDamaged", "typed WrongPassword",
            "typed UnsupportedVersion", "typed KdfParamsOutOfRange", "typed NotAVaultFile",
            "refused by cap")


def test_a_thousand_files_and_payloads_open_identically_or_fail_typed(tmp_path: Path) -> None:
    summary = run(SEED, files=1000, payloads=1000, work=tmp_path, slow_seconds=None)
    if summary.bug_count:
        pytest.fail("\n".join(summary.reproducers()), pytrace=False)
    seen = set(summary.counts["files"]) | set(summary.counts["payloads"])
    # The mutations reach every check, down to the payload (checksums recomputed).
    assert set(FAMILIES) <= seen, seen


def test_cli_list_and_inspect_exit_with_a_typed_error_and_leave_the_file(
        tmp_path: Path) -> None:
    summary = run(SEED + 1, files=40, payloads=40, work=tmp_path, cli_sample=8,
                  slow_seconds=None)
    assert summary.cli is not None and summary.cli.runs >= 8
    if summary.cli.bugs:
        pytest.fail("\n".join(summary.reproducers()), pytrace=False)


def test_a_case_is_the_same_bytes_for_the_same_seed() -> None:
    for kind in ("files", "payloads"):
        assert make_case(5, kind, 17) == make_case(5, kind, 17)
        assert make_case(5, kind, 17).data != make_case(6, kind, 17).data
