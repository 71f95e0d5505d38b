"""The portfolio's CSV: what a spreadsheet reads, never runs, and how it reaches disk."""

from __future__ import annotations

import csv
import io
import os
import stat
from decimal import Decimal
from pathlib import Path

import pytest

from vault_app.core.errors import NotARegularFile, VaultWriteError
from vault_app.trading.portfolio import (
    GroupResult,
    Holding,
    KeyFailure,
    KeyRef,
    SameKey,
    SharedAccount,
    assemble,
)
from vault_app.trading.portfolio_export import (
    ExportRefused,
    portfolio_csv,
    protected_files,
    refusal,
    safe_cell,
    write_csv,
)

MAIN = KeyRef("k1", "main", "binance", "LIVE binance", True, "LIVE: real money")
EVIL = KeyRef("k2", "=HYPERLINK(\"http://x\")", "kraken", "LIVE kraken", True,
              "LIVE: real money")


def holding(asset: str, key: KeyRef, total: str, price: str | None) -> Holding:
    return Holding(asset, key, Decimal(total), Decimal(total), Decimal(0),
                   None if price is None else Decimal(price))


def sample() -> str:
    groups = [
        GroupResult("binance", "LIVE binance",
                    (holding("BTC", MAIN, "0.5", "60000"),
                     holding("=cmd|' /C calc'!A0", MAIN, "7", None)), (), None),
        GroupResult("kraken", "LIVE kraken", (holding("BTC", EVIL, "0.25", "60000"),),
                    (KeyFailure(KeyRef("k3", "@SUM(1)", "okx", "LIVE okx", True,
                                       "LIVE: real money"),
                                "the exchange refused the API key or secret",
                                "check the key", "AuthFailed"),), None),
    ]
    skipped = KeyRef("k4", "+1", "okx", "LIVE okx", True, "LIVE: real money")
    return portfolio_csv(assemble(groups, "USDT", skipped=[skipped]))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    made = tmp_path / "exports"
    made.mkdir()
    return made


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_cells_a_spreadsheet_would_run_are_made_text(text: str) -> None:
    assert safe_cell(text) == f"'{text}"


@pytest.mark.parametrize("text", ["BTC", "1.5", "", "a=b", "LIVE binance"])
def test_other_cells_are_kept(text: str) -> None:
    assert safe_cell(text) == text


def test_the_csv_has_a_row_per_asset_and_per_key_and_starts_no_formula() -> None:
    table = rows(sample())
    header, body = table[0], table[1:]
    assert header == ["row", "asset", "exchange", "endpoint", "key", "amount", "free",
                      "used", "price (USDT)", "value (USDT)", "note"]
    kinds = [(r[0], r[1], r[4]) for r in body]
    assert kinds[:3] == [("total", "BTC", ""), ("key", "BTC", "main"),
                         ("key", "BTC", "'=HYPERLINK(\"http://x\")")]
    btc = body[0]
    assert (btc[5], btc[9]) == ("0.75", "45000")
    assert ("total", "'=cmd|' /C calc'!A0", "") in kinds
    unpriced = next(r for r in body if r[0] == "key" and r[1].startswith("'=cmd"))
    assert (unpriced[8], unpriced[9]) == ("no price", "")  # not 0
    grand = next(r for r in body if r[0] == "grand total")
    assert grand[9] == "45000" and "no price" in grand[10]
    failed = next(r for r in body if r[0] == "failed")
    assert failed[4] == "'@SUM(1)" and failed[10].startswith("the exchange refused")
    skipped = next(r for r in body if r[0] == "skipped")
    assert skipped[4] == "'+1"
    for row in body:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row


def test_keys_counted_once_are_counted_once_in_the_csv_too() -> None:
    trader = KeyRef("t", "trader", "binance", "LIVE binance", True, "LIVE: real money")
    reader = KeyRef("r", "reader", "binance", "LIVE binance", True, "LIVE: real money")
    copy = KeyRef("c", "trader copy", "binance", "LIVE binance", True, "LIVE: real money")
    usdt = Holding("USDT", trader, Decimal(100), Decimal(100), Decimal(0), Decimal(1),
                   shared_with=(reader,))
    group = GroupResult("binance", "LIVE binance", (usdt,), (), None,
                        (SharedAccount("LIVE binance", (trader, reader)),))

    body = rows(portfolio_csv(assemble([group], "USDT", keys_asked=2,
                                       same_key=[SameKey(copy, trader)])))[1:]

    assert [(r[0], r[4], r[5]) for r in body if r[0] in ("total", "key")] == \
        [("total", "", "100"), ("key", "trader + reader", "100")]
    assert next(r for r in body if r[0] == "grand total")[9] == "100"
    same_account = next(r for r in body if r[0] == "same account")
    assert same_account[4] == "reader" and "'trader'" in same_account[10]
    assert same_account[5] == "" and same_account[9] == ""  # no amount: counted above
    same_key = next(r for r in body if r[0] == "same key")
    assert same_key[4] == "trader copy"
    assert same_key[10] == "same API key as 'trader': not asked, counted once"


def test_written_atomically_private_and_replacing_an_old_export(folder: Path) -> None:
    target = folder / "portfolio.csv"
    target.write_text("row,asset,exchange\r\nold")  # an export of ours, before QUOTE_ALL
    target.chmod(0o644)
    old_umask = os.umask(0)
    try:
        write_csv(target, sample())
    finally:
        os.umask(old_umask)
    assert target.read_bytes() == sample().encode("utf-8")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in folder.iterdir()) == ["portfolio.csv"]  # no temp left


def test_a_symbolic_link_is_refused_and_its_target_untouched(folder: Path) -> None:
    victim = folder / "victim"
    victim.write_text("keep")
    link = folder / "export.csv"
    link.symlink_to(victim)
    with pytest.raises(NotARegularFile, match="symbolic link"):
        write_csv(link, "x")
    assert victim.read_text() == "keep" and link.is_symlink()
    assert sorted(p.name for p in folder.iterdir()) == ["export.csv", "victim"]


def test_a_fifo_is_refused_without_blocking(folder: Path) -> None:
    fifo = folder / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(NotARegularFile, match="FIFO"):
        write_csv(fifo, "x")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_a_device_or_folder_is_refused(folder: Path) -> None:
    with pytest.raises(NotARegularFile, match="character device"):
        write_csv(Path("/dev/null"), "x")
    with pytest.raises(NotARegularFile, match="folder"):
        write_csv(folder, "x")


def test_a_missing_folder_is_a_write_error(folder: Path) -> None:
    with pytest.raises(VaultWriteError, match="nothing was written"):
        write_csv(folder / "nowhere" / "x.csv", "x")


def test_the_open_vault_its_journal_and_lock_file_are_never_replaced(folder: Path) -> None:
    from tests.conftest import FAST_KDF, PASSWORD
    from vault_app.core.vault import Vault
    from vault_app.core.vault_lock import lock_path
    from vault_app.trading.journal import journal_path

    vault_path = folder / "keys.vault"
    Vault.create(vault_path, PASSWORD, FAST_KDF, enforce_kdf_minimum=False).lock()
    journal = journal_path(vault_path)
    journal.write_bytes(b"row,asset,")  # even if it looked like an export: it is the journal's
    lock_path(vault_path).write_bytes(b"")
    before = {p: p.read_bytes() for p in (vault_path, journal, lock_path(vault_path))}
    for target in before:
        with pytest.raises(ExportRefused, match="lose"):
            write_csv(target, sample(), protected=protected_files(vault_path))
        assert refusal(target, protected_files(vault_path)) is not None
    assert {p: p.read_bytes() for p in before} == before
    Vault.open(vault_path, PASSWORD).lock()  # still a vault


def test_the_journals_name_is_refused_before_the_first_order(folder: Path) -> None:
    from tests.conftest import FAST_KDF, PASSWORD
    from vault_app.core.vault import Vault

    vault_path = folder / "keys.vault"
    Vault.create(vault_path, PASSWORD, FAST_KDF, enforce_kdf_minimum=False).lock()
    journal = folder / "keys.vault.journal"
    with pytest.raises(ExportRefused, match="own file"):
        write_csv(journal, sample(), protected=protected_files(vault_path))
    assert not journal.exists()


@pytest.mark.parametrize("head", [b"VAULTAPP\x00\x01rest", b"VAJOURNAL\x01rest"])
def test_any_vault_or_journal_file_is_refused(folder: Path, head: bytes) -> None:
    other = folder / "old-backup.csv"
    other.write_bytes(head)
    with pytest.raises(ExportRefused, match="vault or an order journal"):
        write_csv(other, sample())
    assert other.read_bytes() == head


@pytest.mark.parametrize("content", [b"", b"my notes", b"asset,amount\n"])
def test_another_existing_file_is_left_as_it_was(folder: Path, content: bytes) -> None:
    other = folder / "notes.csv"
    other.write_bytes(content)
    with pytest.raises(ExportRefused, match="not a portfolio export"):
        write_csv(other, sample())
    assert other.read_bytes() == content
    assert sorted(p.name for p in folder.iterdir()) == ["notes.csv"]


def test_an_export_of_ours_is_replaced(folder: Path) -> None:
    target = folder / "portfolio.csv"
    write_csv(target, sample())
    write_csv(target, sample() + "\r\n")
    assert refusal(target) is None


@pytest.mark.parametrize(("text", "written"), [
    ("X;=1+1", "X;'=1+1"), ("X\t=1+1", "X\t'=1+1"), ("X|=cmd", "X|'=cmd"),
    ("a, -1", "a, '-1"), ("X; @SUM(A1)", "X; '@SUM(A1)")])
def test_a_formula_after_a_separator_inside_a_cell_is_made_text(text: str,
                                                                 written: str) -> None:
    assert safe_cell(text) == written


def split_everywhere(text: str) -> list[str]:
    """Every cell a spreadsheet could see, whatever its list separator (quotes ignored,
    as a ``;`` locale reading a ``,`` file does)."""
    cells = [text]
    for separator in (",", ";", "\t", "|", "\r\n", "\n"):
        cells = [part for cell in cells for part in cell.split(separator)]
    return [cell.strip().strip('"').lstrip() for cell in cells]


@pytest.mark.parametrize("asset", ["X;=1+1;=cmd|'/C calc'!A0", "X\t=1+1", "X|=1+1",
                                   "BTC,=2+2", "Ü€"])
def test_an_odd_asset_name_is_written_as_text_and_every_cell_quoted(asset: str) -> None:
    groups = [GroupResult("binance", "LIVE binance",
                          (holding(asset, MAIN, "7", None), holding("BTC", MAIN, "1", "5")),
                          (), None)]
    text = portfolio_csv(assemble(groups, "USDT"))

    table = rows(text)
    odd = [r for r in table if r[0] in ("total", "key") and r[1] != "BTC"]
    assert len(odd) == 2 and all(r[1].startswith("'") for r in odd)
    assert all(line.startswith('"') for line in text.splitlines())  # QUOTE_ALL
    for cell in split_everywhere(text):
        assert not cell.startswith(("=", "+", "@")), cell


def test_test_money_rows_are_marked_and_the_time_is_written() -> None:
    from datetime import UTC, datetime

    testnet = KeyRef("t", "testnet", "binance", "sandbox binance", False, "SANDBOX (testnet)")
    groups = [GroupResult("binance", "LIVE binance", (holding("BTC", MAIN, "0.5", "60000"),),
                          (), None),
              GroupResult("binance", "sandbox binance",
                          (holding("BTC", testnet, "1", "90000"),), (), None)]
    portfolio = assemble(groups, "USDT", as_of=datetime(2026, 11, 21, 18, 5, 7, tzinfo=UTC))
    table = rows(portfolio_csv(portfolio))
    assert table[1][0] == "as of" and table[1][10] == "2026-11-21 18:05:07 UTC"
    kinds = [(r[0], r[4], r[9]) for r in table[2:6]]
    assert kinds == [("total", "", "30000"), ("key", "main", "30000"),
                     ("grand total", "", "30000"), ("test total", "", "90000")]
    test_grand = next(r for r in table if r[0] == "test grand total")
    assert test_grand[9] == "90000" and "kept out of the real grand total" in test_grand[10]
    assert "not in the grand total" not in test_grand[10]  # its own name says so (u2 N7)


def test_test_money_alone_has_no_real_grand_total_of_zero() -> None:
    demo_key = KeyRef("d", "demo", "binance", "http://127.0.0.1:1", False, "DEMO: fake money")
    groups = [GroupResult("binance", "http://127.0.0.1:1",
                          (holding("USDT", demo_key, "100000", "1"),), (), None)]
    kinds = [r[0] for r in rows(portfolio_csv(assemble(groups, "USDT")))]
    assert kinds == ["row", "test total", "test key", "test grand total"]
