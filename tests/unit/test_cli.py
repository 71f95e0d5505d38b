"""CLI logic, driven in-process through ``vault_app.cli.main``."""

from __future__ import annotations

import errno
import io
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import FAST_KDF, PASSWORD, make_entry
from vault_app import cli
from vault_app.core import errors, vault_lock
from vault_app.core.kdf import KdfParams
from vault_app.core.vault import Vault
from vault_app.core.vault_format import KeySlot, assemble, build_header

NEW_PASSWORD = "an entirely new and long passphrase 77"
MIN_KDF = KdfParams(memory_kib=19 * 1024, iterations=2, parallelism=1)
PEM = ("-----BEGIN PRIVATE KEY-----\n"
       "MC4CAQAwBQYDK2VwBCIEIGJ1c3kgYmVlcyBtYWtlIGhvbmV5IGFsbCBkYXk=\n"
       "-----END PRIVATE KEY-----")


@dataclass
class Result:
    code: int
    out: str
    err: str
    stdin: io.StringIO

    @property
    def unread(self) -> str:
        return self.stdin.read()


def run(*argv: str, stdin: str = "") -> Result:
    source, out, err = io.StringIO(stdin), io.StringIO(), io.StringIO()
    code = cli.main(list(argv), stdin=source, stdout=out, stderr=err)
    return Result(code, out.getvalue(), err.getvalue(), source)


def lines(*values: str) -> str:
    return "".join(f"{value}\n" for value in values)


@pytest.fixture
def fast_default_kdf(monkeypatch: pytest.MonkeyPatch) -> KdfParams:
    """`init` and `passwd` use the default KDF; make it the (fast) OWASP minimum."""
    monkeypatch.setattr(KdfParams, "default", classmethod(lambda cls: MIN_KDF))
    return MIN_KDF


def all_secrets(vault: Vault) -> list[str]:
    return [value for entry in vault.entries for value in entry.credentials.values()]


# --- exit codes -----------------------------------------------------------------------


EXPECTED_CODES = [
    (errors.WrongPassword(), 2),
    (errors.VaultDamaged("d"), 3),
    (errors.NotAVaultFile("n"), 3),
    (errors.UnsupportedVersion("u"), 3),
    (errors.KdfParamsOutOfRange("k"), 3),
    (errors.VaultInUse("i"), 4),
    (errors.VaultChangedOnDisk("c"), 4),
    (errors.VaultIOError("io"), 5),
    (errors.VaultWriteError("w"), 5),
    (errors.VaultNotFound("nf"), 1),
    (errors.VaultExists("e"), 1),
    (errors.BrokenLink("b"), 1),
    (errors.VaultTooLarge("t"), 3),
    (errors.NotARegularFile("f"), 5),
    (errors.UnsafeLockFile("s"), 5),
    (errors.VaultLocked("l"), 1),
    (errors.ValidationError("v", field="label"), 1),
    (cli.UsageError("u"), 1),
    (errors.VaultError("generic"), 1),
    (RuntimeError("boom"), 70),
    (KeyError("k"), 70),
]


@pytest.mark.parametrize(("exc", "code"), EXPECTED_CODES,
                         ids=[type(e).__name__ for e, _ in EXPECTED_CODES])
def test_exit_code_for(exc: BaseException, code: int) -> None:
    assert cli.exit_code_for(exc) == code


@pytest.mark.parametrize(("exc", "code"), EXPECTED_CODES[:-2],
                         ids=[type(e).__name__ for e, _ in EXPECTED_CODES[:-2]])
def test_main_maps_errors_to_exit_codes_and_prints_the_message(
    monkeypatch: pytest.MonkeyPatch, exc: Exception, code: int
) -> None:
    def fail(self: cli.Command) -> int:
        raise exc

    monkeypatch.setattr(cli.COMMANDS["inspect"], "run", fail)
    result = run("inspect")
    assert result.code == code
    assert result.err == f"vault-app-cli: error: {exc}\n"
    assert result.out == ""


@pytest.mark.parametrize("exc", [RuntimeError("apiKey=AKIA-SECRET-123"),
                                 KeyError("AKIA-SECRET-123"), AssertionError("AKIA-SECRET-123"),
                                 TypeError("AKIA-SECRET-123")])
def test_internal_errors_print_no_traceback_and_no_message(
    monkeypatch: pytest.MonkeyPatch, exc: Exception
) -> None:
    def fail(self: cli.Command) -> int:
        raise exc

    monkeypatch.setattr(cli.COMMANDS["list"], "run", fail)
    result = run("list")
    assert result.code == cli.EXIT_INTERNAL == 70
    assert "Traceback" not in result.err
    assert "AKIA" not in result.err + result.out
    assert f"internal error ({type(exc).__name__})" in result.err
    assert "intact" in result.err


def test_interrupt_exits_130(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(self: cli.Command) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli.COMMANDS["list"], "run", interrupted)
    result = run("list")
    assert result.code == 130
    assert "nothing was written" in result.err


# --- real failures end to end (in process) --------------------------------------------


def test_wrong_password_exits_2(vault: Vault) -> None:
    result = run("list", stdin=lines("not the password"))
    assert result.code == 2
    assert "wrong master password" in result.err


def test_missing_vault_exits_1_and_suggests_init(vault_path: Path) -> None:
    result = run("list", stdin=lines(PASSWORD))
    assert result.code == 1
    assert "init" in result.err
    assert result.unread == PASSWORD + "\n"  # no password was asked for


@pytest.mark.parametrize("damage", ["truncate", "flip", "foreign"])
def test_damaged_or_foreign_file_exits_3(vault: Vault, vault_path: Path, damage: str) -> None:
    data = vault_path.read_bytes()
    if damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "flip":
        data = data[:50] + bytes([data[50] ^ 1]) + data[51:]
    else:
        data = b"just some text file\n"
    vault_path.write_bytes(data)
    for argv in (["list"], ["inspect"]):
        result = run(*argv, stdin=lines(PASSWORD))
        assert result.code == 3, argv
        assert "error:" in result.err


def test_kdf_out_of_range_exits_3(vault_path: Path) -> None:
    slot = KeySlot(kdf=KdfParams(64, 1000, 1), salt=b"s" * 32, wrap_nonce=b"n" * 12,
                   wrapped_dek=b"w" * 48)
    vault_path.write_bytes(assemble(build_header(slot, b"p" * 12, 32), b"c" * 32))
    result = run("list", stdin=lines(PASSWORD))
    assert result.code == 3
    assert "KDF" in result.err


def test_vault_in_use_exits_4_and_writes_nothing(vault: Vault, vault_path: Path) -> None:
    before = vault_path.read_bytes()
    with vault_lock.VaultLock(vault_path):
        result = run("add", "--exchange", "binance", "--label", "new",
                     stdin=lines(PASSWORD, "api-key-123456", "secret-123456"))
    assert result.code == 4
    assert f"pid {os.getpid()}" in result.err
    assert vault_path.read_bytes() == before


def test_disk_full_exits_5_and_keeps_the_file(
    vault: Vault, vault_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = vault_path.read_bytes()

    def enospc(*args: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", enospc)
    result = run("add", "--exchange", "binance", "--label", "new",
                 stdin=lines(PASSWORD, "api-key-123456", "secret-123456"))
    monkeypatch.undo()
    assert result.code == 5
    assert "disk is full" in result.err
    assert vault_path.read_bytes() == before


# --- argument parsing -----------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["bogus"],
        ["add", "--label", "x"],
        ["add", "--exchange", "okx"],
        ["add", "--exchange", "okx", "--label", "x", "--sandbox", "--api-url", "https://x.io"],
        ["add", "--exchange", "okx", "--label", "x", "--rotate-days", "soon"],
        ["list", "--reveal"],
        ["show"],
        ["--no-such-option", "list"],
    ],
)
def test_usage_errors_exit_1(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    result = run(*argv, stdin=lines(PASSWORD))
    assert result.code == 1
    assert result.out == ""
    assert result.unread == PASSWORD + "\n"  # nothing was prompted


def test_usage_errors_are_written_to_the_given_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    result = run("bogus")
    assert result.code == 1
    assert "invalid choice" in result.err
    assert "usage:" in result.err


def test_help_and_version_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("--help").code == 0
    assert run("--version").code == 0
    printed = capsys.readouterr().out + run("--version").out
    assert "0.1.0" in printed


# --- the prompter ---------------------------------------------------------------------


def test_prompter_reads_one_line_per_secret() -> None:
    err = io.StringIO()
    prompt = cli.Prompter(io.StringIO("first\r\nsecond \nthird"), err)
    assert not prompt.interactive
    assert prompt.password() == "first"
    assert prompt.password() == "second "  # only the line ending is removed
    assert prompt.credential("apiKey", "OKX") == "third"
    with pytest.raises(cli.UsageError, match=r"the Secret \(secret\).*line 4.*end of input"):
        prompt.credential("secret", "OKX")
    assert err.getvalue() == ""  # no prompts are printed without a terminal


def test_prompter_new_password_is_read_once_without_a_terminal() -> None:
    prompt = cli.Prompter(io.StringIO("new\nnext\n"), io.StringIO())
    assert prompt.new_password() == ("new", None)
    assert prompt.password() == "next"


def test_prompter_joins_a_multi_line_pem_value() -> None:
    source = io.StringIO(PEM + "\nafter\n")
    prompt = cli.Prompter(source, io.StringIO())
    assert prompt.credential("secret", "Binance") == PEM
    assert prompt.password() == "after"


def test_prompter_single_line_pem_is_not_extended() -> None:
    one_line = "-----BEGIN KEY----- abc -----END KEY-----"
    prompt = cli.Prompter(io.StringIO(one_line + "\nnext\n"), io.StringIO())
    assert prompt.credential("secret", "Binance") == one_line


def test_prompter_unterminated_pem_is_a_usage_error() -> None:
    prompt = cli.Prompter(io.StringIO("-----BEGIN PRIVATE KEY-----\nMC4C\n"), io.StringIO())
    with pytest.raises(cli.UsageError, match="rest of the PEM"):
        prompt.credential("secret", "Binance")


def test_prompter_refuses_to_confirm_without_a_terminal() -> None:
    prompt = cli.Prompter(io.StringIO("y\n"), io.StringIO())
    with pytest.raises(cli.UsageError, match="--yes"):
        prompt.confirm("Really?")


# --- init / passwd --------------------------------------------------------------------


def test_init_reads_the_new_password_twice(vault_path: Path, fast_default_kdf: KdfParams) -> None:
    result = run("init", stdin=lines(PASSWORD, PASSWORD, "unread"))
    assert result.code == 0, result.err
    assert str(vault_path) in result.out
    assert result.unread == "unread\n"
    assert Vault.open(vault_path, PASSWORD).kdf == fast_default_kdf


def test_init_honours_the_vault_option(tmp_path: Path, fast_default_kdf: KdfParams) -> None:
    target = tmp_path / "sub" / "chosen.vault"
    assert run("--vault", str(target), "init", stdin=lines(PASSWORD, PASSWORD)).code == 0
    assert Vault.open(target, PASSWORD).entries == ()


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        (lines(PASSWORD, PASSWORD + "x"), "do not match"),
        (lines("password1", "password1"), "weak"),
        (lines(PASSWORD), "again"),
        ("", "end of input"),
    ],
)
def test_init_refusals_create_nothing(vault_path: Path, fast_default_kdf: KdfParams,
                                      stdin: str, message: str) -> None:
    result = run("init", stdin=stdin)
    assert result.code == 1
    assert message in result.err
    assert not vault_path.exists()


def test_init_refuses_an_existing_vault(vault: Vault, vault_path: Path) -> None:
    before = vault_path.read_bytes()
    result = run("init", stdin=lines(PASSWORD, PASSWORD))
    assert result.code == 1
    assert "already exists" in result.err
    assert vault_path.read_bytes() == before


def test_passwd_reads_old_then_new(vault: Vault, vault_path: Path,
                                   fast_default_kdf: KdfParams) -> None:
    result = run("passwd", stdin=lines(PASSWORD, NEW_PASSWORD))
    assert result.code == 0, result.err
    assert "new salt and data key" in result.out
    with pytest.raises(errors.WrongPassword):
        Vault.open(vault_path, PASSWORD)
    reopened = Vault.open(vault_path, NEW_PASSWORD)
    assert [e.label for e in reopened.entries] == ["key 0", "key 1"]
    assert reopened.kdf == fast_default_kdf  # FAST_KDF was below the minimum: upgraded


def test_passwd_with_a_wrong_old_password(vault: Vault, vault_path: Path,
                                          fast_default_kdf: KdfParams) -> None:
    before = vault_path.read_bytes()
    result = run("passwd", stdin=lines("wrong old password", NEW_PASSWORD))
    assert result.code == 2
    assert vault_path.read_bytes() == before


def test_passwd_refuses_a_weak_new_password(vault: Vault, vault_path: Path,
                                            fast_default_kdf: KdfParams) -> None:
    before = vault_path.read_bytes()
    result = run("passwd", stdin=lines(PASSWORD, "abc123"))
    assert result.code == 1
    assert vault_path.read_bytes() == before


# --- add ------------------------------------------------------------------------------


def test_add_reads_credentials_in_ccxt_order(new_vault: Callable[..., Vault],
                                             vault_path: Path) -> None:
    new_vault()
    result = run("add", "--exchange", " OKX ", "--label", "okx main",
                 "--permissions", "trade,read", "--ip", "10.0.0.0/8, 192.168.1.2",
                 "--rotate-days", "30", "--notes", "bot", "--tags", "a,b",
                 stdin=lines(PASSWORD, "the-api-key-1234", "the-secret", "the-passphrase",
                             "unread"))
    assert result.code == 0, result.err
    assert result.out == "Added 'okx main' (OKX; read, trade; live)\n"
    assert result.unread == "unread\n"
    entry = Vault.open(vault_path, PASSWORD).find("okx main")
    assert dict(entry.credentials) == {"apiKey": "the-api-key-1234", "secret": "the-secret",
                                       "password": "the-passphrase"}
    assert entry.permissions == ("read", "trade")
    assert entry.ip_whitelist == ("10.0.0.0/8", "192.168.1.2")
    assert (entry.rotate_days, entry.notes, entry.tags) == (30, "bot", ("a", "b"))
    for secret in entry.credentials.values():
        assert secret not in result.out + result.err


def test_add_a_multi_line_pem_secret(new_vault: Callable[..., Vault], vault_path: Path) -> None:
    new_vault()
    result = run("add", "--exchange", "binance", "--label", "ed25519",
                 stdin=lines(PASSWORD, "binance-api-key-1", PEM))
    assert result.code == 0, result.err
    assert Vault.open(vault_path, PASSWORD).find("ed25519").credentials["secret"] == PEM


def test_add_stops_at_the_end_of_input_and_writes_nothing(vault: Vault, vault_path: Path) -> None:
    before = vault_path.read_bytes()
    result = run("add", "--exchange", "okx", "--label", "partial",
                 stdin=lines(PASSWORD, "api-key-123456", "secret"))
    assert result.code == 1
    assert "Passphrase (password)" in result.err and "line 4" in result.err
    assert vault_path.read_bytes() == before


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--exchange", "binanse", "--label", "x"], "did you mean binance"),
        (["--exchange", "binance", "--label", "  "], "label"),
        (["--exchange", "binance", "--label", "x", "--permissions", "admin"], "admin"),
        (["--exchange", "binance", "--label", "x", "--ip", "10.0.0.1/8"], "10.0.0.0/8"),
        (["--exchange", "binance", "--label", "x", "--rotate-days", "0"], "rotation"),
        (["--exchange", "binance", "--label", "x", "--api-url", "ftp://x"], "http"),
        (["--exchange", "binance", "--label", "x", "--api-url", "http://[::1"], "http"),
    ],
)
def test_add_refuses_bad_options_before_asking_for_any_secret(
    vault: Vault, vault_path: Path, argv: list[str], message: str
) -> None:
    before = vault_path.read_bytes()
    stdin = lines(PASSWORD, "api-key-123456", "secret-123456")
    result = run("add", *argv, stdin=stdin)
    assert result.code == 1, result.err
    assert message in result.err
    assert result.unread == stdin  # not even the master password was read
    assert vault_path.read_bytes() == before


def test_add_refuses_a_duplicate_label_before_asking_for_credentials(
    vault: Vault, vault_path: Path
) -> None:
    before = vault_path.read_bytes()
    result = run("add", "--exchange", "binance", "--label", "KEY 0",
                 stdin=lines(PASSWORD, "api-key-123456", "secret-123456"))
    assert result.code == 1
    assert "already exists" in result.err
    assert result.unread == lines("api-key-123456", "secret-123456")
    assert vault_path.read_bytes() == before


def test_add_warns_about_risky_permissions(new_vault: Callable[..., Vault]) -> None:
    new_vault()
    result = run("add", "--exchange", "binance", "--label", "risky",
                 "--permissions", "read,trade,withdraw",
                 stdin=lines(PASSWORD, "api-key-123456", "secret-123456"))
    assert result.code == 0
    assert "withdraw" in result.err
    assert "no IP whitelist" in result.err


# --- list / show ----------------------------------------------------------------------


def test_list_json_never_includes_credential_values(vault: Vault) -> None:
    vault.add(make_entry("pem", exchange="binance",
                         credentials={"apiKey": "pem-api-key-9999", "secret": PEM}))
    result = run("list", "--json", stdin=lines(PASSWORD))
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert [item["label"] for item in data] == ["key 0", "key 1", "pem"]
    assert data[0]["credential_fields"] == ["apiKey", "secret"]
    assert "credentials" not in data[0]
    for secret in all_secrets(vault):
        for part in secret.splitlines():
            assert part not in result.out


def test_list_text_shows_labels_and_no_secrets(vault: Vault) -> None:
    result = run("list", stdin=lines(PASSWORD))
    assert result.code == 0
    header, *rows = result.out.splitlines()
    assert header.split()[:3] == ["LABEL", "EXCHANGE", "PERMISSIONS"]
    assert [row.split("  ")[0] for row in rows] == ["key 0", "key 1"]
    assert all("due in 89d" in row or "due in 90d" in row for row in rows)
    for secret in all_secrets(vault):
        assert secret not in result.out


def test_list_of_an_empty_vault(new_vault: Callable[..., Vault]) -> None:
    new_vault()
    result = run("list", stdin=lines(PASSWORD))
    assert result.code == 0 and "No keys" in result.out
    assert json.loads(run("list", "--json", stdin=lines(PASSWORD)).out) == []


def test_show_masks_secrets_unless_revealed(new_vault: Callable[..., Vault]) -> None:
    vault = new_vault()
    entry = vault.add(make_entry("okx", credentials={
        "apiKey": "abcd-identifier-wxyz", "secret": "very-secret-value",
        "password": "passphrase-value"}))
    masked = run("show", "OKX", stdin=lines(PASSWORD))
    assert masked.code == 0
    assert "abcd…wxyz" in masked.out
    for secret in entry.credentials.values():
        assert secret not in masked.out

    as_json = run("show", "okx", "--json", stdin=lines(PASSWORD))
    credentials = json.loads(as_json.out)["credentials"]
    assert credentials == {"apiKey": "abcd…wxyz", "secret": "•" * 8, "password": "•" * 8}

    revealed = run("show", "okx", "--reveal", "--json", stdin=lines(PASSWORD))
    assert json.loads(revealed.out)["credentials"] == dict(entry.credentials)


def test_show_unknown_label(vault: Vault) -> None:
    result = run("show", "nope", stdin=lines(PASSWORD))
    assert result.code == 1
    assert "no key labelled 'nope'" in result.err


def test_read_commands_do_not_modify_the_file(vault: Vault, vault_path: Path) -> None:
    before = vault_path.read_bytes()
    for argv in (["list"], ["list", "--json"], ["show", "key 0", "--reveal"], ["inspect"]):
        assert run(*argv, stdin=lines(PASSWORD)).code == 0
    assert vault_path.read_bytes() == before


# --- edit / remove --------------------------------------------------------------------


def test_edit_renames_and_changes_settings(vault: Vault, vault_path: Path) -> None:
    result = run("edit", "key 0", "--label", "renamed", "--permissions", "read,trade",
                 "--ip", "1.2.3.4", "--sandbox", stdin=lines(PASSWORD))
    assert result.code == 0, result.err
    entry = Vault.open(vault_path, PASSWORD).find("renamed")
    assert entry.permissions == ("read", "trade")
    assert entry.environment == "sandbox"
    assert entry.rotated_at == vault.entries[0].rotated_at


def test_edit_rotate_reads_new_credentials(vault: Vault, vault_path: Path) -> None:
    old = vault.entries[1]
    result = run("edit", "key 1", "--rotate", stdin=lines(PASSWORD, "new-api-key-5678", "new-s"))
    assert result.code == 0, result.err
    assert "rotated" in result.out
    entry = Vault.open(vault_path, PASSWORD).get(old.id)
    assert dict(entry.credentials) == {"apiKey": "new-api-key-5678", "secret": "new-s"}
    assert entry.rotated_at >= old.rotated_at


def test_edit_with_nothing_to_change(vault: Vault) -> None:
    result = run("edit", "key 0", stdin=lines(PASSWORD))
    assert result.code == 1
    assert "nothing to change" in result.err


def test_edit_to_an_exchange_needing_more_credentials_hints_rotate(
    vault: Vault, vault_path: Path
) -> None:
    before = vault_path.read_bytes()
    result = run("edit", "key 0", "--exchange", "okx", stdin=lines(PASSWORD))
    assert result.code == 1
    assert "--rotate" in result.err
    assert vault_path.read_bytes() == before


def test_remove_needs_yes_without_a_terminal(vault: Vault, vault_path: Path) -> None:
    before = vault_path.read_bytes()
    result = run("remove", "key 0", stdin=lines(PASSWORD, "y"))
    assert result.code == 1
    assert "--yes" in result.err
    assert vault_path.read_bytes() == before

    result = run("remove", "key 0", "--yes", stdin=lines(PASSWORD))
    assert result.code == 0
    assert [e.label for e in Vault.open(vault_path, PASSWORD).entries] == ["key 1"]


# --- inspect --------------------------------------------------------------------------


def test_inspect_needs_no_password(vault: Vault, vault_path: Path) -> None:
    result = run("inspect", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["kdf"] == {"name": "argon2id", "memory_kib": FAST_KDF.memory_kib,
                           "iterations": FAST_KDF.iterations,
                           "parallelism": FAST_KDF.parallelism}
    assert data["format_version"] == 1
    assert data["size"] == vault_path.stat().st_size
    assert data["salt_length"] == 32
    text = run("inspect")
    assert "Checksum        ok" in text.out


def test_default_path_comes_from_the_environment(
    vault: Vault, vault_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert run("inspect", "--json").code == 0  # $VAULT_APP_VAULT points at vault_path
    monkeypatch.setenv("VAULT_APP_VAULT", str(tmp_path / "other.vault"))
    assert run("inspect").code == 1
    assert run("--vault", str(vault_path), "inspect").code == 0


def test_only_the_real_program_turns_the_garbage_collector_off() -> None:
    """main(argv) in a test runner's process must leave it as it was; the console
    script (main() without argv) runs one command and exits, so it need not collect."""
    import gc
    import subprocess
    import sys

    assert run("--version").code == 0
    assert gc.isenabled()
    probe = ("import gc, sys\nfrom vault_app import cli\nsys.argv = ['vault-app-cli', '--help']\n"
             "try:\n    cli.main()\nexcept SystemExit:\n    pass\nprint(gc.isenabled())")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    assert proc.stdout.strip().endswith("False")
