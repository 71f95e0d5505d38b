"""The registry: each command's name and the class that runs it, in ``--help`` order.

To add a command, write a ``Command`` subclass in a module of this package (one
module per command or per pair that shares code) and list it here.
"""

from __future__ import annotations

from vault_app.cli.base_command import Command
from vault_app.cli.commands.add_edit import AddCommand, EditCommand
from vault_app.cli.commands.audit import AuditCommand
from vault_app.cli.commands.backup import BackupCommand
from vault_app.cli.commands.balance import BalanceCommand
from vault_app.cli.commands.demo_exchange import DemoExchangeCommand
from vault_app.cli.commands.history import HistoryCommand
from vault_app.cli.commands.import_keys import ImportCommand
from vault_app.cli.commands.init_passwd import InitCommand, PasswdCommand
from vault_app.cli.commands.inspect import InspectCommand
from vault_app.cli.commands.list_show import ListCommand, ShowCommand
from vault_app.cli.commands.order import OrderCommand
from vault_app.cli.commands.remove import RemoveCommand
from vault_app.cli.commands.run import RunCommand
from vault_app.cli.commands.verify import VerifyCommand
from vault_app.cli.commands.versions import VersionsCommand

COMMANDS: dict[str, type[Command]] = {
    command.name: command
    for command in (InitCommand, AddCommand, EditCommand, ListCommand, ShowCommand,
                    RemoveCommand, PasswdCommand, BackupCommand, InspectCommand, OrderCommand,
                    BalanceCommand, DemoExchangeCommand, VersionsCommand, RunCommand,
                    ImportCommand, AuditCommand, VerifyCommand, HistoryCommand)
}
