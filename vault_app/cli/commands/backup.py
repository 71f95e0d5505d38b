"""``backup export|restore``: a verified encrypted backup, and restoring or merging one.

``export FILE`` asks the master password (the vault is opened read-only) and writes
the whole vault, or the keys of ``--keys``, with their order-journal records; the
backup is sealed with the master password (its own salt and data key) or, with
``--backup-password``, a password of its own, asked twice and rated like a master
password. It is read back and compared before it takes the name ``FILE``; an existing
``FILE`` is replaced only with ``--force``.

``restore FILE`` asks the backup's password, then:

- ``--new PATH`` creates a vault at ``PATH`` (never over a file) that opens with that
  same password, with the backup's order records in its journal;
- ``--merge`` asks the master password of the vault (``--vault``) and merges the
  backup into it in one save. Conflicts (the same key changed on both sides, or the
  same label or API key under another id) are settled by ``--on-conflict``; without
  it, each is asked on a terminal, and otherwise they are listed and nothing is
  written (exit 1).

Standard input, when it is not a terminal, gives one line per password in the order
asked: export: master password, then the backup password twice; restore: the backup
password, then (``--merge``) the master password.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from vault_app.cli.base_command import Command
from vault_app.cli.options import text
from vault_app.cli.status_codes import EXIT_OK, UsageError
from vault_app.core.errors import VaultWriteError
from vault_app.core.field_names import in_sentence
from vault_app.core.plain_text import escape

if TYPE_CHECKING:
    from vault_app.backups.merge import Conflict, MergePlan
    from vault_app.backups.restore import Backup

_KIND_TEXT = {"same_id": "the same key, changed", "same_label": "the same label",
              "same_api_key": "the same API key"}
_NEWER_TEXT = {"ours": "the vault's is newer", "theirs": "the backup's is newer",
               "same": "changed at the same time",
               "unknown": "which is newer is unknown ('newer' keeps the vault's)"}


def labels(value: str) -> list[str]:
    """``--keys``: comma-separated labels."""
    text(value)
    found = [part.strip() for part in value.split(",") if part.strip()]
    if not found:
        raise argparse.ArgumentTypeError("name at least one key label")
    return found


class BackupCommand(Command):
    name = "backup"
    summary = "export a verified encrypted backup, or restore one (new vault or merge)"

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION",
                                        parser_class=type(parser))
        export = actions.add_parser("export", help="write a verified backup file")
        export.add_argument("file", metavar="FILE", type=Path)
        export.add_argument("--keys", type=labels, action="append", metavar="LABEL,...",
                            help="only these keys (default: the whole vault)")
        export.add_argument("--backup-password", action="store_true",
                            help="seal the backup with a password of its own (asked twice) "
                                 "instead of the master password")
        export.add_argument("--force", action="store_true",
                            help="replace FILE if it exists (only once the new backup "
                                 "is verified)")
        restore = actions.add_parser("restore", help="restore a backup into a new vault or "
                                                     "merge it into this one")
        restore.add_argument("file", metavar="FILE", type=Path)
        target = restore.add_mutually_exclusive_group(required=True)
        target.add_argument("--new", type=Path, metavar="PATH",
                            help="create a new vault at PATH (it opens with the backup's "
                                 "password)")
        target.add_argument("--merge", action="store_true",
                            help="merge into the vault (--vault), in one save")
        restore.add_argument("--on-conflict", choices=("newer", "both", "skip"),
                             help="for every conflict: keep the newer, keep both (the "
                                  "backup's gets a distinct label), or skip the backup's")

    def run(self) -> int:
        if self.args.action == "export":
            return self.export()
        return self.restore()

    # --- export ------------------------------------------------------------------------

    def export(self) -> int:
        from vault_app.backups.export import check_path, export_backup
        from vault_app.core.vault import Vault

        target = Path(self.args.file)
        self.require_vault()
        check_path(self.path, target.absolute(), self.args.force)  # before any prompt
        master = self.prompt.password()
        vault = Vault.open(self.path, master, read_only=True)  # an export writes no vault
        entry_ids = None
        if self.args.keys:
            wanted = [label for group in self.args.keys for label in group]
            entry_ids = list(dict.fromkeys(vault.find(label).id for label in wanted))
        password = self.backup_password() if self.args.backup_password else master
        report = export_backup(vault, target, password, entry_ids=entry_ids,
                               overwrite=self.args.force)
        self.say(f"backup verified: {report.key_count} keys, {report.journal_records} "
                 f"journal records → {escape(str(target))}")
        return EXIT_OK

    def backup_password(self) -> str:
        """A new backup password: asked twice, rated like a master password."""
        from vault_app.core.password_policy import check_new_password

        if self.prompt.interactive:
            first, second = self.prompt.new_password("Backup password: ")
        else:
            first = self.prompt.password(what="the backup password")
            second = self.prompt.password(what="the backup password again")
        check_new_password(first, second, what="backup password")
        return first

    # --- restore -----------------------------------------------------------------------

    def restore(self) -> int:
        from vault_app.backups.restore import read_backup

        if self.args.merge:
            from vault_app.core.writable import check_writable

            self.require_vault()
            check_writable(self.path)  # say so before asking the passwords
        elif self.args.on_conflict is not None:
            raise UsageError("--on-conflict goes with --merge; a new vault has no conflicts")
        else:
            from vault_app.core.paths import resolve_new
            from vault_app.core.vault_files import check_new_vault

            check_new_vault(Path(self.args.new))  # a vault's own file name: before any prompt
            resolve_new(self.args.new)  # refuse a taken name before any prompt
        password = self.prompt.password("Backup password: ", "the backup password")
        backup = read_backup(self.args.file, password)
        if self.args.merge:
            return self.merge(backup)
        from vault_app.backups.restore import restore_new

        restored = restore_new(backup, self.args.new, password)
        if restored.vault.folder_warning:
            self.warn(restored.vault.folder_warning)
        self.say(f"restored {len(backup.entries)} keys, {restored.journal_records} journal "
                 f"records → {escape(str(self.args.new))} (it opens with the backup's "
                 "password; change it with 'passwd')")
        if restored.journal_problem is not None:
            raise VaultWriteError(restored.journal_problem)
        return EXIT_OK

    def merge(self, backup: Backup) -> int:
        from vault_app.backups.merge import apply_merge, plan_merge, preview
        from vault_app.core.vault import Vault

        vault = Vault.open(self.path, self.prompt.password())
        plan = plan_merge(vault, backup)
        for warning in plan.warnings:
            self.warn(warning)
        choices = self.choices(plan)
        self.say(f"{preview(plan, choices).text()}; saving")
        report = apply_merge(vault, plan, choices)
        self.say(f"merged {len(backup.entries)} keys into {escape(str(self.path))}: "
                 f"{len(report.added)} added, {len(report.replaced)} replaced by a newer "
                 f"copy, {len(report.copied)} kept both, {len(report.skipped)} skipped, "
                 f"{plan.identical} already there; {report.journal_records} journal "
                 "records added")
        for entry in report.copied:
            self.say(f"  the backup's copy is '{escape(entry.label)}'")
        if report.journal_problem is not None:
            raise VaultWriteError(f"the keys were merged and saved, but {report.journal_problem}")
        return EXIT_OK

    def choices(self, plan: MergePlan) -> dict[str, str]:
        """Each conflict's policy: ``--on-conflict``, else asked on a terminal; without
        either, the conflicts are listed and UsageError (nothing written)."""
        policy: str | None = self.args.on_conflict
        if policy is not None:
            return {conflict.key: policy for conflict in plan.conflicts}
        if not plan.conflicts:
            return {}
        if not self.prompt.interactive:
            for conflict in plan.conflicts:
                self.say(describe(conflict))
            raise UsageError(f"the backup has {len(plan.conflicts)} conflict(s) with the vault "
                             "(listed above); nothing was written. Choose with --on-conflict "
                             "newer|both|skip")
        answers = {}
        for conflict in plan.conflicts:
            self.say(describe(conflict))
            answers[conflict.key] = self.prompt.choose("Keep the newer, keep both, or skip "
                                                       "the backup's?", ("newer", "both", "skip"))
        return answers


def describe(conflict: Conflict) -> str:
    """One line: the two labels, the kind of conflict, the fields that differ, which is
    newer. Never a secret: only field names."""
    fields = ", ".join(in_sentence(name) for name in conflict.fields) or "nothing but the dates"
    theirs, ours = conflict.labels
    return (f"conflict: '{theirs}' in the backup and "
            f"'{ours}' in the vault: {_KIND_TEXT[conflict.kind]}; "
            f"differs in {fields}; {_NEWER_TEXT[conflict.newer]}")
