"""``remove`` deletes a key, after confirming on a terminal (or with ``--yes``)."""

from __future__ import annotations

import argparse

from vault_app.cli.base_command import Command
from vault_app.cli.options import text
from vault_app.cli.status_codes import EXIT_OK, UsageError
from vault_app.core.plain_text import escape


class RemoveCommand(Command):
    name = "remove"
    summary = "delete a key"

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("target", metavar="LABEL", type=text)
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def run(self) -> int:
        if not self.args.yes and not self.prompt.interactive:
            raise UsageError("refusing to ask for confirmation without a terminal; pass --yes")
        vault = self.open_vault()
        entry = vault.find(self.args.target)
        if not self.args.yes and not self.prompt.confirm(
            f"Remove key '{escape(entry.label)}' ({escape(entry.exchange)})? "
            "This cannot be undone."
        ):
            self.say("Nothing removed.")
            return EXIT_OK
        vault.remove(entry.id)
        self.say(f"Removed '{escape(entry.label)}'")
        return EXIT_OK
