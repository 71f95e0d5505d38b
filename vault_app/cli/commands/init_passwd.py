"""``init`` creates a vault; ``passwd`` changes its master password or KDF strength
(and re-seals the previous versions under the new key, see ``core/version_rekey``)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from vault_app.cli.base_command import Command
from vault_app.cli.status_codes import EXIT_OK
from vault_app.core.plain_text import escape

if TYPE_CHECKING:
    from vault_app.core.kdf import KdfParams


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
    summary = "change the master password or the KDF strength (new salt and data key)"

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        strength = parser.add_mutually_exclusive_group()
        strength.add_argument("--calibrate", type=seconds, metavar="SECONDS",
                              help="choose the KDF strength so that unlocking takes about "
                                   "SECONDS on this computer")
        strength.add_argument("--kdf", type=kdf_params, metavar="m=KIB,t=N,p=N",
                              help="Argon2id memory (KiB, or MiB with an M suffix), "
                                   "iterations and parallelism")
        parser.add_argument("--keep-password", action="store_true",
                            help="change only the KDF strength: asks only the current "
                                 "password")

    def run(self) -> int:
        from vault_app.core.password_policy import check_new_password

        self.require_vault()
        from vault_app.core.writable import check_writable

        check_writable(self.path)
        from vault_app.core.kdf import KdfParams, calibrate
        from vault_app.core.vault import Vault

        old = self.prompt.password("Current master password: ", "the current master password")
        vault = Vault.open(self.path, old)  # a mistyped one is told before the new one
        if self.args.keep_password:
            new = old
        else:
            new, repeat = self.prompt.new_password()
            check_new_password(new, repeat)
        kdf: KdfParams | None = self.args.kdf
        if self.args.calibrate is not None:
            self.say(f"Measuring the KDF for about {self.args.calibrate:g} s...")
            kdf = calibrate(self.args.calibrate)
        elif self.args.keep_password and kdf is None:
            kdf = KdfParams.default()
        change = vault.change_password(old, new, kdf)
        what = "KDF strength changed" if self.args.keep_password else "Master password changed"
        self.say(f"{what} ({vault.kdf.describe()}; new salt and data key)")
        self.say(f"Previous versions re-sealed: {change.resealed}")
        for note in change.notes:
            self.say(escape(note))
        if change.left_text is not None:  # the change is done: exit 0, but never silent
            self.warn(change.left_text)
        self.vault = vault  # its save_warning is reported after the command
        self.say(change.unchanged_text)
        return EXIT_OK


def seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}") from None
    if not 0.1 <= number <= 60:
        raise argparse.ArgumentTypeError("the KDF time must be between 0.1 and 60 seconds")
    return number


def kdf_params(value: str) -> KdfParams:
    """``m=262144,t=3,p=4`` (m in KiB, or ``m=256M`` in MiB), checked for a new vault."""
    from vault_app.core.errors import KdfParamsOutOfRange
    from vault_app.core.kdf import KdfParams

    parts: dict[str, int] = {}
    for item in value.split(","):
        name, _, number = item.strip().partition("=")
        scale = 1
        if name == "m" and number[-1:].upper() == "M":
            number, scale = number[:-1], 1024
        if name not in ("m", "t", "p") or name in parts or not number.isdigit():
            raise argparse.ArgumentTypeError(
                f"expected m=KIB,t=N,p=N (for instance m=262144,t=3,p=4), got {value!r}")
        parts[name] = int(number) * scale
    if set(parts) != {"m", "t", "p"}:
        raise argparse.ArgumentTypeError(f"m, t and p are all needed, got {value!r}")
    params = KdfParams(memory_kib=parts["m"], iterations=parts["t"], parallelism=parts["p"])
    try:
        params.check_creatable()
    except KdfParamsOutOfRange as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return params
