"""``inspect`` shows a vault file's format and KDF; it needs no password."""

from __future__ import annotations

import argparse

from vault_app.cli.base_command import Command
from vault_app.cli.status_codes import EXIT_OK
from vault_app.core.plain_text import escape


class InspectCommand(Command):
    name = "inspect"
    summary = "show the file's format and KDF; needs no password"

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--json", action="store_true")

    def run(self) -> int:
        from vault_app.core.vault import inspect

        self.warn_about_folder()
        info = inspect(self.path)
        data = {
            "path": str(info.path),
            "link": str(info.link) if info.link else None,
            "format_version": info.format_version,
            "kdf": {"name": "argon2id", "memory_kib": info.kdf.memory_kib,
                    "iterations": info.kdf.iterations, "parallelism": info.kdf.parallelism},
            "salt_length": info.salt_length,
            "payload_length": info.payload_length,
            "size": info.size,
            "checksum": "ok",
        }
        if self.args.json:
            self.json(data)
            return EXIT_OK
        self.say(f"File            {escape(str(info.path))}")  # a link's target
        if info.link:
            self.say(f"Link            {escape(str(info.link))} "
                     "(a symbolic link to the file above)")
        self.say(f"Size            {info.size} bytes")
        self.say(f"Format version  {info.format_version}")
        self.say(f"KDF             Argon2id, m={info.kdf.memory_kib} KiB "
                 f"({info.kdf.memory_kib / 1024:g} MiB), t={info.kdf.iterations}, "
                 f"p={info.kdf.parallelism}")
        self.say(f"Salt            {info.salt_length} bytes")
        self.say(f"Payload         {info.payload_length} bytes (encrypted)")
        self.say("Checksum        ok")
        return EXIT_OK
