"""Reading secrets: without echo on a terminal, one line of standard input each otherwise.

See the package docstring for the order in which a command reads them.
"""

from __future__ import annotations

import getpass
from typing import IO, TextIO, cast

from vault_app.cli.status_codes import UsageError
from vault_app.core.exchanges import CREDENTIAL_TITLES

# A line of standard input longer than this is refused (``< /dev/zero`` must not
# fill the memory). A PEM key is read line by line, each far shorter.
MAX_INPUT_LINE = 64 * 1024


def discard_typeahead(terminal: IO[str]) -> None:
    """Drop what was typed before a question was shown: a "y" typed while the preview
    was loading must not answer a question the user has not read (``TCIFLUSH``)."""
    try:
        import termios
    except ImportError:  # pragma: no cover - Windows: no termios
        return
    try:
        termios.tcflush(terminal.fileno(), termios.TCIFLUSH)
    except (OSError, ValueError, termios.error):  # not a terminal after all
        pass


class Prompter:
    """Reads secrets: without echo on a terminal, one line each otherwise."""

    def __init__(self, stdin: IO[str] | None, stderr: IO[str]) -> None:
        self.stdin = stdin  # None: standard input was closed (``<&-``)
        self.stderr = stderr
        try:
            self.interactive = stdin is not None and stdin.isatty()
        except (OSError, ValueError):
            self.interactive = False
        self._line = 0

    def _read(self, prompt: str, what: str) -> str:
        self._line += 1
        if self.stdin is None:
            raise UsageError(f"standard input is closed; {what} is read from it")
        try:
            if self.interactive:
                value = getpass.getpass(prompt, stream=cast(TextIO, self.stderr))
            else:
                line = self.stdin.readline(MAX_INPUT_LINE + 1)
                if not line:
                    raise UsageError(
                        f"expected {what} on standard input (line {self._line}), "
                        "got end of input"
                    )
                if len(line) > MAX_INPUT_LINE:
                    raise UsageError(
                        f"line {self._line} of standard input ({what}) is longer than "
                        f"{MAX_INPUT_LINE} characters")
                value = line.rstrip("\r\n")
            value.encode("utf-8")  # undecodable bytes arrive as lone surrogates
        except (UnicodeDecodeError, UnicodeEncodeError):
            raise UsageError(
                f"{what} on standard input (line {self._line}) is not valid UTF-8"
            ) from None
        except OSError as exc:  # e.g. ``< some/folder``
            raise UsageError(
                f"cannot read {what} from standard input ({exc.strerror or exc})"
            ) from None
        return value

    def password(self, prompt: str = "Master password: ",
                 what: str = "the master password") -> str:
        return self._read(prompt, what)

    def new_password(self, prompt: str = "New master password: ") -> tuple[str, str | None]:
        """A new password; on a terminal it is asked twice."""
        first = self._read(prompt, "the new master password")
        if not self.interactive:
            return first, None
        return first, self._read("Repeat it: ", "the new master password again")

    def credential(self, name: str, exchange_name: str) -> str:
        title = CREDENTIAL_TITLES.get(name, name)
        value = self._read(f"{exchange_name} {title}: ", f"the {title} ({name})")
        if value.strip().startswith("-----BEGIN") and "-----END" not in value:
            lines = [value]
            while True:
                more = self._read("", f"the rest of the PEM {title}")
                lines.append(more)
                if more.strip().startswith("-----END"):
                    break
            value = "\n".join(lines)
        return value

    def confirm(self, question: str) -> bool:
        if not self.interactive:
            raise UsageError("refusing to ask for confirmation without a terminal; pass --yes")
        assert self.stdin is not None  # interactive
        discard_typeahead(self.stdin)
        print(f"{question} [y/N] ", end="", file=self.stderr, flush=True)
        return self.stdin.readline(MAX_INPUT_LINE).strip().lower() in ("y", "yes")

    def choose(self, question: str, choices: tuple[str, ...]) -> str:
        """One of ``choices``, typed on the terminal (its first letter is enough); asked
        again until the answer is one. An empty answer or end of input is refused."""
        if not self.interactive:
            raise UsageError("refusing to ask a question without a terminal")
        assert self.stdin is not None  # interactive
        discard_typeahead(self.stdin)
        while True:
            print(f"{question} [{'/'.join(choices)}] ", end="", file=self.stderr, flush=True)
            line = self.stdin.readline(MAX_INPUT_LINE)
            if not line:
                raise UsageError("no answer (end of input); nothing was written")
            answer = line.strip().lower()
            for choice in choices:
                if answer and (answer == choice or choice.startswith(answer)):
                    return choice
