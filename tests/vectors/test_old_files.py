"""Files written by earlier releases open in this one (tests/fixtures/*.vault).

Each fixture was written by a real release (``tests/fixtures/make_fixtures.py``)
and is never regenerated; its ``.json`` records the password and what must be
read back. A release that cannot open one of them breaks users' existing vaults.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from vault_app.core.file_info import inspect
from vault_app.core.model import KeyEntry, format_ts
from vault_app.core.schema import entry_to_dict
from vault_app.core.vault import Vault

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
VAULT_FILES = sorted(FIXTURES.glob("*.vault"))


def expectation(vault_file: Path) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(vault_file.with_suffix(".json").read_text("utf-8"))
    return result


def as_recorded(entry: KeyEntry) -> dict[str, Any]:
    """The fields of an entry as the fixture JSON records them (its stored form)."""
    return entry_to_dict(entry)


def test_fixtures_are_present_and_paired() -> None:
    assert FIXTURES / "format1-schema1.vault" in VAULT_FILES
    assert {path.stem for path in FIXTURES.glob("*.json")} == {path.stem for path in VAULT_FILES}


@pytest.fixture(params=VAULT_FILES, ids=[path.stem for path in VAULT_FILES])
def old_file(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """A copy of a fixture, so no test can change the committed file."""
    copy = tmp_path / request.param.name
    shutil.copyfile(request.param, copy)
    return copy, expectation(request.param)


@pytest.mark.parametrize("read_only", [False, True], ids=["read-write", "read-only"])
def test_old_file_opens_with_its_recorded_content(old_file: tuple[Path, dict[str, Any]],
                                                 read_only: bool) -> None:
    path, expected = old_file
    info = inspect(path)
    assert info.format_version == expected["format_version"]
    assert {"memory_kib": info.kdf.memory_kib, "iterations": info.kdf.iterations,
            "parallelism": info.kdf.parallelism} == expected["kdf"]
    vault = Vault.open(path, expected["password"], read_only=read_only)
    assert vault.meta.id == expected["vault"]["id"]
    assert format_ts(vault.meta.created_at) == expected["vault"]["created_at"]
    assert [as_recorded(entry) for entry in vault.entries] == expected["entries"]


def test_old_file_can_be_changed_and_reopened(old_file: tuple[Path, dict[str, Any]]) -> None:
    path, expected = old_file
    vault = Vault.open(path, expected["password"])
    first = vault.entries[0]
    when = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    vault.mark_used(first.id, when=when)
    reopened = Vault.open(path, expected["password"])
    recorded = [dict(item) for item in expected["entries"]]
    recorded[0]["last_used_at"] = format_ts(when)
    assert [as_recorded(entry) for entry in reopened.entries] == recorded
    assert reopened.meta.id == expected["vault"]["id"]
