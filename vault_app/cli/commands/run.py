"""``run``: start a bot with a key's credentials in its environment, nothing on disk.

Order: the command is looked up on PATH (a typo costs no password; exit 127 when it
is not found, 126 when it is a folder or not executable, as a shell does; a script
whose ``#!`` interpreter is missing is only found out at exec: 126 then), the vault is
opened (the password through the prompter), the variables are built, the use is
recorded (``last_used_at``), the vault is locked (data key and entries forgotten), and
only then the child is spawned: no shell, the secrets in its environment only, never in
either process's argv. SIGINT, SIGTERM and SIGHUP are forwarded to the child; ``run``
exits with the child's code, 128+N when a signal N ended it (as a shell does).

Standard input: a password typed on a terminal is read from the terminal, and the child
inherits standard input untouched. A password read from piped standard input consumed
it (buffered reads take more than one line), so the child's standard input is then
``/dev/null``.

A SIGINT from the terminal (Ctrl-C) reaches the whole foreground process group, the
child included; it is forwarded only when ``run`` is not in the terminal's foreground
group, so the child never gets it twice.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
from types import FrameType

from vault_app.cli.base_command import Command
from vault_app.cli.options import text
from vault_app.cli.status_codes import UsageError

EXIT_CANNOT_EXECUTE = 126
EXIT_NOT_FOUND = 127
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def exit_status(returncode: int) -> int:
    """A child's exit code as a shell reports it: 128+N after signal N."""
    return 128 - returncode if returncode < 0 else returncode


def in_terminal_foreground() -> bool:
    try:
        with open("/dev/tty", "rb") as tty:
            return os.tcgetpgrp(tty.fileno()) == os.getpgrp()
    except OSError:
        return False


def find_program(name: str) -> tuple[str | None, int, str]:
    """``(path, 0, "")`` for a command that can be started, else ``(None, code, why)``
    as a shell says it: 127 when there is no such command, 126 when it is there but
    cannot be executed (a folder, no execute permission)."""
    if "/" in name:
        candidates = [name]
    else:
        found = shutil.which(name)
        if found is not None:
            return found, 0, ""
        folders = os.environ.get("PATH", os.defpath).split(os.pathsep)
        candidates = [os.path.join(folder or ".", name) for folder in folders]
    for path in candidates:
        if os.path.isdir(path):
            if "/" in name:
                return None, EXIT_CANNOT_EXECUTE, f"cannot execute {name}: it is a folder"
        elif os.path.exists(path):
            if not os.access(path, os.X_OK):
                return None, EXIT_CANNOT_EXECUTE, (f"cannot execute {path}: permission "
                                                   "denied (not executable)")
            return path, 0, ""
    return None, EXIT_NOT_FOUND, f"command not found: {name}"


class RunCommand(Command):
    name = "run"
    summary = "run a program with a key's credentials in its environment (no file)"

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--key", required=True, metavar="LABEL", type=text)
        parser.add_argument("--preset", choices=("freqtrade", "generic"))
        parser.add_argument("--env", action="append", default=[], metavar="NAME=FIELD",
                            type=text, help="set NAME to the key's FIELD (apiKey, secret, "
                            "password, uid, privateKey, ..., exchange, label, environment, "
                            "api_url); repeatable")
        parser.add_argument("--sandbox-only", action="store_true",
                            help="refuse a live key (and a custom URL not on this machine)")
        parser.add_argument("argv", nargs=argparse.REMAINDER, metavar="-- COMMAND ARGS")

    def run(self) -> int:
        from vault_app.core import bot_env

        argv = list(self.args.argv)
        if argv and argv[0] == "--":
            argv = argv[1:]
        if not argv:
            raise UsageError("no command given: vault-app-cli run --key LABEL ... -- "
                             "COMMAND ARGS")
        variables = bot_env.plan(self.args.preset, self.args.env)
        program, code, why = find_program(argv[0])
        if program is None:
            self.exit_hint(why, code)
            return code
        piped = not self.prompt.interactive
        vault = self.open_vault()
        try:
            entry = vault.find(self.args.key)
            if self.args.sandbox_only:
                bot_env.check_sandbox_only(entry)
            values = bot_env.environment_for(entry, variables)
            vault.mark_used(entry.id)
        finally:
            vault.lock()
        env = bot_env.merged(os.environ, values, variables)
        del values, entry
        return self._spawn(program, argv, env, piped)

    def _spawn(self, program: str, argv: list[str], env: dict[str, str],
               piped: bool) -> int:
        child: subprocess.Popen[bytes] | None = None
        pending: list[int] = []
        forward_int = not in_terminal_foreground()

        def forward(signum: int, _frame: FrameType | None) -> None:
            if signum == signal.SIGINT and not forward_int:
                return
            if child is None:
                pending.append(signum)
            else:
                child.send_signal(signum)

        previous = {sig: signal.signal(sig, forward) for sig in FORWARDED}
        try:
            self.err.flush()
            sys.stdout.flush()
            try:
                child = subprocess.Popen(
                    [program, *argv[1:]], env=env, close_fds=True,
                    stdin=subprocess.DEVNULL if piped else None)
            except FileNotFoundError:
                if os.path.exists(program):  # only known at exec: a #! naming nothing
                    self.exit_hint(f"cannot execute {argv[0]}: bad interpreter (the "
                                   "program its #! line names was not found)",
                                   EXIT_CANNOT_EXECUTE)
                    return EXIT_CANNOT_EXECUTE
                self.exit_hint(f"command not found: {argv[0]}", EXIT_NOT_FOUND)
                return EXIT_NOT_FOUND
            except OSError as exc:
                self.exit_hint(f"cannot execute {argv[0]}: {exc.strerror or exc}",
                               EXIT_CANNOT_EXECUTE)
                return EXIT_CANNOT_EXECUTE
            finally:
                env.clear()
            for signum in pending:
                child.send_signal(signum)
            return exit_status(child.wait())
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def exit_hint(self, message: str, code: int) -> None:
        print(f"vault-app-cli: error: {message}; nothing was started (exit {code})",
              file=self.err)
