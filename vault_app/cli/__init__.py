"""``vault-app-cli``: the scriptable front end over the vault core.

Secrets never come from argv. On a terminal they are prompted without echo;
otherwise each prompt reads one line of standard input, in this order:

- master password (``passwd``: old password, then new password; ``init``: the
  new password twice);
- for ``add`` (and ``edit --rotate``): each credential the exchange requires,
  in ccxt's order (apiKey, secret, uid, accountId, login, password, twofa,
  privateKey, walletAddress, token).
- ``backup export``: the master password, then with ``--backup-password`` the backup
  password twice; ``backup restore``: the backup password, then with ``--merge`` the
  master password.

A PEM private key spans several lines: when a value starts with ``-----BEGIN``,
lines are read up to and including the ``-----END`` line.

Exit codes are a stable contract; see ``EXIT_CODES`` and the README.

The package follows pip's ``commands/`` layout: ``status_codes`` (exit codes),
``prompter`` (secrets from the terminal or standard input), ``options`` (argument
types and the key options), ``base_command`` (what every command shares),
``commands/`` (one module per command or pair, and the registry) and
``main_parser``; ``main`` below runs one command and maps every failure to its
exit code, never a traceback.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Sequence
from typing import IO, cast

from vault_app.cli.base_command import Command, Output
from vault_app.cli.commands import COMMANDS
from vault_app.cli.main_parser import build_parser
from vault_app.cli.prompter import MAX_INPUT_LINE, Prompter
from vault_app.cli.status_codes import (
    EXIT_CODES,
    EXIT_DAMAGED,
    EXIT_IN_USE,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_IO,
    EXIT_NO_MEMORY,
    EXIT_OK,
    EXIT_USAGE,
    EXIT_WRONG_PASSWORD,
    NO_MEMORY_MESSAGE,
    PROG,
    OutputError,
    UsageError,
    exit_code_for,
)
from vault_app.core import errors
from vault_app.core.memory import is_out_of_memory
from vault_app.core.plain_text import escape

__all__ = [
    "COMMANDS", "EXIT_CODES", "EXIT_DAMAGED", "EXIT_INTERNAL", "EXIT_INTERRUPTED", "EXIT_IN_USE",
    "EXIT_IO", "EXIT_NO_MEMORY", "EXIT_OK", "EXIT_USAGE", "EXIT_WRONG_PASSWORD",
    "MAX_INPUT_LINE", "PROG", "Command", "OutputError", "Prompter", "UsageError",
    "build_parser", "exit_code_for", "main",
]


def _claim_standard_fds() -> set[int]:
    """Point closed descriptors 0-2 at /dev/null; return the ones that were closed.

    Otherwise the next file opened (the lock, the vault's temp file) would get
    descriptor 1 or 2, and anything written to "stdout" would land in it.
    """
    closed = set()
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            closed.add(fd)
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
    return closed


def _start_program(stderr: IO[str]) -> None:
    """What only the real program does, first: no core dumps, no stray descriptors."""
    from vault_app.core.process_hardening import harden_process, warning_text

    warning = warning_text(harden_process())  # before any password is read
    if warning:
        print(f"{PROG}: warning: {warning}", file=stderr)


def main(argv: Sequence[str] | None = None, *, stdin: IO[str] | None = None,
         stdout: IO[str] | None = None, stderr: IO[str] | None = None) -> int:
    """Run one command and return its exit code.

    Called without ``argv`` it is the program itself (the console script,
    ``python -m vault_app.cli``): it first turns core dumps off and claims closed
    standard descriptors. In-process tests pass ``argv`` and streams, and leave
    the test runner's process as it was.
    """
    program = argv is None
    if program:
        # One command, then the process exits. Decoding a 10,000-key vault makes some
        # 300,000 objects, none in a reference cycle; the cyclic collector would walk
        # them all at least once (~40 ms, a sixth of `list`) to free nothing.
        gc.disable()
    closed = _claim_standard_fds() if program else set()
    if 2 in closed or (stderr is None and sys.stderr is None):
        stderr = open(os.devnull, "w", encoding="utf-8")
    stderr = stderr or sys.stderr
    if program:
        _start_program(stderr)
    if stdin is None and 0 not in closed:
        stdin = sys.stdin  # None when Python found descriptor 0 closed
    stdout_closed = 1 in closed or (stdout is None and sys.stdout is None)
    stdout = stdout or sys.stdout or open(os.devnull, "w", encoding="utf-8")
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors
        return int(exc.code or 0)
    if stdout_closed:
        print(f"{PROG}: error: standard output is closed; nothing was done (to discard "
              "the output, redirect it to /dev/null)", file=stderr)
        return EXIT_USAGE
    out = Output(stdout)
    command = COMMANDS[args.command](args, stdin, cast(IO[str], out), stderr)
    try:
        code = command.run()
        command.report_save_warning()
        out.flush()
        return code
    except errors.VaultError as exc:
        from vault_app.cli.error_text import cli_error_text

        # Escaped: a message may quote a label from a file another program wrote.
        print(f"{PROG}: error: {escape(cli_error_text(exc))}", file=stderr)
        if isinstance(exc, OutputError) and program:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no 2nd error
        return exit_code_for(exc)
    except MemoryError:
        print(f"{PROG}: error: {NO_MEMORY_MESSAGE}", file=stderr)
        return EXIT_NO_MEMORY
    except KeyboardInterrupt as exc:
        # An order's Ctrl-C after its journal record says it may have been sent.
        from vault_app.cli.error_text import interrupt_text

        print(f"\n{PROG}: {escape(interrupt_text(exc))}", file=stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`| head`). Point stdout at /dev/null so that the
        # interpreter's final flush does not print a traceback either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # the last line of defence: never a traceback
        if is_out_of_memory(exc):  # a C extension the loader could not map
            print(f"{PROG}: error: {NO_MEMORY_MESSAGE}", file=stderr)
            return EXIT_NO_MEMORY
        # Saves are atomic, so the vault file is either unchanged or fully saved.
        # The message is not printed: it could quote data.
        print(f"{PROG}: internal error ({type(exc).__name__}); the vault file is intact. "
              "Please report this.", file=stderr)
        return EXIT_INTERNAL
