"""Each format imports a sample with the right fields; bad files name the line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import make_entry
from vault_app.core import importers
from vault_app.core.errors import NotARegularFile, ValidationError
from vault_app.core.exchanges import load_catalog
from vault_app.core.importers import ExchangeNeeded, ImportFileError, plan

CATALOG = load_catalog()

FREQTRADE = """{
  "max_open_trades": 3,
  "exchange": {
    "name": "okx",
    "key": "okx-key-1234567890",
    "secret": "okx-secret",
    "password": "okx-pass",
    "pair_whitelist": ["BTC/USDT"]
  }
}
"""
ENV = """# bot keys
export BINANCE_API_KEY="bn-key-1234567890"
BINANCE_API_SECRET='bn-secret'   # trailing comment
KRAKEN_API_KEY=kr-key-1234567890
KRAKEN_API_SECRET=kr-secret # note
OTHER=value
"""
CSV = """label,exchange,apiKey,secret,password,permissions,ip
Binance bot,binance,bn-key-1234567890,bn-secret,,read;trade,203.0.113.5
OKX main,okx,okx-key-1234567890,okx-secret,okx-pass,read,
"""
KEEPASSXC = ('"Group","Title","Username","Password","URL","Notes"\n'
             '"Root/Exchanges","Binance bot","bn-key-1234567890","bn-secret",'
             '"https://www.binance.com","a\nmultiline note"\n'
             '"Root/Exchanges","My Kraken","kr-key-1234567890","kr-secret","",""\n')


def entries(fmt: str, text: str, **kw: str) -> list[tuple[str, str, dict[str, str]]]:
    result = plan(importers.parse(text, fmt), [], CATALOG, **kw)
    return [(e.label, e.exchange, dict(e.credentials)) for e in result.entries]


def test_freqtrade() -> None:
    assert entries("freqtrade", FREQTRADE) == [(
        "freqtrade okx", "okx",
        {"apiKey": "okx-key-1234567890", "secret": "okx-secret", "password": "okx-pass"})]


def test_env() -> None:
    assert entries("env", ENV) == [
        ("binance (.env)", "binance", {"apiKey": "bn-key-1234567890", "secret": "bn-secret"}),
        ("kraken (.env)", "kraken", {"apiKey": "kr-key-1234567890", "secret": "kr-secret"}),
    ]


def test_env_without_exchange_asks_then_takes_the_answer() -> None:
    text = "API_KEY=gen-key-1234567890\nAPI_SECRET=gen-secret\n"
    with pytest.raises(ExchangeNeeded):
        entries("env", text)
    assert entries("env", text, exchange="bybit")[0][1:] == (
        "bybit", {"apiKey": "gen-key-1234567890", "secret": "gen-secret"})
    assert entries("env", "EXCHANGE=kraken\n" + text)[0][1] == "kraken"


def test_csv() -> None:
    result = plan(importers.parse(CSV, "csv"), [], CATALOG)
    first, second = result.entries
    assert (first.label, first.exchange, first.permissions, first.ip_whitelist) == (
        "Binance bot", "binance", ("read", "trade"), ("203.0.113.5",))
    assert second.credentials["password"] == "okx-pass"
    assert result.lines == (2, 3)


def test_keepassxc_finds_the_exchange_in_url_or_title() -> None:
    assert entries("keepassxc-csv", KEEPASSXC) == [
        ("Binance bot", "binance", {"apiKey": "bn-key-1234567890", "secret": "bn-secret"}),
        ("My Kraken", "kraken", {"apiKey": "kr-key-1234567890", "secret": "kr-secret"}),
    ]


def test_duplicates_in_vault_and_in_file_are_skipped_and_labels_kept_unique() -> None:
    stored = make_entry(label="Binance bot", exchange="binance",
                        credentials={"apiKey": "bn-key-1234567890", "secret": "x"})
    text = (CSV + "OKX again,okx,okx-key-1234567890,s,p,read,\n"
            "Binance bot,kraken,k2-key-999999,s,,read,\n")
    result = plan(importers.parse(text, "csv"), [stored], CATALOG)
    assert [e.label for e in result.entries] == ["OKX main", "Binance bot (2)"]
    assert [(s.line, s.api_key) for s in result.skipped] == [(2, "bn-k…7890"), (4, "okx-…7890")]
    assert [s.reason for s in result.skipped] == [
        "the same API key is already stored as 'Binance bot'",
        "the same API key is on line 3 too"]
    assert "bn-secret" not in repr(result)


@pytest.mark.parametrize(("fmt", "text", "line", "fragment"), [
    ("freqtrade", '{\n  "exchange": {\n    "name": "okx",\n    "key": 12\n  }\n}', 4, "key"),
    ("freqtrade", '{\n  "exchange": {\n    "name": "okx",,\n  }\n}', 3, "freqtrade"),
    ("freqtrade", '{"exchange": {"name": "okx", "name": "x", "key": "k"}}', None, "same name"),
    ("env", "BINANCE_API_KEY=abc\nthis is not env\n", 2, "NAME=value"),
    ("env", 'BINANCE_API_KEY="abc\n', 1, "quote"),
    ("csv", CSV + "Broken,binance,only-three\n", 4, "3 fields"),
    ("csv", CSV + "Bad,nosuchexchange,key-12345678,s,,read,\n", 4, "exchange"),
    ("csv", CSV + "Bad,binance,key-12345678,s,,fly,\n", 4, "permission"),
    ("csv", CSV + "Bad,binance,key-12345678,s,,read,999.1.1.1\n", 4, "ip"),
    ("csv", CSV + "Bad\x07label,binance,key-12345678,s,,read,\n", 4, "label"),
    ("csv", "label,exchange,apiKey\n", 1, "secret"),
    ("csv", CSV + 'x,binance,"open quote\n', 4, "CSV"),
    ("keepassxc-csv", "a,b\n1,2\n", 1, "KeePassXC"),
])
def test_malformed_files_name_the_line(fmt: str, text: str, line: int | None,
                                       fragment: str) -> None:
    with pytest.raises(ImportFileError) as caught:
        plan(importers.parse(text, fmt), [], CATALOG)
    assert caught.value.line == line
    assert fragment.lower() in str(caught.value).lower()
    assert "nothing was imported" in str(caught.value)


def test_reader_handles_bom_crlf_fifo_symlink_binary_and_size(tmp_path: Path) -> None:
    path = tmp_path / "keys.csv"
    path.write_bytes(b"\xef\xbb\xbf" + CSV.replace("\n", "\r\n").encode())
    assert len(plan(importers.load(path, "csv"), [], CATALOG).entries) == 2
    link = tmp_path / "link.csv"
    link.symlink_to(path)
    assert len(importers.load(link, "csv")) == 2
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(NotARegularFile):
        importers.load(fifo, "csv")
    junk = tmp_path / "junk"
    junk.write_bytes(b"\xff\xfe\x00\x01binary")
    with pytest.raises(ValidationError, match="UTF-8"):
        importers.load(junk, "csv")
    huge = tmp_path / "huge"
    huge.write_bytes(b"a" * (importers.common.IMPORT_LIMIT + 1))
    with pytest.raises(ValidationError, match="too large"):
        importers.load(huge, "env")


def test_delete_source_removes_a_link_and_names_its_target(tmp_path: Path) -> None:
    target = tmp_path / "real.env"
    target.write_text("x")
    link = tmp_path / "link.env"
    link.symlink_to(target)
    _, source = importers.read_identified(link)
    assert importers.delete_source(source) == target  # the secrets are still there
    assert target.exists() and not link.exists()
    _, source = importers.read_identified(target)
    assert importers.delete_source(source) is None
    assert not target.exists()
    (tmp_path / "folder").mkdir()
    gone = importers.SourceFile(tmp_path / "folder", tmp_path / "folder", 0, 0, 0, 0, "")
    with pytest.raises(NotARegularFile):
        importers.delete_source(gone)


@pytest.mark.parametrize("change", ["append", "same size", "replace", "retarget", "remove"])
def test_delete_source_keeps_a_file_changed_since_it_was_read(tmp_path: Path,
                                                              change: str) -> None:
    path = tmp_path / "bot.env"
    path.write_text("KUCOIN_API_KEY=k1\n")
    other = tmp_path / "other.env"
    other.write_text("KUCOIN_API_KEY=k1\n")
    link = tmp_path / "link.env"
    link.symlink_to(path)
    _, source = importers.read_identified(link if change == "retarget" else path)
    stamp = os.stat(path).st_mtime_ns
    if change == "append":
        with path.open("a") as f:
            f.write("BYBIT_API_KEY=new\n")
    elif change == "same size":  # same size and mtime: only the hash tells
        path.write_text("KUCOIN_API_KEY=k2\n")
        os.utime(path, ns=(stamp, stamp))
    elif change == "replace":  # an editor's save: a new file renamed over it
        os.replace(other, path)
    elif change == "retarget":
        link.unlink()
        link.symlink_to(other)
    else:
        path.unlink()
    with pytest.raises(importers.SourceChanged, match=r"not deleted|nothing was deleted"):
        importers.delete_source(source)
    assert (link if change == "retarget" else path).exists() or change == "remove"


@pytest.mark.parametrize(("fmt", "text", "line"), [
    ("csv", "label,exchange,apiKey,secret\nx,binance,AKCSV0000003,SECRET\0NUL\n", 2),
    ("freqtrade", '{"exchange": {"name": "binance", "key": "AK\\u0000NUL",\n'
                  '"secret": "s"}}', 1),
])
def test_a_nul_in_a_credential_is_refused_with_its_line(fmt: str, text: str,
                                                        line: int) -> None:
    with pytest.raises(ImportFileError, match=rf"^line {line}: \w+: the .* contains the "
                       r"control character U\+0000 \(NUL\).*nothing was imported$"):
        plan(importers.parse(text, fmt), [], CATALOG)


def test_guess_format() -> None:
    guess = importers.guess_format
    assert guess(Path("config.json"), FREQTRADE) == "freqtrade"
    assert guess(Path(".env"), ENV) == "env"
    assert guess(Path("export.csv"), KEEPASSXC) == "keepassxc-csv"
    assert guess(Path("keys.csv"), CSV) == "csv"


def test_env_keys_of_other_services_are_skipped_not_imported() -> None:
    """Only an exchange id as prefix, the bare API_KEY or freqtrade's variables make a
    key: another service's key is neither stored as an exchange key (with --exchange)
    nor a reason to refuse the file (an OPENAI_API_KEY without a secret)."""
    text = ("BINANCE_API_KEY=bn-key-1234567890\nBINANCE_API_SECRET=bn-secret\n"
            "TWILIO_API_KEY=tw-key-1234567890\nTWILIO_API_SECRET=tw-secret\n"
            "OPENAI_API_KEY=sk-openai-1234567890\n"
            "MYBOT_API_KEY=bot-key-1234567890\nMYBOT_API_SECRET=bot-secret\n")
    for exchange in ({}, {"exchange": "binance"}):
        result = plan(importers.parse(text, "env"), [], CATALOG, **exchange)
        assert [(e.exchange, e.credentials["apiKey"]) for e in result.entries] == [
            ("binance", "bn-key-1234567890")]
        assert [(s.line, s.reason) for s in result.skipped] == [
            (3, "TWILIO_ is not an exchange: not an exchange key: skipped"),
            (5, "OPENAI_ is not an exchange: not an exchange key: skipped"),
            (6, "MYBOT_ is not an exchange: not an exchange key: skipped")]
        assert "tw-key" not in repr(result.skipped)  # masked


def test_env_reads_freqtrades_own_variables() -> None:
    text = ("FREQTRADE__EXCHANGE__NAME=kraken\nFREQTRADE__EXCHANGE__KEY=ft-key-1234567890\n"
            "FREQTRADE__EXCHANGE__SECRET=ft-secret\n")
    assert entries("env", text) == [
        ("freqtrade (.env)", "kraken", {"apiKey": "ft-key-1234567890", "secret": "ft-secret"})]


def test_keepassxc_with_no_exchange_in_sight_asks() -> None:
    text = '"Title","Username","Password"\n"My bot","bot-key-1234567890","s"\n'
    with pytest.raises(ExchangeNeeded):
        entries("keepassxc-csv", text)
    assert entries("keepassxc-csv", text, exchange="kraken")[0][:2] == ("My bot", "kraken")
