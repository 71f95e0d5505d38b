"""What every importer shares: the typed errors, a parsed row (``Candidate``), the
safe reader of the source file, and ``plan``, which turns rows into validated entries.

Parsers are plain functions of the file's text and never look at the vault; ``plan``
checks every row against the catalog and the vault's entries, so a bad row is refused
before anything is written, and the caller adds ``ImportPlan.entries`` with one
``Vault.add_many`` (one save: nothing is half-imported).
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from vault_app.core.errors import NotARegularFile, ValidationError, VaultIOError
from vault_app.core.exchanges import Catalog
from vault_app.core.model import KeyEntry, identity_credential, mask_identifier, new_entry
from vault_app.core.small_files import read_small_file

IMPORT_LIMIT = 1024 * 1024
"""A config file or an export of a few thousand keys fits in 1 MiB."""


class ImportFileError(ValidationError):
    """The source file cannot be imported; names the line (and field) when known.
    Nothing was imported."""

    def __init__(self, message: str, *, line: int | None = None,
                 field: str | None = None) -> None:
        where = f"line {line}: " if line is not None else ""
        what = f"{field}: " if field else ""
        super().__init__(f"{where}{what}{message}; nothing was imported", field=field)
        self.line = line


class SourceChanged(ValidationError):
    """The file to delete is not the one that was imported (changed, replaced or
    grown since it was read); it was kept."""


class OnlyLinkDeleted(ValidationError):
    """The source was a symbolic link: the link was removed, the file it pointed to
    still holds the secrets (the CLI's ``--delete-source`` fails with this)."""


@dataclass(frozen=True)
class SourceFile:
    """What was read: the path given, the file it resolved to, and that file's identity
    (dev, ino, size, mtime_ns) and SHA-256, so a delete removes only these bytes."""

    path: Path
    real: Path
    dev: int
    ino: int
    size: int
    mtime_ns: int
    sha256: str = field(repr=False)

    @property
    def is_link(self) -> bool:
        return self.real != Path(os.path.abspath(self.path))


class ExchangeNeeded(ValidationError):
    """The file does not say which exchange its key belongs to: ask the user
    (CLI ``--exchange``, GUI a question) and parse again with it."""


@dataclass(frozen=True)
class Candidate:
    """One key as the file holds it. ``exchanges``: ids it may belong to, best first
    (the first one the catalog knows is taken); empty when the file does not say.
    ``stated``: the file names the exchange outright (a column, a config field), so an
    id the catalog does not know is an error in the file; otherwise they are guesses
    (a variable's prefix, a word of a title) and none known means asking the user."""

    line: int
    label: str
    exchanges: tuple[str, ...]
    credentials: Mapping[str, str] = field(repr=False)
    permissions: str = ""
    ips: str = ""
    stated: bool = False
    prefix: str = ""  # a .env variable prefix: a key only if it is an exchange id

    def __repr__(self) -> str:  # never a secret in a traceback
        return f"Candidate(line={self.line}, label={self.label!r})"


@dataclass(frozen=True)
class Skipped:
    line: int
    label: str
    exchange: str
    api_key: str  # masked
    reason: str


@dataclass(frozen=True)
class ImportPlan:
    entries: tuple[KeyEntry, ...]
    lines: tuple[int, ...]  # the source line of each entry
    skipped: tuple[Skipped, ...]
    renamed: tuple[tuple[str, str], ...] = ()  # (label in the file, label given)


def read_source(path: Path) -> str:
    """The text of a regular file of at most IMPORT_LIMIT bytes (no FIFO, device or
    folder, also behind a link), UTF-8 with a leading BOM dropped and CRLF as LF."""
    return read_identified(path)[0]


def read_identified(path: Path) -> tuple[str, SourceFile]:
    """``read_source`` and the identity of what was read, for ``delete_source``."""
    raw, info, data = read_small_file(path, IMPORT_LIMIT, "file to import")
    text = raw.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    source = SourceFile(path, Path(os.path.realpath(path)), info.st_dev, info.st_ino,
                        info.st_size, info.st_mtime_ns, hashlib.sha256(data).hexdigest())
    return text, source


def _check_unchanged(source: SourceFile) -> None:
    """Raise SourceChanged unless ``source.real`` still holds exactly what was read."""
    changed = SourceChanged(f"{source.path} changed since it was read (replaced, edited "
                            "or grown): it may hold keys that were not imported, so it "
                            "was not deleted; import it again")
    try:
        fd = os.open(source.real, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        raise changed from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise changed from None
        raise VaultIOError(f"cannot check {source.path}: {exc.strerror or 'error'}; "
                           "it was not deleted") from None
    try:
        info = os.fstat(fd)
        if ((info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
                != (source.dev, source.ino, source.size, source.mtime_ns)
                or not stat.S_ISREG(info.st_mode)):
            raise changed
        digest = hashlib.sha256()
        while chunk := os.read(fd, 65536):
            digest.update(chunk)  # the size matched: at most IMPORT_LIMIT bytes
    except OSError as exc:
        raise VaultIOError(f"cannot check {source.path}: {exc.strerror or 'error'}; "
                           "it was not deleted") from None
    finally:
        os.close(fd)
    if digest.hexdigest() != source.sha256:
        raise changed


def _unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise VaultIOError(f"cannot delete {path}: {exc.strerror or 'error'}; "
                           "delete it yourself") from None


def delete_source(source: SourceFile) -> Path | None:
    """Delete the imported plaintext file (only after the user said yes), only if it
    still holds exactly the bytes that were read (else SourceChanged, file kept).

    Returns None when the file is gone. When ``source.path`` is a symbolic link, only the
    link is removed and the file it points to is returned: it still holds the secrets,
    and the caller must say so (it is not ours to delete: other links may need it).
    """
    try:
        info = os.lstat(source.path)
    except FileNotFoundError:
        raise SourceChanged(f"{source.path} is gone since it was read; nothing was "
                            "deleted") from None
    except OSError as exc:
        raise VaultIOError(f"cannot delete {source.path}: {exc.strerror or 'error'}") from None
    if not (stat.S_ISREG(info.st_mode) or stat.S_ISLNK(info.st_mode)):
        raise NotARegularFile(f"{source.path} is not a regular file; it was not deleted")
    if Path(os.path.realpath(source.path)) != source.real:
        raise SourceChanged(f"{source.path} now points to another file than the one "
                            "imported; it was not deleted")
    _check_unchanged(source)
    _unlink(source.path)
    return source.real if stat.S_ISLNK(info.st_mode) else None


def deleted_link_message(link: str, target: str) -> str:
    """What to say when ``delete_source`` removed only a link (same words everywhere)."""
    return (f"deleted only the link {link}: the file it pointed to, {target}, still holds "
            "the secrets in plain text; delete it yourself")


def _exchange(candidate: Candidate, catalog: Catalog, default: str | None) -> str:
    for name in candidate.exchanges:
        if name.strip().lower() in catalog:
            return name.strip().lower()
    if candidate.stated and candidate.exchanges and default is None:
        # named but unknown: let the catalog say so, with its suggestion
        try:
            catalog.get(candidate.exchanges[0].strip().lower())
        except ValidationError as exc:
            raise ImportFileError(str(exc), line=candidate.line, field="exchange") from None
    if default is None:
        raise ExchangeNeeded(f"line {candidate.line}: the file does not say which exchange "
                             f"the key '{candidate.label}' belongs to; name it")
    return default.strip().lower()


def _unique_label(label: str, taken: set[str]) -> str:
    candidate, n = label, 2
    while candidate.casefold() in taken:
        candidate, n = f"{label} ({n})", n + 1
    return candidate


def plan(candidates: Sequence[Candidate], existing: Iterable[KeyEntry], catalog: Catalog, *,
         exchange: str | None = None) -> ImportPlan:
    """Validated entries for ``candidates``; raises ImportFileError naming the first bad
    line, or ExchangeNeeded. A key already in ``existing`` or earlier in the file is
    skipped; a label already taken gets a suffix (`` (2)``)."""
    if exchange is not None and exchange.strip().lower() not in catalog:
        catalog.get(exchange.strip().lower())  # raises with a suggestion
    stored = list(existing)
    taken = {e.label.casefold() for e in stored}
    known = {identity_credential(e): f"already stored as '{e.label}'" for e in stored}
    entries: list[KeyEntry] = []
    lines: list[int] = []
    skipped: list[Skipped] = []
    renamed: list[tuple[str, str]] = []
    for row in candidates:
        if row.prefix and row.prefix.lower() not in catalog:  # TWILIO_API_KEY, OPENAI_...
            skipped.append(Skipped(row.line, row.label, "",
                                   mask_identifier(row.credentials.get("apiKey", "")),
                                   f"{row.prefix}_ is not an exchange: not an exchange "
                                   "key: skipped"))
            continue
        exchange_id = _exchange(row, catalog, exchange)
        try:
            entry = new_entry(label=row.label or f"{exchange_id} (imported)",
                              exchange=exchange_id, credentials=row.credentials,
                              catalog=catalog, permissions=row.permissions or ("read",),
                              ip_whitelist=row.ips)
        except ValidationError as exc:
            raise ImportFileError(str(exc), line=row.line, field=exc.field) from None
        identity = identity_credential(entry)
        shown = mask_identifier(identity[1]) if identity else ""
        if identity in known:
            skipped.append(Skipped(row.line, entry.label, exchange_id, shown,
                                   f"the same API key is {known[identity]}"))
            continue
        label = _unique_label(entry.label, taken)
        if label != entry.label:
            renamed.append((entry.label, label))
            entry = new_entry(label=label, exchange=exchange_id, credentials=row.credentials,
                              catalog=catalog, permissions=entry.permissions,
                              ip_whitelist=entry.ip_whitelist)
        taken.add(label.casefold())
        known[identity] = f"on line {row.line} too"
        entries.append(entry)
        lines.append(row.line)
    return ImportPlan(tuple(entries), tuple(lines), tuple(skipped), tuple(renamed))
