"""``remove`` deletes a key, after confirming on a terminal (or with ``--yes``).

A key whose orders have an unknown outcome in the order journal (PENDING, UNKNOWN) is
not removed without ``--force``: the journal finds orders by key, so they would be
forgotten, and the same order could be placed again."""

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
        parser.add_argument("--force", action="store_true",
                            help="remove it although orders of the key have an unknown "
                                 "outcome in the order journal")

    def run(self) -> int:
        if not self.args.yes and not self.prompt.interactive:
            raise UsageError("refusing to ask for confirmation without a terminal; pass --yes")
        vault = self.open_vault()
        entry = vault.find(self.args.target)
        if not self.args.force:
            from vault_app.trading.order_log import unresolved_of_key

            pending = unresolved_of_key(vault, entry.id)
            if pending:
                ids = ", ".join(order.client_order_id for order in pending[:5])
                raise UsageError(
                    f"the key '{entry.label}' has {len(pending)} order(s) whose "
                    f"outcome is unknown ({ids}); removing it would forget them, and the "
                    "same order could be placed twice. Nothing removed. Run 'order list "
                    f"--key {entry.label}' to settle them first, or pass --force")
        if not self.args.yes and not self.prompt.confirm(
            f"Remove key '{escape(entry.label)}' ({escape(entry.exchange)})? "
            "This cannot be undone."
        ):
            self.say("Nothing removed.")
            return EXIT_OK
        vault.remove(entry.id)
        self.say(f"Removed '{escape(entry.label)}'")
        return EXIT_OK
