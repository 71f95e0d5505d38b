"""The CLI against hostile invocations (issue 6, item 7): memory, argv, stdin/stdout, escapes.

Every case is a real subprocess: a clear one-line error with a documented exit
code, never a traceback or exit 70, and the vault folder left as it was.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import FAST_KDF, PASSWORD, REPO, CliResult
from tests.e2e.support import (
    assert_fails,
    assert_no_traceback,
    assert_ok,
    assert_usage,
    binance_entry,
    child_env,
    folder_state,
)
from vault_app.core import storage
from vault_app.core.envelope import new_key_slot, seal
from vault_app.core.kdf import KdfParams
from vault_app.core.schema import VaultMeta, encode_payload
from vault_app.core.vault import Vault
from vault_app.core.vault_format import KeySlot, assemble, build_header

Cli = Callable[..., CliResult]
GIB = 1024**3


def run_cli(args: Sequence[str | bytes], vault: Path, *, stdin: int | str | None = None,
            stdout: int | None = subprocess.PIPE,
            preexec: Callable[[], None] | None = None) -> CliResult:
    """Like the ``cli`` fixture, with control over the child's descriptors and limits."""
    env = child_env(VAULT_APP_VAULT=str(vault))
    text_input = stdin if isinstance(stdin, str) else None
    proc = subprocess.run(
        [sys.executable, "-m", "vault_app.cli", *args], input=text_input,
        stdin=None if text_input is not None else stdin, stdout=stdout,
        stderr=subprocess.PIPE, text=True, env=env, cwd=REPO, timeout=120,
        preexec_fn=preexec, check=False,
    )
    result = CliResult(proc)
    result.out = result.out or ""  # stdout not captured
    return result


def lines(*values: str) -> str:
    return "".join(f"{value}\n" for value in values)


# --- KDF memory (first bullet) ------------------------------------------------------


def write_4gib_kdf_vault(path: Path) -> None:
    """A well-formed header asking for the cap, 4 GiB (spec 3.1); its keys are junk."""
    slot = KeySlot(kdf=KdfParams(4 * 1024 * 1024, 1, 1), salt=b"s" * 32,
                   wrap_nonce=b"n" * 12, wrapped_dek=b"w" * 48)
    path.write_bytes(assemble(build_header(slot, b"p" * 12, 32), b"c" * 32))


def limit_address_space() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (2 * GIB, 2 * GIB))


def test_kdf_larger_than_the_address_space_limit_is_refused_before_it_runs(
        vault_path: Path) -> None:
    write_4gib_kdf_vault(vault_path)
    before = folder_state(vault_path)
    result = run_cli(["list"], vault_path, stdin=lines(PASSWORD),
                     preexec=limit_address_space)
    assert_fails(result, 6, "needs 4096 mib", "ulimit -v", "nothing was written")
    assert folder_state(vault_path) == before


def test_memory_error_anywhere_is_a_clear_message(vault: Vault, vault_path: Path) -> None:
    # The payload decoder runs out of memory: simulated in a child, since a real
    # exhaustion would need a huge vault.
    code = (
        "import sys\n"
        "import vault_app.core.vault as v\n"
        "def exhausted(*args, **kwargs):\n"
        "    raise MemoryError\n"
        "v.decode_payload = exhausted\n"
        "import vault_app.cli as cli\n"
        "sys.exit(cli.main())\n"
    )
    before = folder_state(vault_path)
    proc = subprocess.run(
        [sys.executable, "-c", code, "edit", "key 0", "--notes", "x"], input=lines(PASSWORD),
        capture_output=True, text=True, env=child_env(VAULT_APP_VAULT=str(vault_path)),
        cwd=REPO, timeout=120, check=False)
    result = CliResult(proc)
    assert_fails(result, 6, "out of memory", "nothing was written")
    assert folder_state(vault_path) == before


# --- argv and stdin/stdout (second bullet) ------------------------------------------


@pytest.mark.parametrize("option", ["--label", "--notes", "--tags"])
def test_invalid_utf8_in_an_option_is_a_usage_error_naming_it(
        vault: Vault, vault_path: Path, option: str) -> None:
    args: list[str | bytes] = ["add", "--exchange", "binance", "--label", "new key"]
    if option == "--label":
        args[-1] = b"new \xff key"
    else:
        args += [option, b"caf\xe9 \xc3"]
    before = folder_state(vault_path)
    result = run_cli(args, vault_path, stdin=lines(PASSWORD, "ak-new-key", "sk-new-key"))
    assert_usage(result, f"argument {option}: not valid UTF-8")
    assert folder_state(vault_path) == before


def test_invalid_utf8_in_a_target_label_is_a_usage_error(vault: Vault,
                                                         vault_path: Path) -> None:
    result = run_cli(["show", b"key \xff"], vault_path, stdin=lines(PASSWORD))
    assert_usage(result, "argument LABEL: not valid UTF-8")


def test_closed_stdin_is_a_clear_error(vault: Vault, vault_path: Path) -> None:
    result = run_cli(["list"], vault_path, stdin=subprocess.DEVNULL,
                     preexec=lambda: os.close(0))
    assert_fails(result, 1, "standard input is closed", "master password")


def test_closed_stdin_still_allows_commands_without_input(vault: Vault,
                                                          vault_path: Path) -> None:
    result = run_cli(["inspect"], vault_path, stdin=subprocess.DEVNULL,
                     preexec=lambda: os.close(0))
    assert "Checksum        ok" in assert_ok(result).out


def test_endless_stdin_line_is_refused_without_filling_memory(vault: Vault,
                                                              vault_path: Path) -> None:
    with open("/dev/zero", "rb") as zero:
        result = run_cli(["list"], vault_path, stdin=zero.fileno(),
                         preexec=limit_address_space)
    assert_fails(result, 1, "line 1 of standard input", "longer than")


def test_closed_stdout_refuses_before_doing_anything(vault: Vault, vault_path: Path) -> None:
    before = folder_state(vault_path)
    result = run_cli(["add", "--exchange", "binance", "--label", "new key"], vault_path,
                     stdin=lines(PASSWORD, "ak-new", "sk-new"), stdout=subprocess.DEVNULL,
                     preexec=lambda: os.close(1))
    assert_fails(result, 1, "standard output is closed", "nothing was done")
    assert folder_state(vault_path) == before
    result = run_cli(["list"], vault_path, stdin=lines(PASSWORD), stdout=subprocess.DEVNULL,
                     preexec=lambda: os.close(1))
    assert_fails(result, 1, "standard output is closed")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_full_stdout_is_an_io_error(vault: Vault, vault_path: Path) -> None:
    with open("/dev/full", "w") as full:
        result = run_cli(["list"], vault_path, stdin=lines(PASSWORD), stdout=full.fileno())
    assert_fails(result, 5, "could not write to standard output", "no space left")
    assert "Exception ignored" not in result.err


# --- terminal escapes (third bullet) -------------------------------------------------

HOSTILE_LABEL = "bin\x1b[2J\x1b]52;c;cGF5\x07ance \u202emain"
HOSTILE_NOTES = "line one\n\ttab\x1b[31m red\x9b \u202e txet"


def write_foreign_vault(path: Path) -> None:
    """A vault as another program may write it: control characters in the fields."""
    entry = replace(binance_entry("placeholder", "00000001"), label=HOSTILE_LABEL,
                    notes=HOSTILE_NOTES, tags=("ok", "t\x1bag"))
    slot, dek = new_key_slot(PASSWORD, FAST_KDF)
    storage.atomic_write(path, seal(slot, dek, encode_payload(VaultMeta(), [entry])))


def test_list_and_show_escape_terminal_controls_from_the_file(vault_path: Path,
                                                             cli: Cli) -> None:
    write_foreign_vault(vault_path)
    listed = assert_ok(cli("list", stdin=lines(PASSWORD)))
    assert "\x1b" not in listed.out and "\u202e" not in listed.out and "\x07" not in listed.out
    assert "bin\\x1b[2J\\x1b]52;c;cGF5\\x07ance \\u202emain" in listed.out
    shown = assert_ok(cli("show", HOSTILE_LABEL, stdin=lines(PASSWORD)))
    for raw in ("\x1b", "\u202e", "\x9b", "\x07"):
        assert raw not in shown.out, raw
    assert "line one\n" in shown.out and "\ttab\\x1b[31m red\\x9b \\u202e txet" in shown.out
    assert "ok, t\\x1bag" in shown.out
    # JSON keeps the exact text (escaped by JSON itself), and the file is not "damaged".
    data = assert_ok(cli("show", HOSTILE_LABEL, "--json", stdin=lines(PASSWORD))).out
    assert "\\u001b[2J" in data and "\x1b" not in data


def test_inspect_escapes_a_link_target_s_name(vault: Vault, vault_path: Path,
                                              cli: Cli) -> None:
    # Whoever made the link chose the real file's name, and `inspect` printed it raw.
    real = vault_path.with_name("real\x1b[2J\u202e.vault")
    vault_path.rename(real)
    vault_path.symlink_to(real)
    shown = assert_ok(cli("inspect")).out
    assert "\x1b" not in shown and "\u202e" not in shown
    assert "real\\x1b[2J\\u202e.vault" in shown


@pytest.mark.parametrize("command", [("list", "--json"), ("show", HOSTILE_LABEL, "--json")])
def test_json_output_escapes_c1_and_bidi_controls_too(vault_path: Path, cli: Cli,
                                                     command: tuple[str, ...]) -> None:
    # JSON escapes only C0 controls itself: the 8-bit CSI (U+009B) and the bidi
    # override of a foreign file reached the terminal raw with --json.
    write_foreign_vault(vault_path)
    out = assert_ok(cli(*command, stdin=lines(PASSWORD))).out
    for raw in ("\x1b", "\x9b", "\u202e"):
        assert raw not in out, raw
    data = json.loads(out)
    entry = data[0] if isinstance(data, list) else data
    assert (entry["label"], entry["notes"]) == (HOSTILE_LABEL, HOSTILE_NOTES)  # exact text


@pytest.mark.parametrize(("option", "value", "field"), [
    ("--label", "evil\x1b[2Jlabel", "label"),
    ("--label", "\u202eevil", "label"),
    ("--tags", "ok,t\x1bag", "tag"),
    ("--notes", "note\x1b[31m", "notes"),
])
def test_adding_control_characters_is_refused(vault: Vault, vault_path: Path, cli: Cli,
                                              option: str, value: str, field: str) -> None:
    args = ["add", "--exchange", "binance", "--label", "new key"]
    if option == "--label":
        args[-1] = value
    else:
        args += [option, value]
    before = folder_state(vault_path)
    result = cli(*args, stdin=lines(PASSWORD, "ak-new-key", "sk-new-key"))
    assert_no_traceback(result)
    assert_fails(result, 1, field, "control character")
    assert folder_state(vault_path) == before


def test_error_messages_quoting_a_foreign_label_are_escaped(vault_path: Path,
                                                            cli: Cli) -> None:
    write_foreign_vault(vault_path)
    # The same API key again: the refusal names the key already holding it.
    result = cli("add", "--exchange", "binance", "--label", "again",
                 stdin=lines(PASSWORD, "ak-00000001", "sk-00000001"))
    assert_fails(result, 1, "already stored as")
    assert "\x1b" not in result.err and "\u202e" not in result.err
    assert "bin\\x1b[2J" in result.err
