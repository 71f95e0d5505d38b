"""``add`` stores a new key; ``edit`` changes one. Credentials are always prompted."""

from __future__ import annotations

import argparse
from typing import Any

from vault_app.cli.base_command import Command
from vault_app.cli.options import add_entry_options, environment_option, text
from vault_app.cli.status_codes import EXIT_OK, UsageError
from vault_app.core import errors
from vault_app.core.exchanges import CREDENTIAL_TITLES, load_catalog
from vault_app.core.model import (
    KeyEntry,
    check_rotate_days,
    clean_label,
    new_entry,
    parse_ip_list,
    parse_max_notional,
    parse_permissions,
    parse_tags,
)
from vault_app.core.plain_text import escape


class _EntryCommand(Command):
    def prompt_credentials(self, exchange: str) -> dict[str, str]:
        info = load_catalog().get(exchange)
        return {name: self.prompt.credential(name, info.name) for name in info.required}

    def permission_warnings(self, entry: KeyEntry) -> None:
        if entry.can_withdraw:
            self.warn(f"'{entry.label}' is labelled with withdraw rights; exchanges advise "
                      "keeping withdrawals disabled on API keys")
        if not entry.ip_whitelist and (entry.can_trade or entry.can_withdraw) \
                and not _on_this_computer(entry):
            self.warn(f"'{entry.label}' can trade but has no IP whitelist")


def _on_this_computer(entry: KeyEntry) -> bool:
    """A key for an exchange on this computer (the demo exchange): no IP to whitelist."""
    from vault_app.trading.endpoints import is_loopback_url

    return entry.environment == "custom" and is_loopback_url(entry.api_url or "")


class AddCommand(_EntryCommand):
    name = "add"
    summary = "add a key (credentials are prompted)"

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        add_entry_options(parser, editing=False)

    def run(self) -> int:
        args = self.args
        catalog = load_catalog()
        # Check everything that needs no secret before asking for any.
        exchange = args.exchange.strip().lower()
        info = catalog.get(exchange)
        label = clean_label(args.label)
        permissions = parse_permissions(args.permissions or "read")
        ips = parse_ip_list(args.ip or "")
        environment, api_url = environment_option(args) or ("live", None)
        if environment == "sandbox" and not info.has_sandbox:
            raise errors.ValidationError(f"{info.name} has no sandbox environment in ccxt")
        rotate_days = check_rotate_days(args.rotate_days) if args.rotate_days is not None \
            else 90
        max_notional = parse_max_notional(args.max_notional)

        vault = self.open_vault()
        try:
            vault.find(label)
        except errors.ValidationError:
            pass
        else:
            raise errors.ValidationError(f"a key labelled '{label}' already exists")
        credentials = self.prompt_credentials(exchange)
        entry = new_entry(
            label=label, exchange=exchange, credentials=credentials, catalog=catalog,
            permissions=permissions, ip_whitelist=ips, environment=environment,
            api_url=api_url, rotate_days=rotate_days, notes=args.notes or "",
            tags=parse_tags(args.tags or ""), max_notional=max_notional,
        )
        vault.add(entry)
        self.permission_warnings(entry)
        self.say(f"Added '{entry.label}' ({info.name}; {', '.join(entry.permissions)}; "
                 f"{entry.environment})")
        return EXIT_OK


class EditCommand(_EntryCommand):
    name = "edit"
    summary = "change a key's settings"

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("target", metavar="LABEL", type=text)
        add_entry_options(parser, editing=True)
        parser.add_argument("--rotate", action="store_true",
                            help="enter new credentials (prompted) and mark the key as rotated")

    def run(self) -> int:
        args = self.args
        changes: dict[str, Any] = {}
        if args.label is not None:
            changes["label"] = clean_label(args.label)
        if args.exchange is not None:
            changes["exchange"] = load_catalog().get(args.exchange.strip().lower()).id
        if args.permissions is not None:
            changes["permissions"] = parse_permissions(args.permissions)
        if args.ip is not None:
            changes["ip_whitelist"] = parse_ip_list(args.ip)
        environment = environment_option(args)
        if environment is not None:
            changes["environment"], changes["api_url"] = environment
        if args.rotate_days is not None:
            changes["rotate_days"] = check_rotate_days(args.rotate_days)
        if args.notes is not None:
            changes["notes"] = args.notes
        if args.tags is not None:
            changes["tags"] = parse_tags(args.tags)
        if args.max_notional is not None:  # "" removes the limit
            changes["max_notional"] = parse_max_notional(args.max_notional)
        if not changes and not args.rotate:
            raise UsageError("nothing to change; give at least one option (see --help)")

        vault = self.open_vault()
        entry = vault.find(args.target)
        if args.rotate:
            changes["credentials"] = self.prompt_credentials(
                changes.get("exchange", entry.exchange))
            if {k: v.strip() for k, v in changes["credentials"].items()} == {
                    k: v for k, v in entry.credentials.items() if k in changes["credentials"]}:
                raise errors.ValidationError(
                    "the credentials entered are the ones already stored; rotating means "
                    "creating a new key on the exchange and entering it here")
        try:
            edited = vault.update(entry.id, changes, base=entry)  # merged with the disk's
        except errors.ValidationError as exc:
            if exc.field in CREDENTIAL_TITLES and not args.rotate:
                raise errors.ValidationError(
                    f"{exc}; add --rotate to enter the credentials", exc.field) from None
            raise
        self.permission_warnings(edited)
        self.say(f"Updated '{edited.label}'" + (" (credentials rotated)" if args.rotate else ""))
        if edited.credentials != entry.credentials:
            self.say("Verify the new key with the exchange ('verify'): the old key's "
                     "verification no longer applies.")
        if args.rotate:
            catalog = load_catalog()
            exchange = catalog.get(edited.exchange).plain_name \
                if edited.exchange in catalog else edited.exchange
            self.say(f"The previous credentials are kept in the key's history for "
                     f"{vault.meta.history_days} days ('history {escape(edited.label)}').")
            self.say(f"Delete the old key on {escape(exchange)} now: until you do, it still works "
                     "for whoever holds it.")
        return EXIT_OK
