"""``versions list|diff NAME|restore NAME|keep N``: the previous versions of the vault.

Every save keeps the file it replaces in ``<vault>.versions/`` (``core/versions.py``).
A restore is one locked atomic save, refused if the vault changed since the
difference it confirms was computed; the current state becomes a version itself.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from vault_app.cli.base_command import Command
from vault_app.cli.options import text
from vault_app.cli.status_codes import EXIT_OK, UsageError
from vault_app.core.field_names import names_text
from vault_app.core.plain_text import escape
from vault_app.core.schema import MAX_KEEP_VERSIONS

if TYPE_CHECKING:
    from vault_app.core.entry_diff import VersionDiff
    from vault_app.core.vault import Vault


def count(value: str) -> int:
    if not value.isdigit() or int(value) > MAX_KEEP_VERSIONS:
        raise argparse.ArgumentTypeError(
            f"expected a number of versions from 0 to {MAX_KEEP_VERSIONS}")
    return int(value)


class VersionsCommand(Command):
    name = "versions"
    summary = "list, compare and restore the previous versions kept on every save"

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION",
                                        parser_class=type(parser))
        listing = actions.add_parser("list", help="the versions kept, newest first")
        listing.add_argument("--json", action="store_true", help="machine-readable output")
        diff = actions.add_parser("diff", help="what restoring a version would change")
        diff.add_argument("version", metavar="NAME", type=text)
        restore = actions.add_parser("restore", help="make a version the vault's content")
        restore.add_argument("version", metavar="NAME", type=text)
        restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        keep = actions.add_parser("keep", help="how many versions each save keeps (0: none)")
        keep.add_argument("count", metavar="N", type=count)
        keep.add_argument("--yes", action="store_true",
                          help="do not ask before deleting versions beyond N")

    def run(self) -> int:
        action = self.args.action
        if action == "restore" and not self.args.yes and not self.prompt.interactive:
            raise UsageError("refusing to ask for confirmation without a terminal; pass --yes")
        vault = self.open_vault(read_only=action in ("list", "diff"))
        if action == "list":
            return self._list(vault)
        if action == "diff":
            self._show(vault.version_diff(self.args.version))
            return EXIT_OK
        if action == "keep":
            doomed = vault.versions_removed_by_keeping(self.args.count)
            if doomed and not self.args.yes and not self.prompt.confirm(
                    f"Keeping {self.args.count} deletes {len(doomed)} previous version(s) "
                    "now, oldest first. Continue?"):
                self.say("Nothing changed.")
                return EXIT_OK
            vault.set_keep_versions(self.args.count)
            self.say(f"Each save now keeps {self.args.count} previous version(s).")
            return EXIT_OK
        shown = vault.version_diff(self.args.version)
        if shown.is_empty:
            self.say("The vault already holds exactly this version; nothing restored.")
            return EXIT_OK
        self._show(shown)
        if not self.args.yes and not self.prompt.confirm(
                f"Restore version {escape(self.args.version)}? The current state is kept "
                "as a version."):
            self.say("Nothing restored.")
            return EXIT_OK
        vault.restore_version(self.args.version, expected_diff=shown)
        self.say(f"Restored {escape(self.args.version)} ({len(vault)} keys); the previous "
                 "state is kept as a version.")
        return EXIT_OK

    def _list(self, vault: Vault) -> int:
        kept = vault.versions()
        if self.args.json:
            self.json([{"name": v.name, "saved_at": v.saved_at.isoformat(), "size": v.size,
                        "keys": v.key_count, "opens": v.opens_with_current_key,
                        "problem": v.problem} for v in kept])
            return EXIT_OK
        if not kept:
            self.say("No previous versions are kept.")
            return EXIT_OK
        for v in kept:
            local = v.saved_at.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")
            utc = v.saved_at.strftime("%Y-%m-%d %H:%M:%S UTC")
            keys = f"{v.key_count} keys" if v.key_count is not None else "? keys"
            line = f"{v.name}  {local} ({utc})  {keys}  {v.size:,} bytes"
            self.say(escape(line))
            if v.problem:
                self.say(f"    {escape(v.problem)}")
        return EXIT_OK

    def _show(self, shown: VersionDiff) -> None:
        if shown.is_empty:
            self.say("No difference: the vault holds exactly this version.")
            return
        for ref in shown.added:
            self.say(f"+ {escape(ref.label)} ({escape(ref.exchange)})  would be added back")
        for ref in shown.removed:
            self.say(f"- {escape(ref.label)} ({escape(ref.exchange)})  would be removed")
        for changed in shown.changed:
            self.say(f"~ {escape(changed.label)}  would change: {names_text(changed.fields)}")
