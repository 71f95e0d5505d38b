"""``audit``: the security checklist over every key; the exit code gates scripts."""

from __future__ import annotations

import argparse

from vault_app.cli.base_command import Command
from vault_app.cli.status_codes import EXIT_AUDIT_FINDINGS, EXIT_OK
from vault_app.core.audit import SEVERITIES, at_or_above, audit
from vault_app.core.model import utcnow
from vault_app.core.plain_text import escape

NEVER = "never"


class AuditCommand(Command):
    name = "audit"
    summary = "check every key against the exchanges' security advice"

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--json", action="store_true")
        parser.add_argument(
            "--fail-on", choices=(*SEVERITIES, NEVER), default="high",
            help=f"exit {EXIT_AUDIT_FINDINGS} when a finding is at or above this severity "
                 "(default: high; never: always exit 0)")

    def run(self) -> int:
        vault = self.open_vault(read_only=True, rate_password=True)
        findings = audit(vault.entries, now=utcnow(), password_score=vault.password_score)
        if self.args.json:
            self.json([{"entry_id": f.entry_id, "label": f.label, "code": f.code,
                        "severity": f.severity, "risk": f.risk, "fix": f.fix}
                       for f in findings])
        elif not findings:
            self.say("No findings: every key follows the checklist.")
        else:
            for f in findings:
                who = f"key '{escape(f.label)}'" if f.entry_id is not None else "vault"
                self.say(f"{f.severity.upper():<6}  {who}: {escape(f.risk)}")
                self.say(f"        fix: {escape(f.fix)}")
            counts = ", ".join(f"{sum(f.severity == s for f in findings)} {s}"
                               for s in SEVERITIES)
            self.say(f"{len(findings)} finding(s): {counts}")
        fail_on = self.args.fail_on
        if fail_on != NEVER and at_or_above(findings, fail_on):
            return EXIT_AUDIT_FINDINGS
        return EXIT_OK
