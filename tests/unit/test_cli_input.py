"""CLI input and failure paths that need no subprocess (issue 6, item 7)."""

from __future__ import annotations

import errno
import io

import pytest

from tests.conftest import PASSWORD
from vault_app import cli
from vault_app.core import errors
from vault_app.core.vault import Vault


class FolderStdin(io.StringIO):
    """Standard input that the OS refuses to read (``< some/folder``)."""

    def readline(self, size: int | None = -1, /) -> str:
        raise IsADirectoryError(errno.EISDIR, "Is a directory")


def run(*argv: str, stdin: io.StringIO) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), stdin=stdin, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_unreadable_stdin_is_a_usage_error(vault: Vault) -> None:
    code, _out, err = run("list", stdin=FolderStdin())
    assert code == cli.EXIT_USAGE
    assert "cannot read the master password from standard input (Is a directory)" in err


def test_memory_error_exits_6_saying_nothing_was_written(
        vault: Vault, monkeypatch: pytest.MonkeyPatch) -> None:
    def exhausted(*args: object, **kwargs: object) -> Vault:
        raise MemoryError

    monkeypatch.setattr(Vault, "open", exhausted)
    code, _out, err = run("list", stdin=io.StringIO(PASSWORD + "\n"))
    assert code == cli.EXIT_NO_MEMORY == 6
    assert err.startswith("vault-app-cli: error: out of memory; nothing was written")
    assert "internal error" not in err


def test_a_library_the_loader_cannot_map_is_out_of_memory_not_a_bug(
        vault: Vault, monkeypatch: pytest.MonkeyPatch) -> None:
    # Under `ulimit -v 40000` the crypto libraries are imported lazily and their
    # shared objects cannot be mapped: the CLI printed "internal error
    # (ImportError) ... Please report this" and exited 70.
    def unmappable(*args: object, **kwargs: object) -> Vault:
        raise ImportError("/venv/cryptography/hazmat/bindings/_rust.abi3.so: failed to map "
                          "segment from shared object")

    monkeypatch.setattr(Vault, "open", unmappable)
    code, _out, err = run("list", stdin=io.StringIO(PASSWORD + "\n"))
    assert code == cli.EXIT_NO_MEMORY
    assert err.startswith("vault-app-cli: error: out of memory; nothing was written")


def test_any_other_import_error_is_still_an_internal_error(
        vault: Vault, monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(*args: object, **kwargs: object) -> Vault:
        raise ImportError("No module named 'argon2'")

    monkeypatch.setattr(Vault, "open", missing)
    code, _out, err = run("list", stdin=io.StringIO(PASSWORD + "\n"))
    assert code == cli.EXIT_INTERNAL
    assert "internal error (ImportError)" in err


def test_kdf_memory_unavailable_has_its_own_exit_code() -> None:
    assert cli.exit_code_for(errors.KdfMemoryUnavailable("no")) == cli.EXIT_NO_MEMORY
