"""``verify LABEL [--apply]``: ask the key's exchange what the key may really do, compare
it with the labels, and record the answer in the vault (``trading.key_rights``).

The comparison goes to standard output, a key that can withdraw without saying so gets
a WARNING on standard error too. The answer is recorded (``Vault.record_verification``:
one locked atomic save) so the audit can tell. ``--apply`` also sets the key's
permission labels and IP list to the exchange's answer, after a [y/N] question on the
terminal (or ``--yes``). Exit 0 when the exchange answered, whatever it said: the audit
(``audit --fail-on``) is what scripts gate on.
"""

from __future__ import annotations

import argparse

from vault_app.cli.commands.trading_base import TradingCommand, find_key, has_terminal
from vault_app.cli.options import text
from vault_app.cli.status_codes import EXIT_OK, UsageError
from vault_app.core.plain_text import escape


class VerifyCommand(TradingCommand):
    name = "verify"
    summary = "ask a key's exchange for the key's real rights and compare them with its labels"

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("key", metavar="LABEL", type=text, help="the key's label (or id)")
        parser.add_argument("--apply", action="store_true",
                            help="set the key's permissions and IP list to the exchange's "
                                 "answer (asks first)")
        parser.add_argument("--yes", action="store_true",
                            help="with --apply: do not ask")
        parser.add_argument("--json", action="store_true")

    def act(self) -> int:
        from vault_app.core.exchanges import load_catalog
        from vault_app.trading.client import ExchangeClient
        from vault_app.trading.key_rights import compare, fetch_rights, ips_known

        if self.args.yes and not self.args.apply:
            raise UsageError("--yes goes with --apply")
        if self.args.apply and not self.args.yes and not has_terminal(self.prompt.interactive):
            raise UsageError("refusing to change the labels without a terminal to confirm "
                             "it; pass --yes")
        vault = self.open_vault()
        entry = find_key(vault, self.args.key)
        client = ExchangeClient(entry)
        try:
            verification = fetch_rights(client)
        finally:
            client.close()
        diff = compare(entry, verification)
        name = load_catalog().get(entry.exchange).name if entry.exchange in load_catalog() \
            else entry.exchange
        said = diff.sentences(name)
        apply = False
        if self.args.apply and not diff.matches:
            apply = self.args.yes or self.confirm(
                f"Set the labels of '{escape(entry.label)}' to "
                f"{', '.join(verification.permissions) or 'no rights'} and its IP list to "
                f"{', '.join(verification.ips) or 'none'}?" if ips_known(verification) else
                f"Set the labels of '{escape(entry.label)}' to "
                f"{', '.join(verification.permissions) or 'no rights'} (the IP list is kept: "
                "the exchange does not name the addresses)?")
        vault.record_verification(entry.id, verification, apply_labels=apply)
        self.report_save_warning()
        if self.args.json:
            self.json({
                "label": entry.label, "exchange": entry.exchange,
                "at": verification.at.isoformat(),
                "permissions": list(verification.permissions),
                "ip_restricted": verification.ip_restricted, "ips": list(verification.ips),
                "labelled": list(entry.permissions), "extra": list(diff.extra),
                "missing": list(diff.missing), "ip_mismatch": diff.ip_mismatch,
                "withdraw_unlabelled": diff.withdraw_unlabelled, "applied": apply,
            })
        else:
            self.say(f"{escape(entry.label)} ({name}): the exchange says "
                     f"{', '.join(verification.permissions) or 'no rights'}; "
                     + (f"restricted to {', '.join(verification.ips)}"
                        if verification.ips else
                        "restricted to some IP addresses" if verification.ip_restricted
                        else "usable from any IP address"
                        if verification.ip_restricted is False else
                        "the exchange does not say whether the key is IP-restricted"))
            self.say(f"Labels: {', '.join(entry.permissions)}; IP list: "
                     f"{', '.join(entry.ip_whitelist) or 'none'}")
            if diff.matches:
                self.say("The labels match what the exchange says.")
            for sentence in said:
                self.say(f"- {escape(sentence)}.")
            if apply:
                self.say("The labels and the IP list now say what the exchange says."
                         if ips_known(verification) else
                         "The labels now say what the exchange says; the IP list is kept "
                         "(the exchange does not name the addresses).")
            elif diff.more_than_labels or diff.missing:
                self.say(f"To set the labels from the answer: verify {escape(entry.label)} "
                         "--apply")
        if diff.withdraw_unlabelled:
            self.warn(said[0])
        return EXIT_OK
