"""``import`` through the real CLI: each format, malformed files, --dry-run."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, CliResult
from tests.e2e.support import assert_fails, assert_ok, folder_state
from tests.unit.core.importers.test_importers import CSV, ENV, FREQTRADE, KEEPASSXC
from vault_app.core.vault import Vault

Cli = Callable[..., CliResult]
SECRETS = ("okx-secret", "okx-pass", "bn-secret", "kr-secret")


@pytest.fixture
def vault(new_vault: Callable[..., Vault], vault_path: Path) -> Path:
    new_vault(0)
    return vault_path


def stored(path: Path) -> dict[str, tuple[str, dict[str, str]]]:
    return {e.label: (e.exchange, dict(e.credentials))
            for e in Vault.open(path, PASSWORD, read_only=True).entries}


@pytest.mark.parametrize(("fmt", "name", "text", "expected"), [
    ("freqtrade", "config.json", FREQTRADE, {"freqtrade okx": "okx"}),
    ("env", ".env", ENV, {"binance (.env)": "binance", "kraken (.env)": "kraken"}),
    ("csv", "keys.csv", CSV, {"Binance bot": "binance", "OKX main": "okx"}),
    ("keepassxc-csv", "kp.csv", KEEPASSXC, {"Binance bot": "binance", "My Kraken": "kraken"}),
])
def test_each_format_imports_and_keeps_the_source(cli: Cli, vault: Path, tmp_path: Path,
                                                  fmt: str, name: str, text: str,
                                                  expected: dict[str, str]) -> None:
    source = tmp_path / name
    source.write_text(text)
    result = assert_ok(cli("import", str(source), "--format", fmt, stdin=PASSWORD + "\n"))
    keys = stored(vault)
    assert {label: exchange for label, (exchange, _) in keys.items()} == expected
    assert all(creds["secret"] for _, creds in keys.values())
    assert f"Imported {len(expected)} key(s)" in result.out
    assert "plain text" in result.err
    assert source.exists()  # never deleted without asking
    assert not any(secret in result.out + result.err for secret in SECRETS)


def test_duplicates_are_skipped_and_reported(cli: Cli, vault: Path, tmp_path: Path) -> None:
    source = tmp_path / "keys.csv"
    source.write_text(CSV)
    assert_ok(cli("import", str(source), "--format", "csv", stdin=PASSWORD + "\n"))
    again = assert_ok(cli("import", str(source), "--format", "csv", stdin=PASSWORD + "\n"))
    assert again.out.count("skipped: line") == 2
    assert "Nothing to import." in again.out
    assert len(stored(vault)) == 2


def test_malformed_file_names_the_line_and_writes_nothing(cli: Cli, vault: Path,
                                                          tmp_path: Path) -> None:
    source = tmp_path / "keys.csv"
    source.write_text(CSV + "Bad,binance,key-12345678,s,,fly,\n")
    before = folder_state(vault.parent)
    result = cli("import", str(source), "--format", "csv", stdin=PASSWORD + "\n")
    assert_fails(result, 1, "line 4", "permission", "nothing was imported")
    assert folder_state(vault.parent) == before


def test_dry_run_masks_secrets_and_writes_nothing(cli: Cli, vault: Path,
                                                  tmp_path: Path) -> None:
    source = tmp_path / "keys.csv"
    source.write_text(CSV)
    before = folder_state(vault.parent)
    result = assert_ok(cli("import", str(source), "--format", "csv", "--dry-run",
                           stdin=PASSWORD + "\n"))
    assert "would import: line 2: 'Binance bot' (binance) API key bn-k…7890" in result.out
    assert "bn-key-1234567890" not in result.out
    assert not any(secret in result.out + result.err for secret in SECRETS)
    assert folder_state(vault.parent) == before


def test_env_without_exchange_needs_the_option(cli: Cli, vault: Path, tmp_path: Path) -> None:
    source = tmp_path / ".env"
    source.write_text("API_KEY=gen-key-1234567890\nAPI_SECRET=gen-secret\n")
    assert_fails(cli("import", str(source), "--format", "env", stdin=PASSWORD + "\n"), 1,
                 "line 1", "which exchange", "--exchange ID", "nothing was imported")
    assert stored(vault) == {}
    assert_ok(cli("import", str(source), "--format", "env", "--exchange", "bybit",
                  "--delete-source", stdin=PASSWORD + "\n"))
    assert stored(vault)["key (.env)"][0] == "bybit"
    assert not source.exists()  # asked for with --delete-source


def test_a_fifo_is_refused(cli: Cli, vault: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.env"
    os.mkfifo(fifo)
    result = cli("import", str(fifo), "--format", "env", stdin=PASSWORD + "\n", timeout=20)
    assert_fails(result, 5, "not a file to import", "nothing was read")


def on_terminal(args: list[str], vault: Path, answers: list[tuple[str, str]], *,
                code: int = 0, before: Callable[[], None] | None = None) -> str:
    """Run the CLI on a pseudo-terminal; each (prompt, answer) is typed once the prompt
    shows (``before`` runs before the first answer). What the terminal showed."""
    import pty
    import select
    import subprocess
    import sys

    from tests.conftest import REPO

    master, slave = pty.openpty()
    env = dict(os.environ, VAULT_APP_VAULT=str(vault))
    proc = subprocess.Popen([sys.executable, "-m", "vault_app.cli", *args], stdin=slave,
                            stdout=slave, stderr=slave, env=env, cwd=REPO,
                            start_new_session=True)  # the pty becomes its /dev/tty
    os.close(slave)
    shown, pending = "", list(answers)
    try:
        while True:
            ready, _, _ = select.select([master], [], [], 30)
            assert ready, f"the CLI went silent; it showed: {shown!r}"
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            shown += chunk.decode(errors="replace")
            if pending and pending[0][0] in shown:
                if before is not None and len(pending) == len(answers):
                    before()
                os.write(master, pending.pop(0)[1].encode() + b"\n")
    finally:
        os.close(master)
        assert proc.wait(30) == code, shown
    assert not pending, shown
    return shown


@pytest.mark.parametrize(("answer", "deleted"), [("", False), ("n", False), ("y", True)])
def test_on_a_terminal_the_source_is_deleted_only_on_yes(vault: Path, tmp_path: Path,
                                                         answer: str, deleted: bool) -> None:
    source = tmp_path / "keys.csv"
    source.write_text(CSV)
    shown = on_terminal(["import", str(source), "--format", "csv"], vault,
                        [("Master password:", PASSWORD), ("now? [y/N]", answer)])
    assert "still holds these secrets in plain text" in shown
    assert source.exists() is not deleted
    assert len(stored(vault)) == 2


def test_a_source_changed_after_it_was_read_is_not_deleted(vault: Path, tmp_path: Path) -> None:
    """The file is read before the password prompt; a key appended while the password
    is typed is in neither the vault nor anywhere else if the file is deleted."""
    source = tmp_path / "bot.env"
    source.write_text(ENV)
    added = "BYBIT_API_KEY=bybit-key-1234567890\nBYBIT_API_SECRET=bybit-secret\n"

    def append() -> None:
        with source.open("a") as f:
            f.write(added)

    shown = on_terminal(["import", str(source), "--format", "env", "--delete-source"], vault,
                        [("Master password:", PASSWORD)], code=1, before=append)
    assert "changed since it was read" in shown and "not deleted" in shown
    assert source.read_text().endswith(added)  # the new key is still there
    assert "Deleted" not in shown


def test_deleting_through_a_link_says_the_target_still_holds_the_secrets(
        cli: Cli, vault: Path, tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "config.env"
    target.write_text(ENV)
    link = tmp_path / "link.env"
    link.symlink_to(target)
    result = cli("import", str(link), "--format", "env", "--delete-source",
                 stdin=PASSWORD + "\n")
    assert_fails(result, 1, f"deleted only the link {link}", f"{target}, still holds the "
                 "secrets in plain text")  # a script must not believe the secret is gone
    assert "Deleted" not in result.out
    assert not link.exists() and target.read_text() == ENV
    assert len(stored(vault)) == 2  # the import itself was saved


def test_another_services_keys_in_a_env_are_skipped(cli: Cli, vault: Path,
                                                    tmp_path: Path) -> None:
    source = tmp_path / "bot.env"
    source.write_text("BINANCE_API_KEY=bn-key-1234567890\nBINANCE_API_SECRET=bn-secret\n"
                      "TWILIO_API_KEY=tw-key-1234567890\nTWILIO_API_SECRET=tw-secret\n")
    skipped = ("skipped: line 3: 'twilio (.env)' API key tw-k…7890: TWILIO_ is not an "
               "exchange: not an exchange key: skipped")
    dry = assert_ok(cli("import", str(source), "--format", "env", "--dry-run",
                        stdin=PASSWORD + "\n"))
    assert skipped in dry.out
    result = assert_ok(cli("import", str(source), "--format", "env", "--exchange", "binance",
                           stdin=PASSWORD + "\n"))
    assert skipped in result.out and "Imported 1 key(s)" in result.out
    assert [creds["apiKey"] for _, creds in stored(vault).values()] == ["bn-key-1234567890"]
