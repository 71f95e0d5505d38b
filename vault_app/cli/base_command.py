"""What every command shares: its streams, the vault path, printing and opening."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, ClassVar

from vault_app.cli.prompter import Prompter
from vault_app.cli.status_codes import PROG, OutputError
from vault_app.core import errors
from vault_app.core.paths import default_vault_path
from vault_app.core.plain_text import escape, escape_json

if TYPE_CHECKING:
    from vault_app.core.vault import Vault


class Command:
    """One sub-command. Subclasses set ``name`` and ``summary``, declare their
    arguments in ``add_arguments`` and do their work in ``run``, which returns the
    exit code or raises a typed error (``main`` maps it to its exit code)."""

    name: ClassVar[str]
    summary: ClassVar[str]

    def __init__(self, args: argparse.Namespace, stdin: IO[str] | None, stdout: IO[str],
                 stderr: IO[str]) -> None:
        self.args = args
        self.out = stdout
        self.err = stderr
        self.prompt = Prompter(stdin, stderr)
        self.path: Path = args.vault if args.vault else default_vault_path()
        self.vault: Vault | None = None  # the vault ``open_vault`` opened, if any

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        """Declare the command's own arguments (none by default)."""

    def run(self) -> int:
        raise NotImplementedError

    # --- output --------------------------------------------------------------------

    def say(self, text: str = "") -> None:
        print(text, file=self.out)

    def json(self, data: object) -> None:
        # One write; controls a terminal would act on are \u-escaped (the same JSON value).
        self.out.write(escape_json(json.dumps(data, ensure_ascii=False, indent=1)) + "\n")

    def warn(self, text: str) -> None:
        print(f"{PROG}: warning: {escape(text)}", file=self.err)

    # --- the vault -----------------------------------------------------------------

    def require_vault(self) -> None:
        if not os.path.lexists(self.path):  # a broken link gets the core's own message
            raise errors.VaultNotFound(
                f"no vault at {self.path}; create one with '{PROG} init'"
            )
        self.warn_about_folder()

    def warn_about_folder(self) -> None:
        from vault_app.core.folders import folder_warning

        warning = folder_warning(self.path)
        if warning:
            self.warn(warning)

    def open_vault(self, *, read_only: bool = False, rate_password: bool = False) -> Vault:
        """Ask the password and open the vault; ``rate_password``: also measure the
        password's zxcvbn score into ``Vault.password_score`` (memory only, for the
        audit; zxcvbn costs a noticeable fraction of a second, so only on request)."""
        from vault_app.core.vault import Vault

        self.require_vault()
        if not read_only:  # say so before asking for the password
            from vault_app.core.writable import check_writable

            check_writable(self.path)
        password = self.prompt.password()
        self.vault = Vault.open(self.path, password, read_only=read_only)
        if rate_password:
            from vault_app.core.password_policy import rate

            self.vault.password_score = rate(password).score
        del password
        return self.vault

    def report_save_warning(self) -> None:
        """After the command: what went wrong keeping previous versions (the save itself
        succeeded), on stderr."""
        if self.vault is not None and self.vault.save_warning:
            self.warn(self.vault.save_warning)


class Output:
    """Standard output whose write failures (``> /dev/full``) are typed errors."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def _guard(self, action: Callable[[], Any]) -> Any:
        try:
            return action()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputError(
                f"could not write to standard output ({exc.strerror or exc})") from None

    def write(self, text: str) -> int:
        return int(self._guard(lambda: self.stream.write(text)))

    def flush(self) -> None:
        self._guard(self.stream.flush)
