"""``order preview|place|cancel|list|resolve``: one key's orders.

Every action reconciles the key's unresolved orders first. ``preview`` and ``place``
parse the input before the password is asked (bad input never reaches the exchange),
then check the key's labels (only ``trade`` may submit) and the market, and build
the preview from ccxt's own signed request. ``place`` asks "Send this order?" on the
terminal unless ``--yes``; without a terminal it refuses. It never sends while an
earlier order of the key is unresolved, and never resends one whose answer was lost.
Both refuse while the exchange holds orders of this app (client id ``va-...``) that
the journal does not know, unless ``--ignore-foreign-orders`` (never implied by
``--yes``). A Ctrl-C while an order is being sent says it may have been sent.
``resolve --not-placed`` settles by hand an order whose outcome stays unknown (the
user checked the exchange): it asks on the terminal unless ``--yes``. ``list`` always
prints the journal's orders; if the exchange cannot be reached to refresh them (one
attempt), it prints them as last known, then one error line, and exits 7.
"""

from __future__ import annotations

import argparse
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from vault_app.cli.commands.trading_base import (
    TradingCommand,
    add_key_option,
    has_terminal,
    key_arg,
)
from vault_app.cli.options import text
from vault_app.cli.status_codes import EXIT_OK, EXIT_USAGE, PROG, UsageError
from vault_app.core.errors import VaultError
from vault_app.core.plain_text import escape
from vault_app.trading.errors import ExchangeProblem, OrderNotAllowed

if TYPE_CHECKING:
    from vault_app.trading.orders import OrderRequest
    from vault_app.trading.session import TradingSession

ACTIONS = ("preview", "place", "cancel", "list", "resolve")


def percent(value: str) -> Decimal:
    """``--price-band``: a percentage above 0 and at most 100."""
    from vault_app.trading.orders import parse_decimal

    try:
        number = parse_decimal(value, "percentage", "price_band")
    except VaultError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if number > 100:
        raise argparse.ArgumentTypeError(f"{value} is more than 100 %")
    return number


def _add_order_options(parser: argparse.ArgumentParser) -> None:
    add_key_option(parser)
    parser.add_argument("--symbol", required=True, type=text, metavar="S",
                        help="e.g. BTC/USDT")
    parser.add_argument("--side", required=True, type=text, metavar="buy|sell")
    parser.add_argument("--type", required=True, type=text, dest="order_type",
                        metavar="market|limit|stop-limit",
                        help="stop-limit where the exchange has it")
    parser.add_argument("--amount", required=True, type=text, metavar="A",
                        help="in the base currency (BTC for BTC/USDT)")
    parser.add_argument("--price", type=text, metavar="P",
                        help="limit price, in the quote currency")
    parser.add_argument("--stop-price", type=text, metavar="P",
                        help="stop-limit trigger price")
    parser.add_argument("--tif", type=text, metavar="GTC|IOC|FOK",
                        help="time in force (default GTC)")
    parser.add_argument("--post-only", action="store_true",
                        help="a limit order that only rests on the book")
    parser.add_argument("--price-band", type=percent, default=None, metavar="PCT",
                        help="warn when the limit price is more than PCT %% away from the "
                             "last price (default 10)")
    parser.add_argument("--allow-far-price", action="store_true",
                        help="place a limit price more than 50 %% away from the last price "
                             "(refused otherwise: most often a typo)")
    parser.add_argument("--ignore-foreign-orders", action="store_true",
                        help="go on although the exchange holds orders of vault-app that "
                             "this vault's order journal does not know (check them first)")


class OrderCommand(TradingCommand):
    name = "order"
    summary = "preview, place, cancel and list a key's orders"

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION",
                                        parser_class=type(parser))
        _add_order_options(actions.add_parser(
            "preview", help="check an order and show exactly what would be sent"))
        place = actions.add_parser("place", help="preview, confirm and send an order")
        _add_order_options(place)
        place.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        cancel = actions.add_parser("cancel", help="cancel an open order")
        add_key_option(cancel)
        cancel.add_argument("--id", required=True, type=text, dest="order_id",
                            help="the exchange's order id or the client order id")
        listing = actions.add_parser("list", help="the key's orders (journal and exchange)")
        add_key_option(listing)
        listing.add_argument("--open", action="store_true",
                             help="the exchange's open orders (placed here or elsewhere)")
        listing.add_argument("--json", action="store_true")
        resolve = actions.add_parser(
            "resolve", help="settle an order whose outcome is unknown, after checking the "
            "exchange")
        add_key_option(resolve)
        resolve.add_argument("--id", required=True, type=text, dest="order_id",
                             help="the order's client id (va-...)")
        resolve.add_argument("--not-placed", action="store_true", required=True,
                             help="the exchange does not have it: record it NOT_PLACED")
        resolve.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def act(self) -> int:
        action = self.args.action
        if action in ("preview", "place"):
            return self.preview_or_place(place=action == "place")
        if action == "cancel":
            return self.cancel()
        if action == "resolve":
            return self.resolve()
        return self.list_orders()

    # --- preview and place -----------------------------------------------------------

    def request(self, key_id: str) -> OrderRequest:
        from vault_app.trading.orders import parse_order

        args = self.args
        return parse_order(key_id, args.symbol, args.side, args.order_type, args.amount,
                           args.price, stop_price=args.stop_price, time_in_force=args.tif,
                           post_only=args.post_only, allow_far_price=args.allow_far_price)

    def preview_or_place(self, *, place: bool) -> int:
        self.request("")  # bad input is refused before the password is even asked
        confirm = place and not self.args.yes
        if confirm and not has_terminal(self.prompt.interactive):
            raise UsageError("refusing to place an order without a terminal to confirm it; "
                             "pass --yes")
        session = self.session(writable=place)
        from vault_app.trading.orders import require_trade

        require_trade(session.entry)  # before any request, reconcile's included
        if not self.reconcile_first(session) and place:
            raise OrderNotAllowed(
                "an earlier order of this key has an unknown outcome, so nothing was sent",
                fix=f"run '{PROG} order list --key {key_arg(session)}' again in a few "
                    "seconds; it finds out what the exchange did. If it says to check the "
                    "order on the exchange and the exchange does not have it: "
                    f"'{PROG} order resolve --key {key_arg(session)} --id CLIENT_ID "
                    "--not-placed'")
        preview = session.preview(self.request(session.entry.id),
                                  ignore_foreign_orders=self.args.ignore_foreign_orders)
        for line in preview.lines(warnings=False):
            self.say(escape(line))
        self.out.flush()  # before the warnings, on standard error
        for warning in preview.checked.warnings:
            self.warn(warning)
        if not place:
            return EXIT_OK
        if confirm:
            where = "LIVE, real money" if preview.live else preview.endpoint
            if not self.confirm(f"Send this order ({escape(where)}) with key "
                                f"{escape(preview.key)}?"):
                self.say("Nothing sent.")
                return EXIT_USAGE  # a script must not take a declined order for a placed one
        # After a question the price is checked again, however quick the answer.
        return self.report(session.place(preview, recheck_price=confirm or None),
                           key_arg(session))

    def report(self, placement: Any, key: str = "LABEL") -> int:
        from vault_app.trading.order_log import NOT_PLACED, REJECTED, UNKNOWN
        from vault_app.trading.order_view import describe_fill

        order = placement.order
        if order.state == UNKNOWN:
            problem = placement.problem
            raise ExchangeProblem(
                f"order {order.client_order_id} was sent but no answer came "
                f"({problem.message if problem else 'no answer'}): outcome unknown, will "
                "reconcile. It was not resent",
                fix=f"the next '{PROG} order' command for this key finds out what the "
                    f"exchange did: '{PROG} order list --key {escape(key)}'")
        if order.state in (REJECTED, NOT_PLACED) and placement.problem is not None:
            from vault_app.trading.errors import for_order_type

            raise for_order_type(placement.problem, str(order.fields.get("type") or ""))
        for warning in placement.warnings:
            self.warn(warning)
        exchange_id = f"exchange id {escape(str(order.order_id))}" \
            if order.order_id not in (None, "", "None") else "no exchange id in the answer"
        self.say(f"Placed: {order.state}, {exchange_id}, "
                 f"client id {order.client_order_id}{escape(describe_fill(order))}")
        return EXIT_OK

    # --- cancel and list ----------------------------------------------------------------

    def cancel(self) -> int:
        session = self.session(writable=True)
        from vault_app.trading.orders import require_trade

        require_trade(session.entry)
        self.reconcile_first(session)
        answer = session.cancel(self.args.order_id)
        self.say(f"Canceled order {escape(str(answer.get('id')))} "
                 f"({escape(str(answer.get('symbol') or ''))}): "
                 f"{escape(str(answer.get('status') or 'canceled'))}")
        return EXIT_OK

    def list_orders(self) -> int:
        from vault_app.trading.session import MAX_CLOSED_LOOKUPS

        session = self.session(writable=False)
        self.reconcile_first(session)
        if self.args.open:
            return self.list_open(session)
        orders = session.history(refresh=True)
        for gone in session.gone:
            self.warn(f"order {gone.client_order_id} (exchange id {escape(str(gone.order_id))}) "
                      f"is {gone.state} in the journal, but the exchange no longer knows it "
                      "(archived, or the exchange was reset, as the demo exchange is by a "
                      "restart): shown as last seen")
        if session.unchecked:
            self.warn(f"{len(session.unchecked)} more order(s) are no longer open on the "
                      "exchange and were not looked up this time (at most "
                      f"{MAX_CLOSED_LOOKUPS} per run, the newest first): shown as last "
                      "seen; run 'order list' again to look them up")
        if self.args.json:
            self.json([order.public() for order in orders])
        elif not orders:
            self.say("No orders placed with this key from this vault.")
        else:
            from vault_app.trading.order_view import COLUMNS, row

            self.table([COLUMNS, *(row(order.public()) for order in orders)])
        problem = session.refresh_problem
        if problem is not None:
            # The journal's orders are printed all the same; the exit status (7) tells a
            # script that their states may be out of date.
            self.out.flush()
            raise ExchangeProblem(
                f"could not refresh from the exchange: {problem.message.rstrip('.')}; "
                "showing the journal's last known states", fix=problem.fix)
        return EXIT_OK

    def list_open(self, session: TradingSession) -> int:
        from vault_app.trading.order_view import COLUMNS, exchange_order_public, row

        entry = session.entry
        orders = [exchange_order_public(order, entry.id, entry.exchange, entry.environment)
                  for order in session.open_orders()]
        if self.args.json:
            self.json(orders)
            return EXIT_OK
        if not orders:
            self.say("No open orders.")
            return EXIT_OK
        self.table([COLUMNS, *(row(order) for order in orders)])
        return EXIT_OK

    # --- resolve --------------------------------------------------------------------------

    def resolve(self) -> int:
        confirm = not self.args.yes
        if confirm and not has_terminal(self.prompt.interactive):
            raise UsageError("refusing to mark an order not placed without a terminal to "
                             "confirm it; pass --yes")
        session = self.session(writable=True)
        from vault_app.trading.orders import require_trade

        require_trade(session.entry)
        ref = self.args.order_id.strip()
        known = next((order for order in session.history() if order.client_order_id == ref),
                     None)
        if known is not None and not known.unresolved:
            from vault_app.trading.errors import OrderInputError

            raise OrderInputError(f"order {escape(ref)} is {known.state}: its state is "
                                  "known, so it was left as it is", field="id")
        if confirm and known is not None:
            fields = known.fields
            self.say(f"Order {known.client_order_id}: {fields.get('side')} "
                     f"{fields.get('amount')} {escape(known.symbol)} "
                     f"{fields.get('type')}, sent {fields.get('created_at')}, {known.state}")
            if not self.confirm("Mark it NOT PLACED? Only if the exchange does not have it "
                                "(a wrong answer can lead to a duplicate order)"):
                self.say("Nothing changed.")
                return EXIT_OK
        order = session.mark_not_placed(ref)
        self.say(f"Order {order.client_order_id}: NOT_PLACED (marked not placed by you)")
        return EXIT_OK
