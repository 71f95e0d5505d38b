"""``list`` prints every key, ``show`` one key; secrets only with ``show --reveal``."""

from __future__ import annotations

import argparse
from itertools import chain
from typing import Any

from vault_app.cli.base_command import Command
from vault_app.cli.options import text
from vault_app.cli.status_codes import EXIT_OK, PROG
from vault_app.core.exchanges import CREDENTIAL_TITLES, SECRET_CREDENTIALS
from vault_app.core.model import (
    KeyEntry,
    describe_notional,
    format_notional,
    format_ts,
    mask,
    mask_identifier,
    utcnow,
)
from vault_app.core.plain_text import BIDI_MARKS, any_unsafe, escape


def public_fields(entry: KeyEntry) -> dict[str, Any]:
    """What ``--json`` prints about a key: everything but the credentials' values."""
    now = utcnow()
    return {
        "id": entry.id,
        "label": entry.label,
        "exchange": entry.exchange,
        "permissions": list(entry.permissions),
        "ip_whitelist": list(entry.ip_whitelist),
        "environment": entry.environment,
        "api_url": entry.api_url,
        "created_at": format_ts(entry.created_at),
        "rotated_at": format_ts(entry.rotated_at),
        "updated_at": format_ts(entry.updated_at),
        "last_used_at": format_ts(entry.last_used_at) if entry.last_used_at else None,
        "rotate_days": entry.rotate_days,
        "rotation_due_at": format_ts(entry.rotation_due_at),
        "rotation_overdue": entry.rotation_overdue(now),
        # A string (a JSON number would become a binary double in most readers) or null.
        "max_notional": None if entry.max_notional is None
        else format_notional(entry.max_notional),
        "notes": entry.notes,
        "tags": list(entry.tags),
        "credential_fields": list(entry.credentials),
    }


class ListCommand(Command):
    name = "list"
    summary = "list keys (never prints secrets)"

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--json", action="store_true")

    def run(self) -> int:
        vault = self.open_vault(read_only=True)
        entries = vault.entries
        if self.args.json:
            self.json([public_fields(e) for e in entries])
            return EXIT_OK
        if not entries:
            self.say(f"No keys in {escape(str(self.path))}. Add one with '{PROG} add'.")
            return EXIT_OK
        now = utcnow()
        # Fields from the file are printed with terminal controls escaped; one search
        # over all of them first, since escaping 40,000 fields one by one costs more.
        fields = [(e.label, e.exchange, ",".join(e.permissions), e.environment)
                  for e in entries]
        if any_unsafe(chain.from_iterable(fields)):
            fields = [(escape(a), escape(b), escape(c), escape(d)) for a, b, c, d in fields]
        rows = [("LABEL", "EXCHANGE", "PERMISSIONS", "ENV", "ROTATION", "LAST USED")]
        for e, (label, exchange, permissions, environment) in zip(entries, fields,
                                                                  strict=True):
            due = e.rotation_due_at
            rotation = f"overdue {(now - due).days}d" if now >= due else \
                f"due in {(due - now).days}d"
            rows.append((
                label, exchange, permissions, environment, rotation,
                e.last_used_at.strftime("%Y-%m-%d") if e.last_used_at else "never",
            ))
        widths = [max(map(len, column)) for column in list(zip(*rows, strict=True))[:-1]]
        line = "  ".join(f"{{:<{width}}}" for width in widths) + "  {}\n"
        self.out.write("".join(line.format(*row) for row in rows))
        return EXIT_OK


class ShowCommand(Command):
    name = "show"
    summary = "show one key, secrets masked"

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("target", metavar="LABEL", type=text)
        parser.add_argument("--reveal", action="store_true", help="print the secrets in clear")
        parser.add_argument("--json", action="store_true")

    def run(self) -> int:
        vault = self.open_vault(read_only=True)
        entry = vault.find(self.args.target)
        reveal = self.args.reveal
        credentials = {
            name: value if reveal else (mask(value) if name in SECRET_CREDENTIALS
                                        else mask_identifier(value))
            for name, value in entry.credentials.items()
        }
        if self.args.json:
            data = public_fields(entry)
            data["credentials"] = credentials
            self.json(data)
            return EXIT_OK
        data = public_fields(entry)
        lines = [
            ("Label", entry.label),
            ("Exchange", entry.exchange),
            ("Permissions", ", ".join(entry.permissions)),
            ("IP whitelist", ", ".join(entry.ip_whitelist) or "(none)"),
            ("Environment", entry.environment + (f" ({entry.api_url})" if entry.api_url else "")),
            ("Created", data["created_at"]),
            ("Rotated", data["rotated_at"] + f" (every {entry.rotate_days} days; "
             + ("OVERDUE" if data["rotation_overdue"] else f"next {data['rotation_due_at']}")
             + ")"),
            ("Updated", data["updated_at"]),
            ("Last used", data["last_used_at"] or "never"),
            ("Max order notional", describe_notional(entry.max_notional)),
            ("Tags", ", ".join(entry.tags)),
            ("Notes", entry.notes),
        ]
        notes = len(lines) - 1
        lines += [(escape(CREDENTIAL_TITLES.get(k, k)), v) for k, v in credentials.items()]
        width = max(len(k) for k, _ in lines)
        for number, (key, value) in enumerate(lines):
            # Terminal controls from the file are printed escaped (\x1b, \u202e). Notes
            # and credentials (PEM keys) keep line feeds and tabs, notes the bidi marks.
            keep = "" if number < notes else "\n\t" + (BIDI_MARKS if number == notes else "")
            shown = escape(value, keep=keep)
            shown = shown.replace("\n", "\n" + " " * (width + 2))
            self.say(f"{key.ljust(width)}  {shown}")
        return EXIT_OK
