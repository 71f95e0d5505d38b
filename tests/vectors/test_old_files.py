"""Files written by earlier releases open in this one (tests/fixtures/*.vault).

Each fixture was written by a real release (``tests/fixtures/make_fixtures.py``)
and is never regenerated; its ``.json`` records the password and what must be
read back. A release that cannot open one of them breaks users' existing vaults.
"""

from __future__ import annotations

import base64
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from vault_app.core.envelope import unlock_bytes
from vault_app.core.file_info import inspect
from vault_app.core.model import KeyEntry, format_ts, parse_ts
from vault_app.core.schema import SCHEMA_VERSION, entry_to_dict
from vault_app.core.vault import Vault

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
VAULT_FILES = sorted(FIXTURES.glob("*.vault"))


def expectation(vault_file: Path) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(vault_file.with_suffix(".json").read_text("utf-8"))
    return result


def as_recorded(entry: KeyEntry) -> dict[str, Any]:
    """The fields of an entry in its stored form, to compare with ``expected_entries``."""
    return entry_to_dict(entry)


def expected_entries(expected: dict[str, Any]) -> list[dict[str, Any]]:
    """The entries the fixture JSON records, as this release reads them (spec 6.4): a
    schema-1 entry gains ``"max_notional": null`` (``_upgrade_v1``), and an older than
    schema-3 entry an ``updated_at``, the later of its created_at and rotated_at
    (``_upgrade_v2``). Written out after ``rotated_at``, where ``entry_to_dict`` puts it."""
    entries = [dict(item) for item in expected["entries"]]
    if expected["schema"] < 2:
        for item in entries:
            item.setdefault("max_notional", None)
    if expected["schema"] < 4:  # _upgrade_v3 (dicts compare without order)
        for item in entries:
            item.setdefault("credential_history", [])
            item.setdefault("verification", None)
    if expected["schema"] < 3:
        for index, item in enumerate(entries):
            created, rotated = item["created_at"], item["rotated_at"]
            later = created if parse_ts(created) > parse_ts(rotated) else rotated
            keys = list(item)
            at = keys.index("rotated_at") + 1
            entries[index] = {**{k: item[k] for k in keys[:at]}, "updated_at": later,
                              **{k: item[k] for k in keys[at:]}}
    return entries


def expected_keep_versions(expected: dict[str, Any]) -> int:
    """A file older than schema 3 keeps 10 versions (``_upgrade_v2``)."""
    return int(expected["vault"].get("keep_versions", 10))


def expected_history_days(expected: dict[str, Any]) -> int:
    """A file older than schema 4 keeps old credentials 30 days (``_upgrade_v3``)."""
    return int(expected["vault"].get("history_days", 30))


def recorded_journal_key(expected: dict[str, Any]) -> bytes | None:
    """The journal key a fixture holds: a schema-1 file has none (spec 6.4: the upgrade
    adds null); later ones record it."""
    text = expected["vault"].get("journal_key")
    return None if text is None else base64.b64decode(text)


def test_fixtures_are_present_and_paired() -> None:
    assert FIXTURES / "format1-schema1.vault" in VAULT_FILES
    assert FIXTURES / "format1-schema2.vault" in VAULT_FILES
    assert FIXTURES / "format1-schema3.vault" in VAULT_FILES
    assert FIXTURES / "format1-schema4.vault" in VAULT_FILES
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
    assert [as_recorded(entry) for entry in vault.entries] == expected_entries(expected)
    assert vault.meta.journal_key == recorded_journal_key(expected)
    assert vault.meta.keep_versions == expected_keep_versions(expected)
    assert vault.meta.history_days == expected_history_days(expected)
    assert vault.meta.backup is None
    for entry in vault.entries:  # every entry has an updated_at, none before its creation
        assert entry.updated_at >= max(entry.created_at, entry.rotated_at)


def test_old_file_can_be_changed_and_reopened(old_file: tuple[Path, dict[str, Any]]) -> None:
    path, expected = old_file
    vault = Vault.open(path, expected["password"])
    first = vault.entries[0]
    when = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    vault.mark_used(first.id, when=when)
    reopened = Vault.open(path, expected["password"])
    recorded = expected_entries(expected)
    recorded[0]["last_used_at"] = format_ts(when)
    assert [as_recorded(entry) for entry in reopened.entries] == recorded
    assert reopened.meta.id == expected["vault"]["id"]


def test_the_first_save_of_an_old_file_writes_the_current_schema(
        old_file: tuple[Path, dict[str, Any]]) -> None:
    """Spec 6.4: an upgraded document is written as the current schema, every entry
    encoded again (none of its schema-1 text reused), unknown members kept."""
    path, expected = old_file
    vault = Vault.open(path, expected["password"])
    vault.update(vault.entries[-1].id, {"notes": "edited after the upgrade"})
    _, _, plaintext = unlock_bytes(path.read_bytes(), expected["password"])
    stored = json.loads(plaintext)
    assert stored["schema"] == SCHEMA_VERSION
    assert stored["vault"]["journal_key"] == expected["vault"].get("journal_key")
    assert stored["vault"]["keep_versions"] == expected_keep_versions(expected)
    recorded = expected_entries(expected)
    recorded[-1]["notes"] = "edited after the upgrade"
    edited_at = stored["entries"][-1]["updated_at"]  # the edit's moment, now
    assert parse_ts(edited_at) > parse_ts(recorded[-1]["updated_at"])
    recorded[-1]["updated_at"] = edited_at
    assert [{k: v for k, v in item.items() if k in recorded[0]}
            for item in stored["entries"]] == recorded
    assert stored["vault"]["id"] == expected["vault"]["id"]


def test_an_old_file_gets_a_journal_key_once(old_file: tuple[Path, dict[str, Any]]) -> None:
    path, expected = old_file
    vault = Vault.open(path, expected["password"])
    key = vault.ensure_journal_key()
    assert len(key) == 32
    assert recorded_journal_key(expected) in (None, key)  # never replaced once it exists
    reopened = Vault.open(path, expected["password"], read_only=True)
    assert reopened.meta.journal_key == key
    assert reopened.ensure_journal_key() == key
    assert [as_recorded(entry) for entry in reopened.entries] == expected_entries(expected)
