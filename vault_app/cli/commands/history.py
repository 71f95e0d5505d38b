"""``history`` lists a key's previous credentials (kept after a rotation), purges them,
and sets how many days they are kept. Old secrets are never printed: only when they
were replaced and the old API key, masked."""

from __future__ import annotations

import argparse

from vault_app.cli.base_command import Command
from vault_app.cli.options import text
from vault_app.cli.status_codes import EXIT_OK, UsageError
from vault_app.core.credential_history import check_history_days, masked_key
from vault_app.core.model import KeyEntry, format_ts
from vault_app.core.plain_text import escape


class HistoryCommand(Command):
    name = "history"
    summary = "a key's previous credentials: list, purge, how long they are kept"

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("target", metavar="LABEL", type=text, nargs="?",
                            help="the key (leave out with --purge --all or --days)")
        parser.add_argument("--purge", action="store_true",
                            help="delete the previous credentials now (asks first)")
        parser.add_argument("--all", action="store_true", help="with --purge: of every key")
        parser.add_argument("--days", type=int, metavar="N",
                            help="keep previous credentials N days (1 to 3650; default 30)")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        parser.add_argument("--json", action="store_true", help="machine-readable output")

    def run(self) -> int:
        args = self.args
        if args.days is not None:
            if args.target or args.purge:
                raise UsageError("--days takes no LABEL and no --purge")
            days = check_history_days(args.days)
            self.open_vault().set_history_days(days)
            self.say(f"Previous credentials are now kept {days} day(s) after a rotation.")
            return EXIT_OK
        if args.all != (args.target is None) or (args.all and not args.purge):
            raise UsageError("give a LABEL, or --purge --all")
        if args.purge:
            return self._purge()
        vault = self.open_vault(read_only=True)
        entry = vault.find(args.target)
        if args.json:
            self.json([{"replaced_at": format_ts(old.replaced_at), "api_key": masked_key(old)}
                       for old in entry.credential_history])
            return EXIT_OK
        self._list(entry, vault.meta.history_days)
        return EXIT_OK

    def _list(self, entry: KeyEntry, days: int) -> None:
        if not entry.credential_history:
            self.say(f"'{escape(entry.label)}' keeps no previous credentials.")
            return
        self.say(f"Previous credentials of '{escape(entry.label)}' (kept {days} days after "
                 "they were replaced):")
        for old in entry.credential_history:
            self.say(f"  replaced {format_ts(old.replaced_at)}  API key {masked_key(old)}")

    def _purge(self) -> int:
        if not self.args.yes and not self.prompt.interactive:
            raise UsageError("refusing to ask for confirmation without a terminal; pass --yes")
        vault = self.open_vault()
        entry = None if self.args.all else vault.find(self.args.target)
        whose = "every key" if entry is None else f"'{escape(entry.label)}'"
        if not self.args.yes and not self.prompt.confirm(
                f"Delete the previous credentials of {whose}? They cannot be recovered."):
            self.say("Nothing purged.")
            return EXIT_OK
        dropped = vault.purge_history(None if entry is None else entry.id)
        self.say(f"Purged {dropped} previous credential set(s) of {whose}.")
        return EXIT_OK
