"""The ``vault-app-cli`` contract, through real subprocesses.

Every test checks the exit code, a fragment of the message on standard error,
and that no traceback is ever printed. Every refused command must leave the
vault folder byte-identical.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, REPO, CliResult, make_entry
from tests.e2e.support import (
    ERROR_PREFIX,
    assert_fails,
    assert_ok,
    assert_private,
    assert_usage,
    build_big_vault,
    child_env,
    file_mode,
    folder_state,
    temp_files,
)
from vault_app.core.model import KeyEntry
from vault_app.core.vault import Vault

Cli = Callable[..., CliResult]

NEW_PASSWORD = "quartz-lantern-mosaic-47-orbit"
PAST = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)

OKX = {
    "apiKey": "5f1c2b7d-9e3a-4c1b-8d7e-a0b1c2d3e4f5",
    "secret": "9C4E1A7F3B2D8E6C0A5F4B3D2E1C0B9A",
    "password": "Pp-7hK2qW9zX",
}
BINANCE = {
    "apiKey": "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",
    "secret": "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j",
}
PEM_LINES = [
    "-----BEGIN PRIVATE KEY-----",
    "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g",
    "-----END PRIVATE KEY-----",
]
PEM = "\n".join(PEM_LINES)


def lines(*values: str) -> str:
    return "".join(f"{value}\n" for value in values)


def windows(value: str, size: int = 8) -> set[str]:
    """Every substring of ``size`` characters: not even a fragment may leak."""
    return {value[i:i + size] for i in range(len(value) - size + 1)}


def assert_no_credentials(text: str, *credentials: dict[str, str]) -> None:
    for creds in credentials:
        for name, value in creds.items():
            for fragment in windows(value):
                assert fragment not in text, f"{name} leaked: {fragment!r}"


def open_vault(path: Path, password: str = PASSWORD) -> Vault:
    return Vault.open(path, password)


def only_entry(path: Path, label: str, password: str = PASSWORD) -> KeyEntry:
    return open_vault(path, password).find(label)


@pytest.fixture
def keys(new_vault: Callable[..., Vault], vault_path: Path) -> Path:
    """A vault with an OKX key (read+trade, one IP) and a Binance key, made in the past."""
    vault = new_vault(0)
    vault.add(make_entry("OKX main", "okx", credentials=OKX, permissions="read,trade",
                         ip_whitelist="203.0.113.7", now=PAST))
    vault.add(make_entry("Binance spot", "binance", credentials=BINANCE, now=PAST))
    return vault_path


def snapshot(path: Path) -> Callable[[], None]:
    """Call the result after a refused command: the vault folder must be byte-identical."""
    before = folder_state(path)

    def check() -> None:
        assert folder_state(path) == before
        assert temp_files(path) == []

    return check


# --- init --------------------------------------------------------------------------


@pytest.mark.slow
def test_init_creates_a_private_vault_reading_the_password_twice(
    cli: Cli, tmp_path: Path, vault_path: Path
) -> None:
    path = tmp_path / "new" / "folder" / "my.vault"
    result = assert_ok(cli("--vault", str(path), "init",
                           stdin=lines(NEW_PASSWORD, NEW_PASSWORD)))
    assert f"Created {path}" in result.out
    assert not vault_path.exists()  # --vault wins over $VAULT_APP_VAULT
    assert "Argon2id m=256 MiB, t=3, p=4" in result.out
    assert_private(path)
    assert file_mode(path.parent) == 0o700
    info = json.loads(assert_ok(cli("--vault", str(path), "inspect", "--json")).out)
    assert info["kdf"] == {"name": "argon2id", "memory_kib": 262144, "iterations": 3,
                           "parallelism": 4}
    listed = assert_ok(cli("--vault", str(path), "list", stdin=lines(NEW_PASSWORD)))
    assert "No keys" in listed.out


def test_init_refuses_an_existing_file(cli: Cli, vault_path: Path) -> None:
    vault_path.write_bytes(b"precious data that is not a vault")
    before = folder_state(vault_path)
    result = cli("init", stdin=lines(NEW_PASSWORD, NEW_PASSWORD))
    assert_fails(result, 1, "already exists", str(vault_path), "refusing to overwrite")
    assert folder_state(vault_path) == before


def test_init_refuses_mismatched_passwords(cli: Cli, vault_path: Path) -> None:
    result = cli("init", stdin=lines(NEW_PASSWORD, NEW_PASSWORD + "x"))
    assert_fails(result, 1, "do not match")
    assert not vault_path.exists()


@pytest.mark.parametrize("weak", ["password", "password123", "qwertyuiop", "aaaaaaaaaaaa",
                                  "hunter2"])
def test_init_refuses_a_weak_password(cli: Cli, vault_path: Path, weak: str) -> None:
    result = cli("init", stdin=lines(weak, weak))
    assert_fails(result, 1, "weak", "choose a stronger master password")
    assert not vault_path.exists()


def test_init_needs_the_password_twice_on_stdin(cli: Cli, vault_path: Path) -> None:
    result = cli("init", stdin=lines(NEW_PASSWORD))
    assert_fails(result, 1, "expected the new master password again", "line 2",
                 "end of input")
    assert not vault_path.exists()


def test_init_with_no_input_at_all(cli: Cli, vault_path: Path) -> None:
    assert_fails(cli("init"), 1, "expected the new master password", "line 1")
    assert not vault_path.exists()


# --- add ---------------------------------------------------------------------------


def test_add_okx_reads_password_key_secret_passphrase_in_order(
    cli: Cli, new_vault: Callable[..., Vault], vault_path: Path
) -> None:
    new_vault(0)
    result = assert_ok(cli(
        "add", "--exchange", "okx", "--label", "OKX main", "--permissions", "read,trade",
        "--ip", "203.0.113.7, 2001:db8::/32", "--tags", "spot,bot", "--notes", "desk 3",
        stdin=lines(PASSWORD, OKX["apiKey"], OKX["secret"], OKX["password"]),
    ))
    assert "Added 'OKX main' (OKX; read, trade; live)" in result.out
    assert "warning" not in result.err
    assert_no_credentials(result.out + result.err, OKX)
    entry = only_entry(vault_path, "OKX main")
    assert dict(entry.credentials) == OKX
    assert entry.exchange == "okx"
    assert entry.permissions == ("read", "trade")
    assert entry.ip_whitelist == ("203.0.113.7", "2001:db8::/32")
    assert entry.environment == "live"
    assert entry.tags == ("spot", "bot")
    assert entry.notes == "desk 3"
    assert_private(vault_path)
    assert temp_files(vault_path) == []


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_add_binance_with_a_multiline_pem_secret(
    cli: Cli, new_vault: Callable[..., Vault], vault_path: Path, newline: str
) -> None:
    new_vault(0)
    stdin = newline.join([PASSWORD, BINANCE["apiKey"], *PEM_LINES]) + newline
    result = assert_ok(cli("add", "--exchange", "binance", "--label", "Binance ed25519",
                           stdin=stdin))
    assert "Added 'Binance ed25519'" in result.out
    assert_no_credentials(result.out + result.err, BINANCE, {"pem": PEM_LINES[1]})
    entry = only_entry(vault_path, "Binance ed25519")
    assert dict(entry.credentials) == {"apiKey": BINANCE["apiKey"], "secret": PEM}
    revealed = assert_ok(cli("show", "Binance ed25519", "--reveal", "--json",
                             stdin=lines(PASSWORD)))
    assert json.loads(revealed.out)["credentials"]["secret"] == PEM


def test_add_pem_secret_cut_off_before_its_end_line(
    cli: Cli, new_vault: Callable[..., Vault], vault_path: Path
) -> None:
    new_vault(1)
    check = snapshot(vault_path)
    result = cli("add", "--exchange", "binance", "--label", "cut",
                 stdin=lines(PASSWORD, BINANCE["apiKey"], *PEM_LINES[:2]))
    assert_fails(result, 1, "expected the rest of the PEM secret", "end of input")
    check()


@pytest.mark.parametrize(("permissions", "ip", "warning"), [
    ("read,trade", None, "can trade but has no IP whitelist"),
    ("read,withdraw", "198.51.100.0/24", "withdraw rights"),
])
def test_add_warns_about_risky_permissions(
    cli: Cli, new_vault: Callable[..., Vault], permissions: str, ip: str | None, warning: str
) -> None:
    new_vault(0)
    args = ["add", "--exchange", "binance", "--label", "risky", "--permissions", permissions]
    if ip:
        args += ["--ip", ip]
    result = assert_ok(cli(*args, stdin=lines(PASSWORD, *BINANCE.values())))
    assert "vault-app-cli: warning: " in result.err
    assert warning in result.err


def test_a_trading_key_for_an_exchange_on_this_computer_needs_no_ip_whitelist(
    cli: Cli, new_vault: Callable[..., Vault]
) -> None:
    """The demo exchange's key: its requests never leave 127.0.0.1."""
    new_vault(0)
    result = assert_ok(cli("add", "--exchange", "binance", "--label", "demo trading",
                           "--permissions", "read,trade", "--api-url",
                           "http://127.0.0.1:8765", stdin=lines(PASSWORD, *BINANCE.values())))
    assert "IP whitelist" not in result.err


def test_add_sandbox_and_custom_url(
    cli: Cli, new_vault: Callable[..., Vault], vault_path: Path
) -> None:
    new_vault(0)
    assert_ok(cli("add", "--exchange", "okx", "--label", "demo", "--sandbox",
                  stdin=lines(PASSWORD, "k1", "s1", "p1")))
    assert_ok(cli("add", "--exchange", "okx", "--label", "eea", "--api-url",
                  "https://eea.okx.com/", stdin=lines(PASSWORD, "k2", "s2", "p2")))
    vault = open_vault(vault_path)
    assert (vault.find("demo").environment, vault.find("demo").api_url) == ("sandbox", None)
    assert (vault.find("eea").environment, vault.find("eea").api_url) == \
        ("custom", "https://eea.okx.com")


# --- list --------------------------------------------------------------------------


def test_list_table_never_shows_credentials(cli: Cli, keys: Path) -> None:
    result = assert_ok(cli("list", stdin=lines(PASSWORD)))
    table = result.out.splitlines()
    assert table[0].split() == ["LABEL", "EXCHANGE", "PERMISSIONS", "ENV", "ROTATION", "LAST",
                                "USED"]
    assert len(table) == 3
    assert any(row.startswith("OKX main ") and "okx" in row and "read,trade" in row
               for row in table)
    assert any(row.startswith("Binance spot ") and "binance" in row for row in table)
    assert "overdue" in result.out  # made in 2025 with a 90-day reminder
    assert_no_credentials(result.out + result.err, OKX, BINANCE)


def test_list_json_never_shows_credentials(cli: Cli, keys: Path) -> None:
    result = assert_ok(cli("list", "--json", stdin=lines(PASSWORD)))
    data = json.loads(result.out)
    assert [item["label"] for item in data] == ["OKX main", "Binance spot"]
    okx = data[0]
    assert okx["exchange"] == "okx"
    assert okx["permissions"] == ["read", "trade"]
    assert okx["ip_whitelist"] == ["203.0.113.7"]
    assert okx["created_at"] == okx["rotated_at"] == okx["updated_at"] == "2025-01-02T03:04:05Z"
    assert okx["rotation_overdue"] is True
    assert okx["credential_fields"] == ["apiKey", "secret", "password"]
    assert "credentials" not in okx
    assert_no_credentials(result.out + result.err, OKX, BINANCE)


def test_list_of_an_empty_vault(cli: Cli, new_vault: Callable[..., Vault]) -> None:
    new_vault(0)
    assert "No keys" in assert_ok(cli("list", stdin=lines(PASSWORD))).out
    assert json.loads(assert_ok(cli("list", "--json", stdin=lines(PASSWORD))).out) == []


# --- show --------------------------------------------------------------------------


def test_show_masks_secrets(cli: Cli, keys: Path) -> None:
    result = assert_ok(cli("show", "OKX main", stdin=lines(PASSWORD)))
    fields = {}
    for line in result.out.splitlines():
        name, _, value = line.partition("  ")
        fields[name.strip()] = value.strip()
    assert fields["Label"] == "OKX main"
    assert fields["IP whitelist"] == "203.0.113.7"
    assert fields["API key"] == "5f1c…e4f5"
    assert fields["Secret"] == "•" * 8
    assert fields["Passphrase"] == "•" * 8
    assert fields["Updated"] == "2025-01-02T03:04:05Z"
    assert_no_credentials(result.out + result.err, OKX, BINANCE)


def test_show_json_masks_secrets(cli: Cli, keys: Path) -> None:
    result = assert_ok(cli("show", "okx MAIN", "--json", stdin=lines(PASSWORD)))
    data = json.loads(result.out)
    assert data["label"] == "OKX main"
    assert data["credentials"] == {"apiKey": "5f1c…e4f5", "secret": "•" * 8,
                                   "password": "•" * 8}
    assert_no_credentials(result.out + result.err, OKX, BINANCE)


def test_show_reveal_prints_secrets(cli: Cli, keys: Path) -> None:
    result = assert_ok(cli("show", "OKX main", "--reveal", stdin=lines(PASSWORD)))
    for value in OKX.values():
        assert value in result.out
    assert_no_credentials(result.out, BINANCE)
    data = json.loads(assert_ok(cli("show", "OKX main", "--reveal", "--json",
                                    stdin=lines(PASSWORD))).out)
    assert data["credentials"] == OKX


# --- edit --------------------------------------------------------------------------


def test_edit_renames(cli: Cli, keys: Path) -> None:
    before = only_entry(keys, "OKX main")
    result = assert_ok(cli("edit", "OKX main", "--label", "OKX trading",
                           stdin=lines(PASSWORD)))
    assert "Updated 'OKX trading'" in result.out
    after = only_entry(keys, "OKX trading")
    assert after.id == before.id
    assert after.credentials == before.credentials
    assert after.rotated_at == before.rotated_at
    assert_fails(cli("show", "OKX main", stdin=lines(PASSWORD)), 1, "no key labelled 'OKX main'")
    assert_private(keys)


def test_edit_rename_onto_another_label_is_refused(
    cli: Cli, keys: Path
) -> None:
    check = snapshot(keys)
    result = cli("edit", "OKX main", "--label", "binance SPOT", stdin=lines(PASSWORD))
    assert_fails(result, 1, "a key labelled 'Binance spot' already exists")
    check()


def test_edit_permissions_and_ip(cli: Cli, keys: Path) -> None:
    result = assert_ok(cli("edit", "Binance spot", "--permissions", "trade, READ",
                           "--ip", "10.0.0.0/8,2001:db8::1", stdin=lines(PASSWORD)))
    assert "Updated 'Binance spot'" in result.out
    entry = only_entry(keys, "Binance spot")
    assert entry.permissions == ("read", "trade")
    assert entry.ip_whitelist == ("10.0.0.0/8", "2001:db8::1")
    # Clearing the whitelist of a trading key is allowed, with a warning.
    result = assert_ok(cli("edit", "Binance spot", "--ip", "", stdin=lines(PASSWORD)))
    assert "can trade but has no IP whitelist" in result.err
    assert only_entry(keys, "Binance spot").ip_whitelist == ()


def test_edit_environment(cli: Cli, keys: Path) -> None:
    assert_ok(cli("edit", "OKX main", "--sandbox", stdin=lines(PASSWORD)))
    entry = only_entry(keys, "OKX main")
    assert (entry.environment, entry.api_url) == ("sandbox", None)

    assert_ok(cli("edit", "OKX main", "--api-url", "https://eea.okx.com/",
                  stdin=lines(PASSWORD)))
    entry = only_entry(keys, "OKX main")
    assert (entry.environment, entry.api_url) == ("custom", "https://eea.okx.com")
    shown = assert_ok(cli("show", "OKX main", stdin=lines(PASSWORD))).out
    assert "custom (https://eea.okx.com)" in shown

    assert_ok(cli("edit", "OKX main", "--live", stdin=lines(PASSWORD)))
    entry = only_entry(keys, "OKX main")
    assert (entry.environment, entry.api_url) == ("live", None)


def test_edit_sandbox_and_live_together_is_a_usage_error(
    cli: Cli, keys: Path
) -> None:
    check = snapshot(keys)
    result = cli("edit", "OKX main", "--sandbox", "--live", stdin=lines(PASSWORD))
    assert_usage(result, "argument --live: not allowed with argument --sandbox")
    check()


@pytest.mark.parametrize(("url", "fragment"), [
    ("ftp://eea.okx.com", "is not an http(s) url"),
    ("https://user:pw@eea.okx.com", "must not contain credentials"),
    ("https://[::1", "https://[::1"),  # urlsplit raises ValueError on this one
    ("http://eea.okx.com", "use https"),  # the key and signatures would travel in clear
    ("https://eea.okx.com:99999", "no valid port"),
])
def test_edit_bad_api_url(cli: Cli, keys: Path, url: str, fragment: str) -> None:
    check = snapshot(keys)
    assert_fails(cli("edit", "OKX main", "--api-url", url, stdin=lines(PASSWORD)), 1, fragment)
    check()


def test_edit_rotate_reprompts_credentials_and_marks_rotation(cli: Cli, keys: Path) -> None:
    before = json.loads(assert_ok(cli("show", "OKX main", "--json",
                                      stdin=lines(PASSWORD))).out)
    new = {"apiKey": "rotated-key-0001-aaaa", "secret": "rotated-secret-0002",
           "password": "rotated-pass-0003"}
    result = assert_ok(cli("edit", "OKX main", "--rotate",
                           stdin=lines(PASSWORD, new["apiKey"], new["secret"],
                                       new["password"])))
    assert "Updated 'OKX main' (credentials rotated)" in result.out
    assert_no_credentials(result.out + result.err, new, OKX)
    after = json.loads(assert_ok(cli("show", "OKX main", "--json", "--reveal",
                                     stdin=lines(PASSWORD))).out)
    assert after["credentials"] == new
    assert before["rotated_at"] == "2025-01-02T03:04:05Z"
    assert after["rotated_at"] > before["rotated_at"]
    assert after["updated_at"] == after["rotated_at"]  # a rotation is a change (spec 6.2)
    assert after["created_at"] == before["created_at"]
    assert after["rotation_overdue"] is False
    assert after["id"] == before["id"]


def test_edit_rotate_cut_off_writes_nothing(
    cli: Cli, keys: Path
) -> None:
    check = snapshot(keys)
    result = cli("edit", "OKX main", "--rotate", stdin=lines(PASSWORD, "new-key", "new-secret"))
    assert_fails(result, 1, "expected the passphrase (password)", "line 4", "end of input")
    check()


def test_edit_exchange_needing_other_credentials_asks_for_rotate(
    cli: Cli, keys: Path
) -> None:
    check = snapshot(keys)
    result = cli("edit", "Binance spot", "--exchange", "okx", stdin=lines(PASSWORD))
    assert_fails(result, 1, "OKX requires the Passphrase", "add --rotate")
    check()


def test_edit_without_changes(cli: Cli, keys: Path) -> None:
    check = snapshot(keys)
    assert_fails(cli("edit", "OKX main", stdin=lines(PASSWORD)), 1, "nothing to change")
    check()


# --- remove ------------------------------------------------------------------------


def test_remove_with_yes(cli: Cli, keys: Path) -> None:
    result = assert_ok(cli("remove", "okx main", "--yes", stdin=lines(PASSWORD)))
    assert "Removed 'OKX main'" in result.out
    labels = [e.label for e in open_vault(keys).entries]
    assert labels == ["Binance spot"]
    assert_private(keys)


def test_remove_without_yes_and_without_a_terminal_refuses(
    cli: Cli, keys: Path
) -> None:
    check = snapshot(keys)
    result = cli("remove", "OKX main", stdin=lines(PASSWORD, "y", "yes"))
    assert_fails(result, 1, "without a terminal", "pass --yes")
    check()
    assert len(open_vault(keys)) == 2


# --- passwd ------------------------------------------------------------------------


def header_fields(path: Path) -> dict[str, bytes]:
    data = path.read_bytes()
    salt_len = data[11]
    salt_end = 24 + salt_len
    return {
        "kdf": data[12:24],
        "salt": data[24:salt_end],
        "wrapped_dek": data[salt_end + 12:salt_end + 60],
    }


@pytest.mark.slow
def test_passwd_changes_password_salt_and_data_key(cli: Cli, keys: Path) -> None:
    before = header_fields(keys)
    result = assert_ok(cli("passwd", stdin=lines(PASSWORD, NEW_PASSWORD)))
    assert "Master password changed" in result.out
    assert_private(keys)
    after = header_fields(keys)
    assert after["salt"] != before["salt"]
    assert after["wrapped_dek"] != before["wrapped_dek"]
    # The fast test KDF is below the minimum for re-keying: the default replaces it.
    assert struct.unpack(">III", after["kdf"]) == (262144, 3, 4)
    info = json.loads(assert_ok(cli("inspect", "--json")).out)
    assert info["kdf"]["memory_kib"] == 262144
    assert info["salt_length"] == 32

    assert_fails(cli("list", stdin=lines(PASSWORD)), 2, "wrong master password")
    listed = json.loads(assert_ok(cli("list", "--json", stdin=lines(NEW_PASSWORD))).out)
    assert [item["label"] for item in listed] == ["OKX main", "Binance spot"]
    assert dict(only_entry(keys, "OKX main", NEW_PASSWORD).credentials) == OKX


def test_passwd_with_the_wrong_old_password(
    cli: Cli, keys: Path
) -> None:
    check = snapshot(keys)
    assert_fails(cli("passwd", stdin=lines("not the password", NEW_PASSWORD)), 2,
                 "wrong master password")
    check()


def test_passwd_refuses_a_weak_new_password(
    cli: Cli, keys: Path
) -> None:
    check = snapshot(keys)
    assert_fails(cli("passwd", stdin=lines(PASSWORD, "password123")), 1, "weak")
    check()


def test_passwd_without_the_new_password(
    cli: Cli, keys: Path
) -> None:
    check = snapshot(keys)
    assert_fails(cli("passwd", stdin=lines(PASSWORD)), 1,
                 "expected the new master password", "end of input")
    check()


# --- inspect -----------------------------------------------------------------------


def test_inspect_needs_no_password(cli: Cli, keys: Path) -> None:
    result = assert_ok(cli("inspect"))  # stdin is empty: no password is read
    text = result.out
    assert "Format version  1" in text
    assert "Argon2id, m=64 KiB" in text
    assert "t=1" in text
    assert "p=1" in text
    assert "Salt            32 bytes" in text
    assert "Checksum        ok" in text
    assert f"Size            {keys.stat().st_size} bytes" in text


def test_inspect_json(cli: Cli, keys: Path) -> None:
    data = json.loads(assert_ok(cli("inspect", "--json")).out)
    assert data["format_version"] == 1
    assert data["kdf"] == {"name": "argon2id", "memory_kib": 64, "iterations": 1,
                           "parallelism": 1}
    assert data["salt_length"] == 32
    assert data["size"] == keys.stat().st_size
    assert data["payload_length"] == keys.stat().st_size - 104 - 32 - 32
    assert data["path"] == str(keys)


def test_inspect_reports_damage(cli: Cli, keys: Path) -> None:
    data = bytearray(keys.read_bytes())
    data[-1] ^= 0xFF
    keys.write_bytes(bytes(data))
    assert_fails(cli("inspect"), 3, "damaged", "checksum")


# --- --vault overrides $VAULT_APP_VAULT ----------------------------------------------


def test_vault_option_overrides_the_environment(
    cli: Cli, keys: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere.vault"
    # $VAULT_APP_VAULT points at a missing file; --vault at the real one.
    result = assert_ok(cli("--vault", str(keys), "list", stdin=lines(PASSWORD),
                           vault=elsewhere))
    assert "OKX main" in result.out
    # And the other way round: the option wins even when it names a missing file.
    result = cli("--vault", str(elsewhere), "list", stdin=lines(PASSWORD), vault=keys)
    assert_fails(result, 1, f"no vault at {elsewhere}")
    assert not elsewhere.exists()


def test_environment_variable_chooses_the_vault(cli: Cli, keys: Path, tmp_path: Path) -> None:
    moved = tmp_path / "moved.vault"
    keys.rename(moved)
    assert "OKX main" in assert_ok(cli("list", stdin=lines(PASSWORD), vault=moved)).out


# --- refusals leave the vault byte-identical -----------------------------------------


ADD_OKX = ["add", "--exchange", "okx", "--label", "new key"]


@pytest.mark.parametrize(("args", "stdin", "fragment"), [
    pytest.param(["show", "nope"], lines(PASSWORD), "no key labelled 'nope'", id="show-unknown"),
    pytest.param(["edit", "nope", "--notes", "x"], lines(PASSWORD), "no key labelled 'nope'",
                 id="edit-unknown"),
    pytest.param(["remove", "nope", "--yes"], lines(PASSWORD), "no key labelled 'nope'",
                 id="remove-unknown"),
    pytest.param(["add", "--exchange", "okx", "--label", "okx MAIN"],
                 lines(PASSWORD, "k", "s", "p"), "a key labelled 'OKX main' already exists",
                 id="duplicate-label"),
    pytest.param(["add", "--exchange", "okx", "--label", "copy"],
                 lines(PASSWORD, *OKX.values()), "already stored as 'OKX main'",
                 id="duplicate-api-key"),
    pytest.param([*ADD_OKX, "--ip", "300.1.2.3"], lines(PASSWORD, "k", "s", "p"),
                 "'300.1.2.3' is not an ipv4/ipv6 address", id="bad-ip"),
    pytest.param([*ADD_OKX, "--ip", "10.0.0.1/8"], lines(PASSWORD, "k", "s", "p"),
                 "did you mean 10.0.0.0/8?", id="ip-host-bits"),
    pytest.param(["edit", "OKX main", "--ip", "1.2.3.4,nope"], lines(PASSWORD),
                 "'nope' is not an ipv4/ipv6 address", id="edit-bad-ip"),
    pytest.param(["add", "--exchange", "binanse", "--label", "x"],
                 lines(PASSWORD, "k", "s"), "unknown exchange 'binanse'", id="unknown-exchange"),
    pytest.param([*ADD_OKX, "--permissions", "read,admin"], lines(PASSWORD, "k", "s", "p"),
                 "unknown permission admin", id="bad-permission"),
    pytest.param([*ADD_OKX, "--rotate-days", "0"], lines(PASSWORD, "k", "s", "p"),
                 "1 to 3650 days", id="bad-rotate-days"),
    pytest.param(ADD_OKX, lines(PASSWORD, "k", "  ", "p"), "requires the secret, which is empty",
                 id="empty-credential"),
    pytest.param(ADD_OKX, lines(PASSWORD), "expected the api key (apikey) on standard input",
                 id="add-eof-at-api-key"),
    pytest.param(ADD_OKX, lines(PASSWORD, "k"), "(line 3), got end of input",
                 id="add-eof-at-secret"),
    pytest.param(["list"], "", "expected the master password", id="list-eof-at-password"),
])
def test_refusals_exit_1_and_change_nothing(
    cli: Cli, keys: Path, args: list[str], stdin: str, fragment: str
) -> None:
    check = snapshot(keys)
    assert_fails(cli(*args, stdin=stdin), 1, fragment)
    check()


def test_unknown_exchange_suggests_close_names(cli: Cli, keys: Path) -> None:
    result = cli("add", "--exchange", "binanse", "--label", "x", stdin=lines(PASSWORD, "k", "s"))
    assert_fails(result, 1, "did you mean binance")


def test_sandbox_on_an_exchange_without_one_is_refused(
    cli: Cli, keys: Path
) -> None:
    """Kraken has no testnet: ccxt's kraken().urls['test'] is None, and
    ``set_sandbox_mode(True)`` fails on it. The vault must refuse the key before
    it is stored (and before any credential is asked for)."""
    check = snapshot(keys)
    result = cli("add", "--exchange", "kraken", "--label", "kraken test", "--sandbox",
                 stdin=lines(PASSWORD, "k", "s"))
    assert_fails(result, 1, "Kraken has no sandbox environment")
    check()


def test_edit_to_sandbox_on_an_exchange_without_one_is_refused(
    cli: Cli, keys: Path
) -> None:
    check = snapshot(keys)
    result = cli("edit", "Binance spot", "--exchange", "kraken", "--sandbox",
                 stdin=lines(PASSWORD))
    assert_fails(result, 1, "Kraken has no sandbox environment")
    check()


@pytest.mark.parametrize("args", [
    ["list"], ["show", "OKX main"], ["remove", "OKX main", "--yes"],
    ["edit", "OKX main", "--notes", "x"], ["add", "--exchange", "okx", "--label", "n"],
])
def test_wrong_password_exits_2(cli: Cli, keys: Path, args: list[str]) -> None:
    check = snapshot(keys)
    result = cli(*args, stdin=lines("Correct Horse Battery Staple", "k", "s", "p"))
    assert_fails(result, 2, "wrong master password")
    assert result.out == ""
    check()


@pytest.mark.parametrize("args", [
    ["list"], ["list", "--json"], ["show", "x"], ["remove", "x", "--yes"],
    ["edit", "x", "--notes", "y"], ["add", "--exchange", "okx", "--label", "n"],
])
def test_missing_vault_hints_at_init(cli: Cli, vault_path: Path, args: list[str]) -> None:
    result = cli(*args, stdin=lines(PASSWORD, "k", "s", "p"))
    assert_fails(result, 1, f"no vault at {vault_path}", "vault-app-cli init")
    assert not vault_path.exists()


def test_missing_vault_for_passwd_hints_at_init(cli: Cli, vault_path: Path) -> None:
    result = cli("passwd", stdin=lines(PASSWORD, NEW_PASSWORD))
    assert_fails(result, 1, f"no vault at {vault_path}", "vault-app-cli init")
    assert not vault_path.exists()


def test_missing_vault_for_inspect(cli: Cli, vault_path: Path) -> None:
    assert_fails(cli("inspect"), 1, f"no vault file at {vault_path}")
    assert not vault_path.exists()


def test_usage_errors_exit_1(cli: Cli) -> None:
    assert_usage(cli("frobnicate"), "invalid choice: 'frobnicate'")
    assert_usage(cli("add", "--label", "x"), "the following arguments are required: --exchange")
    assert_usage(cli("add", "--exchange", "okx", "--label", "x", "--rotate-days", "many"),
                 "invalid int value: 'many'")


def test_errors_are_one_line_on_stderr_and_nothing_on_stdout(cli: Cli, keys: Path) -> None:
    result = cli("show", "nope", stdin=lines(PASSWORD))
    assert result.out == ""
    assert result.err.splitlines() == [f"{ERROR_PREFIX}no key labelled 'nope'"]


# --- file mode ---------------------------------------------------------------------


def test_every_save_keeps_the_vault_mode_the_user_chose(cli: Cli, keys: Path) -> None:
    """Issue 7: saving never changes the file's mode behind the user's back (it used to
    reset it to 0600); the umask plays no part either way."""
    os.chmod(keys, 0o640)  # shared with a backup group on purpose
    old_umask = os.umask(0)  # the children inherit a permissive umask
    try:
        steps = [
            (["add", "--exchange", "okx", "--label", "k3"], lines(PASSWORD, "a3", "s3", "p3")),
            (["edit", "k3", "--notes", "n"], lines(PASSWORD)),
            (["edit", "k3", "--rotate"], lines(PASSWORD, "a4", "s4", "p4")),
            (["remove", "k3", "--yes"], lines(PASSWORD)),
        ]
        for args, stdin in steps:
            before = keys.read_bytes()
            assert_ok(cli(*args, stdin=stdin))
            assert keys.read_bytes() != before, args
            assert file_mode(keys) == 0o640, args
            assert temp_files(keys) == []
    finally:
        os.umask(old_umask)
    assert_private(keys.with_name(keys.name + ".lock"))


# --- raw bytes on stdin, and a reader that goes away ----------------------------------


def run_cli_bytes(vault: Path, *args: str, stdin: bytes) -> CliResult:
    proc = subprocess.run(
        [sys.executable, "-m", "vault_app.cli", "--vault", str(vault), *args],
        input=stdin, capture_output=True, cwd=REPO, env=child_env(), timeout=60, check=False,
    )
    return CliResult(subprocess.CompletedProcess(
        proc.args, proc.returncode, proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
    ))


@pytest.mark.parametrize(("args", "stdin"), [
    pytest.param(["list"], b"\xff\xfe not utf-8\n", id="password"),
    pytest.param(["add", "--exchange", "okx", "--label", "latin-1"],
                 PASSWORD.encode() + b"\nk\xe9y\nsecret\npass\n", id="credential"),
])
def test_stdin_that_is_not_utf8_is_refused_readably(keys: Path, args: list[str],
                                                    stdin: bytes) -> None:
    """Bytes that are not UTF-8 must give exit 1 and a message, not an internal error."""
    check = snapshot(keys)
    result = run_cli_bytes(keys, *args, stdin=stdin)
    assert_fails(result, 1, "utf-8")
    check()


def test_list_into_a_closed_pipe_exits_quietly(tmp_path: Path) -> None:
    """``vault-app-cli list | head -1``: the reader leaves while the CLI is still writing."""
    path = tmp_path / "many.vault"
    build_big_vault(path, 1500)  # the table is larger than a pipe buffer (64 KiB)
    with subprocess.Popen(
        [sys.executable, "-m", "vault_app.cli", "--vault", str(path), "list"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO,
        env=child_env(),
    ) as proc:
        assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
        proc.stdin.write(f"{PASSWORD}\n".encode())
        proc.stdin.close()
        assert proc.stdout.readline().startswith(b"LABEL")
        proc.stdout.close()
        err = proc.stderr.read().decode()
        code = proc.wait(60)
    assert code == 0, err
    assert err == ""


@pytest.mark.parametrize("command", [
    ("add", "--exchange", "okx", "--label", "New key"),
    ("edit", "OKX main", "--notes", "changed"),
    ("remove", "OKX main", "--yes"),
    ("passwd",),
])
def test_changes_to_a_read_only_vault_exit_5_and_leave_it_as_it_was(
        cli: Cli, keys: Path, command: tuple[str, ...]) -> None:
    """As root too: a 0400 file is never replaced by a fresh 0600 one."""
    keys.chmod(0o400)
    unchanged = snapshot(keys)
    inode = keys.stat().st_ino
    assert_fails(cli(*command, stdin=lines(PASSWORD, *OKX.values())), 5,
                 "read-only", "0400", "nothing was written")
    unchanged()
    assert file_mode(keys) == 0o400 and keys.stat().st_ino == inode
    assert_ok(cli("list", stdin=lines(PASSWORD)))  # reading still works
