"""``--max-notional``: the per-key order limit through the real CLI (issue 8)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, CliResult, make_entry
from tests.e2e.support import assert_fails, assert_ok, folder_state, temp_files
from vault_app.core.vault import Vault

Cli = Callable[..., CliResult]
BINANCE = {"apiKey": "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zv", "secret": "NhqPtmdSJYdKjVHjA7PZj4Mg"}


def lines(*values: str) -> str:
    return "".join(f"{value}\n" for value in values)


@pytest.fixture
def keys(new_vault: Callable[..., Vault], vault_path: Path) -> Path:
    vault = new_vault(0)
    vault.add(make_entry("spot", "binance", permissions="read,trade"))
    return vault_path


def limit_of(path: Path, label: str) -> Decimal | None:
    return Vault.open(path, PASSWORD, read_only=True).find(label).max_notional


def show_json(cli: Cli, label: str) -> dict[str, object]:
    result: dict[str, object] = json.loads(assert_ok(cli("show", label, "--json",
                                                         stdin=lines(PASSWORD))).out)
    return result


def test_add_stores_the_limit_and_show_prints_it(cli: Cli, keys: Path) -> None:
    result = cli("add", "--exchange", "binance", "--label", "bot", "--permissions",
                 "read,trade", "--max-notional", "2500.50",
                 stdin=lines(PASSWORD, *BINANCE.values()))
    assert_ok(result)
    assert limit_of(keys, "bot") == Decimal("2500.5")
    assert show_json(cli, "bot")["max_notional"] == "2500.5"  # a string, never a number
    shown = assert_ok(cli("show", "bot", stdin=lines(PASSWORD))).out
    assert re.search(r"^Max order notional +2500\.5 USD per order$", shown, re.MULTILINE), shown
    listed = json.loads(assert_ok(cli("list", "--json", stdin=lines(PASSWORD))).out)
    assert {item["label"]: item["max_notional"] for item in listed} == {
        "spot": None, "bot": "2500.5"}


def test_without_the_option_there_is_no_limit(cli: Cli, keys: Path) -> None:
    assert show_json(cli, "spot")["max_notional"] is None
    assert "no limit" in assert_ok(cli("show", "spot", stdin=lines(PASSWORD))).out


def test_edit_sets_changes_and_clears_the_limit(cli: Cli, keys: Path) -> None:
    assert_ok(cli("edit", "spot", "--max-notional", "1000", stdin=lines(PASSWORD)))
    assert limit_of(keys, "spot") == Decimal(1000)
    assert_ok(cli("edit", "spot", "--notes", "other change", stdin=lines(PASSWORD)))
    assert limit_of(keys, "spot") == Decimal(1000)  # an edit of another field keeps it
    assert_ok(cli("edit", "spot", "--max-notional", "0.5", stdin=lines(PASSWORD)))
    assert show_json(cli, "spot")["max_notional"] == "0.5"
    assert_ok(cli("edit", "spot", "--max-notional", "", stdin=lines(PASSWORD)))
    assert limit_of(keys, "spot") is None
    assert show_json(cli, "spot")["max_notional"] is None


@pytest.mark.parametrize(("amount", "fragment"), [
    ("-5", "must not be negative"),
    ("0", "more than zero"),
    ("NaN", "finite"),
    ("inf", "finite"),
    ("1e3", "digits and at most one point"),
    ("1,000", "digits and at most one point"),
    ("9" * 37, "more than 36 digits"),
])
@pytest.mark.parametrize("command", ["add", "edit"])
def test_a_bad_limit_is_refused_before_anything_is_asked_or_written(
        cli: Cli, keys: Path, command: str, amount: str, fragment: str) -> None:
    before = folder_state(keys)
    if command == "add":
        args = ["add", "--exchange", "binance", "--label", "bot", "--max-notional", amount]
    else:
        args = ["edit", "spot", "--max-notional", amount]
    # add: refused before the password and credentials are read (none is given)
    result = cli(*args, stdin="" if command == "add" else lines(PASSWORD))
    assert_fails(result, 1, "maximum order notional", fragment)
    assert folder_state(keys) == before and temp_files(keys) == []


def test_help_names_the_option(cli: Cli) -> None:
    for command in ("add", "edit"):
        assert "--max-notional AMOUNT" in assert_ok(cli(command, "--help")).out
