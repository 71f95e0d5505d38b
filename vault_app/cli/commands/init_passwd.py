"""``init`` creates a vault; ``passwd`` changes its master password."""

from __future__ import annotations

from vault_app.cli.base_command import Command
from vault_app.cli.status_codes import EXIT_OK
from vault_app.core.plain_text import escape


class InitCommand(Command):
    name = "init"
    summary = "create a new, empty vault"

    def run(self) -> int:
        from vault_app.core.password_policy import check_new_password
        from vault_app.core.paths import resolve_new
        from vault_app.core.vault import Vault

        resolve_new(self.path)  # refuse a taken name or a broken link before any prompt
        self.warn_about_folder()
        if self.prompt.interactive:
            first, second = self.prompt.new_password("New master password: ")
        else:
            first = self.prompt.password(what="the new master password")
            second = self.prompt.password(what="the new master password again")
        check_new_password(first, second)
        vault = Vault.create(self.path, first)
        self.say(f"Created {escape(str(self.path))} ({vault.kdf.describe()})")
        return EXIT_OK


class PasswdCommand(Command):
    name = "passwd"
    summary = "change the master password (new salt and data key)"

    def run(self) -> int:
        from vault_app.core.password_policy import check_new_password

        self.require_vault()
        from vault_app.core.writable import check_writable

        check_writable(self.path)
        old = self.prompt.password("Current master password: ", "the current master password")
        new, repeat = self.prompt.new_password()
        check_new_password(new, repeat)
        from vault_app.core.vault import Vault

        vault = Vault.open(self.path, old)
        vault.change_password(old, new)
        self.say(f"Master password changed ({vault.kdf.describe()}; new salt and data key)")
        return EXIT_OK
