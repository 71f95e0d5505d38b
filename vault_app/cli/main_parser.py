"""The top-level parser: global options and one sub-parser per registered command."""

from __future__ import annotations

import argparse
from pathlib import Path

from vault_app import __version__
from vault_app.cli.commands import COMMANDS
from vault_app.cli.options import Parser
from vault_app.cli.status_codes import PROG


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog=PROG,
        description="Encrypted vault for crypto-exchange API keys.",
        epilog="Exit codes: 0 ok, 1 usage or validation error, 2 wrong master password, "
               "3 vault damaged or unsupported, 4 vault in use by another process, "
               "5 I/O error (disk full, permission denied, read-only vault, not a regular "
               "file, unsafe lock file), 6 not enough memory, 7 the exchange refused or could not "
               "be reached.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--vault", type=Path, metavar="PATH",
                        help="vault file (default: $VAULT_APP_VAULT, else vault.vault "
                             "in the user data folder)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                     parser_class=Parser)
    for name, command in COMMANDS.items():
        command.add_arguments(commands.add_parser(name, help=command.summary))
    return parser
