"""The portfolio as CSV: text a spreadsheet shows and never runs, and its atomic write.

Asset names come from exchanges and labels from the user: a cell that starts with
``= + - @``, a tab or a carriage return could be taken for a formula by a spreadsheet
(CSV injection), so such a cell gets a leading apostrophe, which spreadsheets show as
text. Every cell is quoted, and a formula start after a ``;`` ``,`` tab or ``|`` inside
a cell gets an apostrophe too (a spreadsheet that splits on ``;`` would start a cell
there). An asset name that is not a plain currency code (``portfolio.plain_asset``) is
written as text whatever it holds.

The file is the user's explicit export to a path they chose: it is written atomically
with mode 0600, never through a symbolic link and never into a FIFO, a device or a
folder; it is not encrypted (the front end says so).

An existing file is replaced only if it is an export of ours (its first line is our
header): never the vault, its order journal or its lock file (``protected``), nor any
file that starts with the vault's or the journal's magic bytes, nor any other file a
mistyped name or a wrong row in the save dialog may point to. Replacing the vault with
the CSV would lose every key.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
from collections.abc import Iterable
from datetime import UTC
from decimal import Decimal
from pathlib import Path

from vault_app.core.errors import VaultIOError, VaultWriteError
from vault_app.core.os_messages import describe_os_error
from vault_app.core.vault_files import check_target, own_files
from vault_app.core.vault_format import MAGIC as VAULT_MAGIC
from vault_app.trading.journal_format import MAGIC as JOURNAL_MAGIC
from vault_app.trading.order_limits import plain
from vault_app.trading.portfolio import Portfolio, plain_asset

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER_STARTS = (b"row,asset,", b'"row","asset",')
"""How an export of ours begins (before and since every cell is quoted)."""
HEAD_BYTES = 64


class ExportRefused(VaultIOError):
    """The chosen file exists and is not an export of ours: it was left as it was."""


_AFTER_SEPARATOR = re.compile(r"([;,\t|][ \t\r\n]*)([=+\-@])")


def safe_cell(text: str) -> str:
    """``text`` with a leading apostrophe if a spreadsheet could run it as a formula,
    and one before a formula start that follows a separator inside it."""
    text = _AFTER_SEPARATOR.sub(r"\1'\2", text)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def asset_cell(asset: str) -> str:
    """An asset name as written: a plain code as it is, anything else as text."""
    if plain_asset(asset):
        return asset
    text = safe_cell(asset)
    return text if text.startswith("'") else f"'{text}"


def portfolio_csv(portfolio: Portfolio) -> str:
    """A header, an "as of" row (when the balances were asked, UTC), then per asset a
    "total" row and a "key" row per (exchange, key) (keys of one exchange account share
    a row: "trader + watcher"), then a "grand total" row; the same for test money (keys
    that are not live: "test total", "test key", "test grand total", never in the grand
    total); then a "same account" row per further key of an account counted once, a
    "same key" row per entry of an API key asked under another entry, a "failed" row
    per key that could not be read and a "skipped" row per key not labelled read.
    Amounts are exact; a value without a price is empty and its price cell says "no
    price"."""
    quote = portfolio.quote
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL)

    def row(*cells: str) -> None:
        writer.writerow([safe_cell(cell) for cell in cells])

    row("row", "asset", "exchange", "endpoint", "key", "amount", "free", "used",
        f"price ({quote})", f"value ({quote})", "note")
    if portfolio.as_of is not None:
        row("as of", "", "", "", "", "", "", "", "", "",
            portfolio.as_of.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"))
    for prefix, assets, total, unpriced in (
            ("", portfolio.assets, portfolio.total_value, portfolio.unpriced),
            ("test ", portfolio.test_assets, portfolio.test_total_value,
             portfolio.test_unpriced)):
        if not assets and (prefix or portfolio.test_assets):
            continue  # no "grand total 0" of real money beside the demo's
        for asset in assets:
            note = f"{plain(asset.unpriced)} has no price" if asset.unpriced else ""
            row(f"{prefix}total", asset_cell(asset.asset), "", "", "", plain(asset.total),
                "", "", "", _number(asset.value), note)
            for holding in asset.holdings:
                key = holding.key
                row(f"{prefix}key", asset_cell(asset.asset), key.exchange, key.endpoint,
                    holding.labels, plain(holding.total), plain(holding.free),
                    plain(holding.used),
                    "no price" if holding.price is None else plain(holding.price),
                    _number(holding.value), "")
        without = ", ".join(asset_cell(asset) for asset in unpriced)
        notes = [f"without {without}: no price"] if without else []
        if prefix:
            notes.append("test money (sandbox, demo): not real money, kept out of the "
                         "real grand total")
        row(f"{prefix}grand total", "", "", "", "", "", "", "", "", _number(total),
            "; ".join(notes))
    for shared in portfolio.shared:
        holder = shared.keys[0]
        for key in shared.keys[1:]:
            row("same account", "", key.exchange, key.endpoint, key.label, "", "", "", "",
                "", f"same exchange account as '{holder.label}': counted once, under it")
    for same in portfolio.same_key:
        key = same.key
        row("same key", "", key.exchange, key.endpoint, key.label, "", "", "", "", "",
            same.reason)
    for failure in portfolio.failures:
        key = failure.key
        row("failed", "", key.exchange, key.endpoint, key.label, "", "", "", "", "",
            failure.text)
    for key in portfolio.skipped:
        row("skipped", "", key.exchange, key.endpoint, key.label, "", "", "", "", "",
            "not labelled read: not asked")
    return out.getvalue()


def _number(value: object) -> str:
    return plain(value) if isinstance(value, Decimal) else ""


def write_csv(path: Path, text: str, *, protected: Iterable[Path] = ()) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically with mode 0600: a temp file beside
    it, made private before its first byte, fsynced, renamed over ``path``. Refuses a
    symbolic link and anything that is not a regular file (FIFO, device, socket,
    folder), any file in ``protected`` (the open vault, its journal, its lock file) and
    any existing file that is not an export of ours (see the module): nothing is
    written then.

    Raises:
        NotARegularFile: ``path`` is a link, a FIFO, a device, a socket or a folder.
        ExportRefused: ``path`` exists and is not an export of ours.
        VaultWriteError: the file system refused; ``path`` is as it was.
    """
    path = Path(os.path.abspath(path))
    protected = tuple(protected)
    _check_target(path, protected)
    data = text.encode("utf-8")
    temp = path.parent / f".{path.name}.tmp-{os.urandom(6).hex()}"
    failed = "could not write {path}: {why}; nothing was written"
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
                     | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        raise VaultWriteError(failed.format(path=path, why=describe_os_error(exc))) from None
    try:
        try:
            os.fchmod(fd, 0o600)  # before any byte: the umask or an ACL may have widened it
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        _check_target(path, protected)  # swapped for a link or a FIFO meanwhile: left alone
        os.replace(temp, path)  # replaces the name; never writes into what it named
    except OSError as exc:
        _unlink_quietly(temp)
        raise VaultWriteError(failed.format(path=path, why=describe_os_error(exc))) from None
    except BaseException:
        _unlink_quietly(temp)
        raise
    with contextlib.suppress(OSError):  # the file is in place; durability is a bonus
        fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def refusal(path: Path, protected: Iterable[Path] = ()) -> str | None:
    """Why ``write_csv`` would refuse ``path`` now (a front end's save dialog says it
    before closing), or None."""
    try:
        _check_target(Path(os.path.abspath(path)), tuple(protected))
    except VaultIOError as exc:
        return str(exc)
    return None


def protected_files(vault_path: Path) -> tuple[Path, ...]:
    """The files of a vault an export must never replace: the vault, its order journal,
    its lock file, and its folder of previous versions (nor anything inside it)."""
    return own_files(vault_path)


def _check_target(path: Path, protected: tuple[Path, ...] = ()) -> None:
    if check_target(path, protected, writing="the CSV", refused=ExportRefused) is None:
        return
    try:
        with open(path, "rb") as file:
            head = file.read(HEAD_BYTES)
    except OSError as exc:
        raise VaultIOError(f"cannot read {path} to check it: {describe_os_error(exc)}; "
                           "nothing was written") from None
    if head.startswith((VAULT_MAGIC, JOURNAL_MAGIC)):
        raise ExportRefused(f"{path} is a vault or an order journal; replacing it with the "
                            "CSV would lose what it holds. Nothing was written: choose "
                            "another file name")
    if not head.startswith(HEADER_STARTS):
        raise ExportRefused(f"{path} already exists and is not a portfolio export; it is "
                            "left as it was and nothing was written. Choose a new file "
                            "name, or delete that file first if you no longer need it")


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
