"""``import`` adds the keys of a plaintext config (freqtrade, .env, CSV, KeePassXC CSV).

All keys are added in one save or none is; keys already stored (same API key) are
skipped and listed. ``--dry-run`` opens the vault read-only and writes nothing. After a
real import the source file still holds the secrets in plain text: on a terminal the
user is asked whether to delete it (default No); ``--delete-source`` does it without
asking, for scripts; otherwise it is never deleted.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from vault_app.cli.base_command import Command
from vault_app.cli.options import text
from vault_app.cli.status_codes import EXIT_OK, UsageError
from vault_app.core import importers
from vault_app.core.importers import ExchangeNeeded, ImportPlan
from vault_app.core.model import mask_identifier
from vault_app.core.plain_text import escape


class ImportCommand(Command):
    name = "import"
    summary = "import keys from a freqtrade config, a .env file or a CSV export"

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("file", metavar="FILE", type=Path)
        parser.add_argument("--format", required=True, choices=importers.FORMATS,
                            help="freqtrade config.json, .env, CSV with the header "
                                 "label,exchange,apiKey,secret,password,permissions,ip, "
                                 "or a KeePassXC CSV export")
        parser.add_argument("--exchange", metavar="ID", type=text,
                            help="the exchange of keys the file does not name one for")
        parser.add_argument("--dry-run", action="store_true",
                            help="show what would be imported (secrets masked); write nothing")
        parser.add_argument("--delete-source", action="store_true",
                            help="delete FILE after a successful import without asking")

    def run(self) -> int:
        args = self.args
        if args.delete_source and args.dry_run:
            raise UsageError("--delete-source makes no sense with --dry-run")
        # before the password prompt; ``source`` lets the delete check it is unchanged
        candidates, source = importers.load_identified(args.file, args.format)
        vault = self.open_vault(read_only=args.dry_run)
        try:
            plan = importers.plan(candidates, vault.entries, vault.catalog,
                                  exchange=args.exchange)
        except ExchangeNeeded as exc:
            raise UsageError(f"{exc} with --exchange ID; nothing was imported") from None
        self.show(plan, dry_run=args.dry_run)
        if args.dry_run or not plan.entries:
            if args.dry_run:
                self.say("Dry run: nothing was written.")
            return EXIT_OK
        vault.add_many(list(plan.entries))
        self.say(f"Imported {len(plan.entries)} key(s) in one save.")
        return self.offer_delete(source)

    def show(self, plan: ImportPlan, *, dry_run: bool) -> None:
        verb = "would import" if dry_run else "importing"
        for entry, line in zip(plan.entries, plan.lines, strict=True):
            key = entry.credentials.get("apiKey", "")
            self.say(f"{verb}: line {line}: '{escape(entry.label)}' ({escape(entry.exchange)}) "
                     f"API key {escape(mask_identifier(key))}")
        for old, new in plan.renamed:
            self.say(f"renamed: '{escape(old)}' is taken; imported as '{escape(new)}'")
        for skipped in plan.skipped:
            self.say(f"skipped: line {skipped.line}: '{escape(skipped.label)}' API key "
                     f"{escape(skipped.api_key)}: {escape(skipped.reason)}")
        if not plan.entries:
            self.say("Nothing to import.")

    def offer_delete(self, source: importers.SourceFile) -> int:
        """Fails (exit 1) when only a link was deleted: the secrets are still on disk."""
        path = escape(str(source.path))
        held = f"{source.path} (a link to {source.real})" if source.is_link else str(source.path)
        self.warn(f"{held} still holds these secrets in plain text; delete it once you "
                  "have checked the import (and clear it from backups)")
        if self.args.delete_source or (
                self.prompt.interactive
                and self.prompt.confirm(f"Delete {path} now?")):
            remaining = importers.delete_source(source)
            if remaining is not None:
                raise importers.OnlyLinkDeleted(
                    importers.deleted_link_message(str(source.path), str(remaining)))
            self.say(f"Deleted {path}")
        else:
            self.say(f"Kept {path}")
        return EXIT_OK

