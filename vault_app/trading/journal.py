"""The order journal: an append-only file of sealed records beside the vault.

An order is written here as PENDING, and made durable, before its request leaves the
machine; every later state is appended too. One record costs one write and one fsync
(or none, for a lazy record),
never a rewrite of the vault (docs/vault-format.md, section 9; the bytes are in
``journal_format``).

- ``append`` takes an exclusive ``flock`` on the journal, works out the next number
  from the file itself (cheaply: what this object saw last is checked against the
  file's size and header, and only records appended since are read), drops a torn
  tail, appends one record and fsyncs before returning. Two processes may append.
  ``append(record, sync=False)`` may skip the fsync (spec 9.4, "Lazy records"):
  only when every record before it is known durable (this object's last fsync
  ended the file there), so at most the journal's last record is ever not durable;
  the next append's fsync, whoever makes it, makes it durable.
- ``append_if_absent(record, key=NAME)`` appends only if no record in the journal
  has the same value for the field ``NAME``, decided under the same exclusive lock
  as the append (so two processes cannot both append it): an order's PENDING,
  whose client order id must never be sent twice. The values of such a field are
  remembered as records are read, so only the first call reads the whole journal.
- The lock counts only for the file still at the journal's name: after locking, the
  open file is checked to be the one at the name, else it is opened again (a
  journal moved aside while an append waited must not receive the new record).
- Records are never removed: a journal with the same id that now ends before a
  record this object saw is refused (replaced by an older copy), never reused.
- ``read_since(cursor)`` returns only the records appended since a reader's cursor
  (every record, once, for a new cursor or another file at the name): a reader that
  keeps state folded from the records (``order_states``) pays for new records only.
  Like ``append``, it trusts what this object already read while the file, its
  header and the last record seen are unchanged; ``read`` checks every record.
- ``read`` takes a shared lock and returns every record. A torn last record (a crash
  mid-append) is reported and ignored; anything else wrong is ``JournalDamaged``,
  naming the record and saying that the records before it are intact.
- The journal is read and written only as a regular file, never through a symbolic
  link, and created with mode 0600 under its final name by a hard link, so no reader
  ever sees it without its header.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from vault_app.core.errors import (
    NotARegularFile,
    VaultInUse,
    VaultIOError,
    VaultWriteError,
)
from vault_app.core.os_messages import describe_os_error, kind_of
from vault_app.core.paths import resolve_existing, still_named
from vault_app.trading import journal_format as fmt
from vault_app.trading.errors import JournalDamaged
from vault_app.trading.journal_format import JournalRecord, RecordDamaged, RecordRefused

__all__ = ["Journal", "JournalContents", "JournalCursor", "JournalRecord", "JournalUpdate",
           "RecordDamaged", "RecordRefused", "journal_path"]

SUFFIX = ".journal"
LOCK_WAIT_SECONDS = 10.0
"""How long an append or a read waits for another process's append (one fsync)."""
_LINK_WAITS = 200
_REOPENS = 50
"""How often an append or a read opens the journal again when the file it locked is no
longer the one at the name (moved aside or replaced meanwhile) before giving up."""
STALE_EMPTY_TEMP_SECONDS = 600
"""An empty temp file of a creator is left alone this long: between creating it and
locking it (two system calls) a live creator's temp is empty and unlocked too."""
_TAIL = fmt.TAG_LENGTH + len(fmt.TRAILER)
"""The last bytes of a record remembered to know it is still there: its tag (random,
unique to it) and its trailer."""
_OPEN_FLAGS = os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC


class JournalGone(VaultWriteError):
    """A record that belongs in an existing journal found none at its name."""


def journal_path(vault_path: str | os.PathLike[str]) -> Path:
    """``<vault file name>.journal`` beside the real vault file (links followed, as the
    vault itself is read and saved in the real file's folder)."""
    real = resolve_existing(Path(vault_path))
    return real.with_name(real.name + SUFFIX)


@dataclass(frozen=True)
class JournalContents:
    records: list[JournalRecord]
    torn_tail: bool


@dataclass(frozen=True)
class JournalCursor:
    """How far a reader of ``read_since`` has read: which journal (file and header) and
    the number of the last record it was given."""

    file: tuple[int, int, bytes]
    seq: int


@dataclass(frozen=True)
class JournalUpdate:
    """The records after a cursor, and the cursor after them (None: no journal yet).
    ``restarted``: the cursor was None or not of this journal (moved aside, replaced,
    none at the name now): ``records`` are all of the journal's, and what was read
    before must be forgotten."""

    records: list[JournalRecord]
    cursor: JournalCursor | None
    restarted: bool


@dataclass(frozen=True)
class _Known:
    """What this object last saw of the file: which file, where its last whole record
    ends, that record's number and its last bytes (its tag and trailer). Records are
    never removed, so while the file and its header are the same and those bytes are
    still at ``end``, everything before ``end`` still holds."""

    dev: int
    ino: int
    header: bytes
    cipher: AESGCM
    end: int
    last_seq: int
    tail: bytes


class Journal:
    """The order journal at ``path``, sealed under ``key`` (32 bytes from the vault)."""

    def __init__(self, path: str | os.PathLike[str], key: bytes) -> None:
        if len(key) != fmt.KEY_LENGTH:
            raise ValueError("the journal key must be 32 bytes")
        self.path = Path(path)
        self._key = bytes(key)
        self._known: _Known | None = None
        self._durable: tuple[int, int, int] | None = None
        """(device, inode, end) of the file as this object's last fsync left it: a
        record appended at that end follows only durable records."""
        self._mutex = threading.Lock()  # the cache; processes are kept apart by flock
        self._index: dict[str, set[str]] = {}
        """For each field ``append_if_absent`` was asked about: its values in the records
        up to ``_known.end`` (rebuilt with every full scan)."""
        self._records: list[JournalRecord] = []
        """The records up to ``_known.end``, in order (record n at index n - 1)."""

    def __repr__(self) -> str:
        return f"Journal({str(self.path)!r})"

    @property
    def _where(self) -> str:
        return f"the order journal {self.path}"

    # --- reading -----------------------------------------------------------------------

    def read(self) -> JournalContents:
        """Every record, in order. A journal that does not exist yet has none."""
        with self._mutex:
            for _ in range(_REOPENS):
                fd = self._open(os.O_RDONLY)
                if fd is None:
                    return JournalContents([], False)
                try:
                    self._lock(fd, fcntl.LOCK_SH)
                    if not still_named(self.path, fd):
                        continue
                    info = self._check(fd, writing=False)
                    scan = self._scan_all(fd, info)
                except OSError as exc:
                    raise VaultIOError(f"cannot read {self._where}: "
                                       f"{describe_os_error(exc)}") from None
                finally:
                    os.close(fd)
                return JournalContents(scan.records, scan.torn_tail)
        raise self._keeps_moving("nothing was read")

    def read_since(self, cursor: JournalCursor | None) -> JournalUpdate:
        """The records after ``cursor`` (from an earlier ``read_since``), reading from the
        file only what this object has not read yet (see the module's docstring)."""
        with self._mutex:
            for _ in range(_REOPENS):
                fd = self._open(os.O_RDONLY)
                if fd is None:
                    return JournalUpdate([], None, True)  # no journal: no records
                try:
                    self._lock(fd, fcntl.LOCK_SH)
                    if not still_named(self.path, fd):
                        continue
                    known = self._sync(fd, self._check(fd, writing=False))
                except OSError as exc:
                    raise VaultIOError(f"cannot read {self._where}: "
                                       f"{describe_os_error(exc)}") from None
                finally:
                    os.close(fd)
                assert len(self._records) == known.last_seq
                now = JournalCursor((known.dev, known.ino, known.header), known.last_seq)
                if cursor is None or cursor.file != now.file or cursor.seq > now.seq:
                    return JournalUpdate(list(self._records), now, True)
                return JournalUpdate(self._records[cursor.seq:], now, False)
        raise self._keeps_moving("nothing was read")

    # --- appending ---------------------------------------------------------------------

    def append(self, record: Mapping[str, Any], *, sync: bool = True) -> int:
        """Seal ``record`` (a JSON object), append it and fsync; return its number.

        With ``sync=False`` the fsync is skipped if every record before this one is
        known durable (else it is made as usual): a record whose loss a crash may
        cause without harm, such as an order's answer after its durable PENDING.

        Raises ``RecordRefused`` (nothing written) for a record its reader would refuse.
        """
        seq = self._append(record, sync=sync, key=None)
        assert seq is not None
        return seq

    def append_if_absent(self, record: Mapping[str, Any], *, key: str,
                         sync: bool = True) -> int | None:
        """``append``, unless a record of the journal (a whole one: a torn tail does not
        count) has the same value for the field ``key`` as ``record``: then nothing is
        written and None is returned. Checked and appended under one exclusive lock."""
        if record.get(key) is None:
            raise ValueError(f"the record has no {key!r} to be unique on")
        return self._append(record, sync=sync, key=key)

    def append_if(self, record: Mapping[str, Any], when: Callable[[Sequence[JournalRecord]],
                                                                  bool],
                  *, sync: bool = True, create: bool = False) -> int | None:
        """``append``, if ``when`` (called with every whole record of the journal, under
        the same exclusive lock as the append) is true; else nothing is written and None
        is returned. Without ``create``, a journal that is not there is not made: a
        record that belongs after earlier ones (an order's state after its PENDING) has
        no place in a new journal, so that raises ``VaultWriteError``."""
        return self._append(record, sync=sync, key=None, when=when, create=create)

    def _append(self, record: Mapping[str, Any], *, sync: bool, key: str | None,
                when: Callable[[Sequence[JournalRecord]], bool] | None = None,
                create: bool = True) -> int | None:
        plaintext = fmt.encode_record(record)
        with self._mutex:
            for _ in range(_REOPENS):
                fd = self._open_for_append(create=create)
                try:
                    self._lock(fd, fcntl.LOCK_EX)
                    try:
                        if not still_named(self.path, fd):
                            continue
                        info = self._check(fd, writing=True)
                        known = self._sync(fd, info)
                        if key is not None and key not in self._index:
                            self._index[key] = set()
                            self._scan_all(fd, info)  # rebuilds every index
                            assert self._known is not None
                            known = self._known
                        _keep_private(fd, info)
                    except OSError as exc:
                        raise VaultIOError(f"cannot read {self._where}: "
                                           f"{describe_os_error(exc)}; nothing was written") \
                            from None
                    if key is not None and str(record[key]) in self._index[key]:
                        return None
                    if when is not None and not when(self._records):
                        return None
                    seq = self._append_locked(fd, info, known, plaintext, sync=sync)
                    self._note([record])
                    data = fmt.decode_record(plaintext)  # as a reader will see it
                    assert isinstance(data, dict)
                    self._records.append(JournalRecord(seq, data))
                    return seq
                finally:
                    os.close(fd)
        raise self._keeps_moving("nothing was written")

    def create_with(self, records: Sequence[Mapping[str, Any]]) -> bool:
        """Make the journal, holding ``records`` (numbered from 1), if there is none yet:
        False (nothing written) if a journal is already at the name.

        One write and one fsync for all, however many: the records go into the new
        journal's temp file with its header, which is fsynced and only then linked to
        the journal's name (as every new journal is). A crash before the link leaves no
        journal (and a temp file the next creator removes); after it, every record is
        durable. So no crash leaves some records without the others, and a reader never
        meets a torn record but the last (spec 9.4). Raises ``RecordRefused`` (nothing
        written) for a record its reader would refuse, ``VaultWriteError`` if the
        records would not fit in a journal.
        """
        plaintexts = [fmt.encode_record(record) for record in records]
        header = fmt.new_header(self._key)
        cipher = fmt.check_header(header, self._key, self._where)
        body = b"".join(fmt.seal_record(cipher, header, seq, plaintext)
                        for seq, plaintext in enumerate(plaintexts, 1))
        if len(header) + len(body) > fmt.MAX_JOURNAL_SIZE:
            raise VaultWriteError(f"the records do not fit in {self._where} "
                                  f"({fmt.MAX_JOURNAL_SIZE // (1024 * 1024)} MiB); nothing "
                                  "was written")
        with self._mutex:
            fd = self._open(os.O_RDONLY)
            if fd is not None:
                os.close(fd)
                return False
            return self._create(body, header)

    def _keeps_moving(self, outcome: str) -> VaultIOError:
        return VaultIOError(f"{self._where} keeps being moved or replaced while vault-app "
                            f"opens it; {outcome}. Keep the file where it is and try again")

    def _append_locked(self, fd: int, info: os.stat_result, known: _Known,
                       plaintext: bytes, *, sync: bool) -> int:
        seq = known.last_seq + 1
        # Lazily only right after this object's own fsync: then every record before
        # this one is durable, and at most the last record of the journal is not.
        lazy = not sync and info.st_size == known.end \
            and self._durable == (known.dev, known.ino, known.end)
        sealed = fmt.seal_record(known.cipher, known.header, seq, plaintext)
        if known.end + len(sealed) > fmt.MAX_JOURNAL_SIZE:
            raise VaultWriteError(
                f"{self._where} is full ({fmt.MAX_JOURNAL_SIZE // (1024 * 1024)} MiB); "
                "nothing was written. Keep the file: first check on the exchange the "
                "orders it lists whose state is unknown or not final (moving it aside "
                "forgets them), then rename it, keeping the copy, to start a new journal")
        try:
            if info.st_size > known.end:  # a torn tail: never durable, so drop it first
                os.ftruncate(fd, known.end)
                os.fsync(fd)
            _write_all(fd, sealed)
            if not lazy:
                os.fsync(fd)
        except OSError as exc:
            self._known = self._durable = None
            try:  # leave no part of a record the caller was told failed
                os.ftruncate(fd, known.end)
            except OSError:
                pass
            raise VaultWriteError(
                f"could not write to {self._where}: {describe_os_error(exc)}; the record "
                "was not saved, and the records before it are intact") from None
        self._known = _Known(known.dev, known.ino, known.header, known.cipher,
                             known.end + len(sealed), seq, sealed[-_TAIL:])
        if not lazy:
            self._durable = (known.dev, known.ino, known.end + len(sealed))
        return seq

    def _sync(self, fd: int, info: os.stat_result) -> _Known:
        """Where the last whole record ends and its number, from the file under the lock.

        The common case costs two small reads: the file is the one seen last, with the
        same header, and the last record seen still ends where it did. If the file grew,
        only the new records are read.
        """
        known = self._known
        if known is not None and (known.dev, known.ino) == (info.st_dev, info.st_ino) \
                and info.st_size >= known.end \
                and os.pread(fd, fmt.HEADER_LENGTH, 0) == known.header \
                and os.pread(fd, len(known.tail), known.end - len(known.tail)) == known.tail:
            if info.st_size == known.end:
                return known
            data = _read_exactly(fd, info.st_size - known.end, known.end)
            scan = fmt.scan(data, known.header, known.cipher, self._where, start=known.end,
                            first_seq=known.last_seq + 1, base=known.end)
            tail = data[scan.end - known.end - _TAIL:scan.end - known.end] \
                if scan.end > known.end else known.tail
            self._known = _Known(known.dev, known.ino, known.header, known.cipher,
                                 scan.end, scan.last_seq, tail)
            self._note(record.data for record in scan.records)
            self._records.extend(scan.records)
            return self._known
        self._scan_all(fd, info)
        assert self._known is not None
        return self._known

    def _scan_all(self, fd: int, info: os.stat_result) -> fmt.Scan:
        seen, self._known = self._known, None
        data = _read_exactly(fd, info.st_size, 0)
        cipher = fmt.check_header(data, self._key, self._where)
        header = data[:fmt.HEADER_LENGTH]
        scan = fmt.scan(data, header, cipher, self._where, start=fmt.HEADER_LENGTH,
                        first_seq=1)
        tail = data[max(scan.end - _TAIL, fmt.HEADER_LENGTH):scan.end]
        if seen is not None and seen.header == header:
            self._refuse_rollback(seen, scan, data)
        self._known = _Known(info.st_dev, info.st_ino, header, cipher, scan.end,
                             scan.last_seq, tail)
        self._records = list(scan.records)
        for values in self._index.values():
            values.clear()
        self._note(record.data for record in scan.records)
        return scan

    def _note(self, records: Iterable[Mapping[str, Any]]) -> None:
        """Remember the indexed fields' values of records now in the file."""
        if not self._index:
            return
        for data in records:
            for name, values in self._index.items():
                if data.get(name) is not None:
                    values.add(str(data[name]))

    def _refuse_rollback(self, seen: _Known, scan: fmt.Scan, data: bytes) -> None:
        """The same journal (same id) must still hold every record seen in it (spec 9.7):
        one that ends before them, or holds others in their place, is an older copy put
        back, and numbering on from it would reuse the numbers of orders already sent."""
        if scan.last_seq >= seen.last_seq and scan.end >= seen.end \
                and data[seen.end - len(seen.tail):seen.end] == seen.tail:
            return
        first = min(scan.last_seq, seen.last_seq) + 1
        span = f"record {seen.last_seq}" if first >= seen.last_seq \
            else f"records {first} to {seen.last_seq}"
        self._known = seen  # keep refusing: the records seen are still the truth
        raise JournalDamaged(
            f"{self._where} no longer holds {span} seen earlier: it was replaced by an "
            "older copy of itself, and their orders may have been sent. Nothing was "
            "written. Keep the file; put the newer copy back if you have it, otherwise "
            "check this vault's orders on the exchange, then restart vault-app")

    # --- the file ----------------------------------------------------------------------

    def _open(self, flags: int) -> int | None:
        """The journal opened with ``flags``, or None if it does not exist."""
        try:
            before = os.stat(self.path, follow_symlinks=False)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise VaultIOError(f"cannot open {self._where}: {describe_os_error(exc)}") \
                from None
        self._refuse_kind(before.st_mode)
        try:
            return os.open(self.path, flags | _OPEN_FLAGS)
        except FileNotFoundError:
            return None
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                self._refuse_kind(stat.S_IFLNK)
            raise VaultIOError(f"cannot open {self._where}: {describe_os_error(exc)}") \
                from None

    def _open_for_append(self, *, create: bool = True) -> int:
        created = 0
        for _ in range(_LINK_WAITS):
            fd = self._open(os.O_RDWR | os.O_APPEND)
            if fd is None:
                if not create:
                    raise JournalGone(
                        f"{self._where} is not there any more (moved aside or deleted?); "
                        "nothing was written, and no new journal was started for it")
                if created == 3:
                    break
                self._create()
                created += 1
                continue
            # Another process creating the journal holds a second link (its temp name)
            # for a moment, between linking and removing it: wait for that, not longer.
            if os.fstat(fd).st_nlink == 1:
                return fd
            os.close(fd)
            time.sleep(0.001)
        else:
            self._remove_stale_temps()
            fd = self._open(os.O_RDWR | os.O_APPEND)
            if fd is not None:
                return fd  # if it still has another link, _check refuses it and says why
        raise VaultWriteError(f"{self._where} keeps disappearing while being created; "
                              "nothing was written, try again")

    def _create(self, body: bytes = b"", header: bytes | None = None) -> bool:
        """Make the journal with its header: written, fsynced and mode 0600 under a temp
        name, then hard-linked to its name (which never replaces an existing journal).

        The temp file is locked from just after its creation until its name is gone, so
        that ``_remove_stale_temps`` never takes a live creator's temp for a dead one's.
        ``body``: records sealed under ``header``, written with it (``create_with``).
        False if another journal got the name first (this one's temp is then removed).
        """
        self._remove_stale_temps()
        header = fmt.new_header(self._key) if header is None else header
        temp = self.path.with_name(f"{self._temp_prefix()}{os.urandom(6).hex()}")
        failed = f"could not create {self._where}"
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _OPEN_FLAGS, 0o600)
        except OSError as exc:
            raise VaultWriteError(f"{failed}: {describe_os_error(exc)}; nothing was "
                                  "written") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.fchmod(fd, 0o600)
            _write_all(fd, header + body)
            os.fsync(fd)
            try:
                os.link(temp, self.path)
                linked = True
            except FileExistsError:
                linked = False  # another process created it first: use theirs
            _fsync_folder(self.path.parent)
        except OSError as exc:
            raise VaultWriteError(f"{failed}: {describe_os_error(exc)}; nothing was "
                                  "written") from None
        finally:
            try:
                os.unlink(temp)
            except OSError:
                pass
            os.close(fd)  # the lock goes with the temp name, not before
        return linked

    def _temp_prefix(self) -> str:
        return f".{self.path.name}.tmp-"

    def _remove_stale_temps(self) -> None:
        """Remove the temp files of creators that were killed: a temp no process holds
        locked (a live creator locks its temp at once and keeps the lock until the name
        is gone), either a link to the journal (killed between linking and removing
        it) or a lone file (killed before linking). An empty one may be a creator's
        between its two first system calls, so it is left alone for a while."""
        try:
            entries = [entry.path for entry in os.scandir(self.path.parent)
                       if entry.name.startswith(self._temp_prefix())]
        except OSError:
            return
        for temp in entries:
            try:
                fd = os.open(temp, os.O_RDONLY | _OPEN_FLAGS)
            except OSError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                info = os.fstat(fd)
                if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
                    continue
                if info.st_size == 0 and time.time() - info.st_mtime < STALE_EMPTY_TEMP_SECONDS:
                    continue
                now = os.stat(temp, follow_symlinks=False)
                if (now.st_dev, now.st_ino) == (info.st_dev, info.st_ino):
                    os.unlink(temp)
            except OSError:
                pass  # held by a live creator or an appender, or already gone
            finally:
                os.close(fd)

    def _refuse_kind(self, mode: int) -> None:
        if not stat.S_ISREG(mode):
            raise NotARegularFile(
                f"{self._where} is {kind_of(mode)}, not an order journal; vault-app reads "
                "and writes only a regular file there, never through a link. Nothing was "
                "read or written")

    def _check(self, fd: int, *, writing: bool) -> os.stat_result:
        info = os.fstat(fd)
        self._refuse_kind(info.st_mode)  # the name may have been swapped since the stat
        if info.st_size > fmt.MAX_JOURNAL_SIZE:
            raise JournalDamaged(
                f"{self._where} is {info.st_size:,} bytes, larger than any journal "
                f"({fmt.MAX_JOURNAL_SIZE // (1024 * 1024)} MiB); it is damaged or not a "
                "journal. Nothing was read or written")
        if writing and (info.st_uid != os.geteuid() or info.st_nlink != 1):
            why = (f"belongs to another user (uid {info.st_uid})" if info.st_uid != os.geteuid()
                   else f"has {info.st_nlink} hard links (it may be another file of yours)")
            raise VaultIOError(f"{self._where} {why}, so vault-app will not append to it; "
                               "nothing was written")
        return info

    def _lock(self, fd: int, kind: int) -> None:
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        delay = 0.0005
        while True:
            try:
                fcntl.flock(fd, kind | fcntl.LOCK_NB)
                return
            except OSError as exc:
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise VaultIOError(f"cannot lock {self._where}: "
                                       f"{describe_os_error(exc)}") from None
            if time.monotonic() >= deadline:
                raise VaultInUse(f"{self._where} is being written by another process; "
                                 "nothing was written, try again")
            time.sleep(delay)
            delay = min(delay * 2, 0.004)


def _keep_private(fd: int, info: os.stat_result) -> None:
    """Make a journal of ours that others may read private again (best effort: its
    records are sealed, only their sizes and count would show)."""
    if stat.S_IMODE(info.st_mode) & 0o077:
        try:
            os.fchmod(fd, 0o600)
        except OSError:
            pass


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _read_exactly(fd: int, size: int, offset: int) -> bytes:
    chunks: list[bytes] = []
    remaining = size
    while remaining > 0:
        chunk = os.pread(fd, min(remaining, 1024 * 1024), offset + size - remaining)
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
