"""Argument parsing shared by the commands: the parser class, text arguments, the
options that describe a key (``add`` and ``edit``)."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from vault_app.cli.status_codes import EXIT_USAGE
from vault_app.core.model import clean_api_url


class Parser(argparse.ArgumentParser):
    """Usage errors exit with EXIT_USAGE (1), not argparse's 2 (wrong password here)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def text(value: str) -> str:
    """An argument that is stored or matched as text: it must be valid UTF-8."""
    try:
        value.encode("utf-8")  # undecodable argv bytes arrive as lone surrogates
    except UnicodeEncodeError:
        raise argparse.ArgumentTypeError(
            "not valid UTF-8 (check the terminal's or the script's encoding)") from None
    return value


def add_entry_options(parser: argparse.ArgumentParser, *, editing: bool) -> None:
    parser.add_argument("--exchange", required=not editing, metavar="ID", type=text,
                        help="ccxt exchange id, e.g. binance, okx, kucoin")
    parser.add_argument("--label", required=not editing, metavar="NAME", type=text,
                        help="unique name of the key" + (" (renames it)" if editing else ""))
    parser.add_argument("--permissions", metavar="LIST", type=text,
                        help="comma-separated: read, trade, withdraw (default: read)")
    parser.add_argument("--ip", metavar="ADDR[,ADDR]", type=text,
                        help="IP whitelist: addresses or CIDR networks, comma-separated")
    env = parser.add_mutually_exclusive_group()
    env.add_argument("--sandbox", action="store_true", help="the exchange's sandbox/testnet")
    env.add_argument("--live", action="store_true", help="the live exchange (default)")
    env.add_argument("--api-url", metavar="URL", type=text, help="a custom API base URL")
    parser.add_argument("--rotate-days", type=int, metavar="N",
                        help="rotation reminder in days (default 90)")
    parser.add_argument("--notes", metavar="TEXT", type=text)
    parser.add_argument("--tags", metavar="LIST", type=text, help="comma-separated tags")
    parser.add_argument("--max-notional", metavar="AMOUNT", type=text,
                        help="the most one order placed with this key may be worth, in US "
                             "dollars (amount x price on a market quoted in USD or a USD "
                             "stablecoin; a key with a limit trades only those markets); "
                        + ("an empty AMOUNT removes the limit" if editing
                           else "default: no limit"))


def environment_option(args: argparse.Namespace) -> tuple[str, str | None] | None:
    """The environment and API URL the options chose, or None if they chose none."""
    if args.api_url is not None:
        return "custom", clean_api_url(args.api_url)
    if args.sandbox:
        return "sandbox", None
    if args.live:
        return "live", None
    return None
