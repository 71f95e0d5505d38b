"""``balance``: a key's balances on its exchange (a ``read`` key may view them)."""

from __future__ import annotations

import argparse

from vault_app.cli.commands.trading_base import TradingCommand, add_key_option
from vault_app.cli.status_codes import EXIT_OK


class BalanceCommand(TradingCommand):
    name = "balance"
    summary = "show a key's balances on its exchange"

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        add_key_option(parser)
        parser.add_argument("--json", action="store_true")

    def act(self) -> int:
        from vault_app.trading.orders import plain

        session = self.session(writable=False)
        self.reconcile_first(session)
        balances = session.balances()
        if self.args.json:
            self.json([{"currency": row.currency, "free": plain(row.free),
                        "used": plain(row.used), "total": plain(row.total)}
                       for row in balances])
            return EXIT_OK
        if not balances:
            self.say("No balances.")
            return EXIT_OK
        rows = [("CURRENCY", "FREE", "IN ORDERS", "TOTAL")]
        rows += [(row.currency, plain(row.free), plain(row.used), plain(row.total))
                 for row in balances]
        self.table(rows)
        return EXIT_OK
