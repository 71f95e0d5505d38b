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


def test_kdf_memory_unavailable_has_its_own_exit_code() -> None:
    assert cli.exit_code_for(errors.KdfMemoryUnavailable("no")) == cli.EXIT_NO_MEMORY
