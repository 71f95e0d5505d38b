"""What the trading commands share: ``--key``, the session, reconciling first, tables.

Nothing here imports ccxt: the session loads the key's exchange module alone, when
the command first talks to the exchange.
"""

from __future__ import annotations

import argparse
import io
import os
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING

from vault_app.cli.base_command import Command
from vault_app.cli.options import text
from vault_app.cli.prompter import MAX_INPUT_LINE, discard_typeahead
from vault_app.cli.status_codes import PROG, UsageError
from vault_app.core.errors import ValidationError
from vault_app.core.plain_text import escape

if TYPE_CHECKING:
    from vault_app.core.model import KeyEntry
    from vault_app.core.vault import Vault
    from vault_app.trading.session import TradingSession


def add_key_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--key", required=True, metavar="LABEL", type=text,
                        help="the key's label (or id)")
    parser.add_argument("--sync-clock", action="store_true",
                        help="sign with the exchange's time (when this computer's clock is off)")


def key_arg(session: TradingSession) -> str:
    """The key's real label as a ``--key`` argument for a hint, quoted for a shell: in
    double quotes when it needs quoting (hints sit inside '...'), else as it is."""
    import re
    import shlex

    label = session.entry.label
    if re.fullmatch(r"[\w@%+=:,./-]+", label, re.ASCII):
        return label
    if not re.search(r'["$`\\!]', label):
        return f'"{label}"'
    return shlex.quote(label)


def find_key(vault: Vault, ref: str) -> KeyEntry:
    """The one key whose label is ``ref`` (case-insensitive), or whose id is ``ref``.

    Refused when more than one key matches (``main`` and ``Main``, or a label that is
    another key's id): an order must never go out with a key the user did not mean.
    """
    wanted = " ".join(ref.split())
    folded = wanted.casefold()
    matches = [entry for entry in vault.entries
               if entry.label.casefold() == folded or entry.id == ref.strip()]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise ValidationError(f"no key labelled '{wanted}' (nor with that id)", field="key")
    candidates = ", ".join(f"'{entry.label}' (id {entry.id})" for entry in matches)
    raise ValidationError(
        f"--key '{wanted}' matches {len(matches)} keys: {candidates}; nothing was done. "
        "Pass the id of the one you mean (--key ID), or relabel one of them", field="key")


class TradingCommand(Command):
    """A command that works with one key's exchange account. Subclasses do their work
    in ``act`` (a clock error names ``--sync-clock``: ``vault_app.cli.error_text``)."""

    def run(self) -> int:
        return self.act()

    def act(self) -> int:
        raise NotImplementedError

    def session(self, *, writable: bool) -> TradingSession:
        from vault_app.trading.session import TradingSession

        vault = self.open_vault(read_only=not writable)
        session = TradingSession(vault, find_key(vault, self.args.key))
        band = getattr(self.args, "price_band", None)  # a percentage, on order commands
        if band is not None:
            session.price_band = band / 100
        return session

    def reconcile_first(self, session: TradingSession) -> bool:
        """Sync the clock if asked, then settle the key's unresolved orders and say what
        became of them. True if none is left unresolved."""
        if self.args.sync_clock:
            offset = session.client.sync_clock()
            self.notice(f"Clock: signing with the exchange's time (this computer is "
                        f"{abs(offset)} ms {'ahead' if offset >= 0 else 'behind'})")
        settled = True
        for resolution in session.reconcile():
            if resolution.resolved:
                self.notice(f"Reconciled: {escape(resolution.message)}")
            else:
                settled = False
                hint = ""
                if resolution.needs_user:
                    hint = (f": {PROG} order resolve --key {escape(key_arg(session))} --id "
                            f"{resolution.order.client_order_id} --not-placed")
                self.warn(escape(resolution.message) + hint)
        return settled

    def notice(self, text: str) -> None:
        """A line about what happened on the way (a reconciled order, the clock): on
        standard output, or standard error with ``--json`` (standard output is JSON)."""
        if getattr(self.args, "json", False):
            print(text, file=self.err)
        else:
            self.say(text)

    def confirm(self, question: str) -> bool:
        """Ask ``question`` [y/N] on the terminal: standard input if it is one, else
        /dev/tty (standard input may be carrying the password)."""
        if self.prompt.interactive:
            return self.prompt.confirm(question)
        terminal = open_terminal()
        if terminal is None:
            raise UsageError("refusing to place an order without a terminal to confirm it; "
                             "pass --yes")
        with terminal:
            discard_typeahead(terminal)
            terminal.write(f"{question} [y/N] ")
            terminal.flush()
            return terminal.readline(MAX_INPUT_LINE).strip().lower() in ("y", "yes")

    def table(self, rows: Sequence[Sequence[str]]) -> None:
        safe = [[escape(cell) for cell in row] for row in rows]
        widths = [max(len(row[i]) for row in safe) for i in range(len(safe[0]) - 1)]
        line = "  ".join(f"{{:<{width}}}" for width in widths) + "  {}"
        self.out.write("".join(line.format(*row).rstrip() + "\n" for row in safe))


def open_terminal() -> IO[str] | None:
    """The controlling terminal for a question, or None if there is none.

    Opened as ``getpass`` does: ``open("/dev/tty", "r+")`` in text mode wants a
    seekable file and fails on every terminal."""
    try:
        fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return None
    try:  # closed by the caller
        return io.TextIOWrapper(io.FileIO(fd, "r+"), encoding="utf-8", write_through=True)
    except (OSError, ValueError):
        os.close(fd)
        return None


def has_terminal(stdin_is_terminal: bool) -> bool:
    if stdin_is_terminal:
        return True
    terminal = open_terminal()
    if terminal is None:
        return False
    terminal.close()
    return True
