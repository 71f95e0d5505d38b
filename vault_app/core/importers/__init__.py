"""Import keys from the plaintext files bots and password managers keep them in.

``load(path, fmt)`` reads and parses a file; ``common.plan`` turns the rows into
validated entries (duplicates skipped) for one ``Vault.add_many``. No Qt here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from vault_app.core.errors import ValidationError
from vault_app.core.importers import csv_file, env_file, freqtrade, keepassxc
from vault_app.core.importers.common import (
    Candidate,
    ExchangeNeeded,
    ImportFileError,
    ImportPlan,
    OnlyLinkDeleted,
    Skipped,
    SourceChanged,
    SourceFile,
    delete_source,
    deleted_link_message,
    plan,
    read_identified,
    read_source,
)

PARSERS: dict[str, Callable[[str], list[Candidate]]] = {
    "freqtrade": freqtrade.parse,
    "env": env_file.parse,
    "csv": csv_file.parse,
    "keepassxc-csv": keepassxc.parse,
}
FORMATS = tuple(PARSERS)

__all__ = ["FORMATS", "Candidate", "ExchangeNeeded", "ImportFileError", "ImportPlan",
           "OnlyLinkDeleted", "Skipped", "SourceChanged", "SourceFile", "delete_source",
           "deleted_link_message", "guess_format", "load", "load_identified", "parse", "plan",
           "read_identified"]


def parse(text: str, fmt: str) -> list[Candidate]:
    if fmt not in PARSERS:
        raise ValidationError(f"unknown format '{fmt}' (choose from {', '.join(FORMATS)})",
                              field="format")
    return PARSERS[fmt](text)


def load(path: Path, fmt: str) -> list[Candidate]:
    return parse(read_source(path), fmt)


def load_identified(path: Path, fmt: str) -> tuple[list[Candidate], SourceFile]:
    text, source = read_identified(path)
    return parse(text, fmt), source


def guess_format(path: Path, text: str) -> str | None:
    """The likely format from the file's name and first line, or None."""
    name = path.name.lower()
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    if name.endswith(".json") or text.lstrip().startswith("{"):
        return "freqtrade"
    if name.startswith(".env") or name.endswith(".env"):
        return "env"
    if '"Title"' in first and '"Username"' in first:
        return "keepassxc-csv"
    if "apiKey" in first and "label" in first:
        return "csv"
    return None
