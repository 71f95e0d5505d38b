"""The order journal (spec section 9): records survive, numbering holds, torn tails are
dropped and never fatal, damage is named, and the file is private and never plain text."""

from __future__ import annotations

import fcntl
import os
import shutil
import stat
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from vault_app.core.errors import NotARegularFile, VaultInUse, VaultIOError, VaultWriteError
from vault_app.trading import journal as journal_module
from vault_app.trading import journal_format as fmt
from vault_app.trading.errors import JournalDamaged
from vault_app.trading.journal import (
    Journal,
    JournalContents,
    RecordDamaged,
    RecordRefused,
    journal_path,
)

KEY = bytes(range(32))
ORDER: dict[str, Any] = {"event": "pending", "client_order_id": "va-7", "symbol": "BTC/USDT",
                         "side": "buy", "type": "limit", "amount": "0.01", "price": "50000"}


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "vault.vault.journal"


def records(n: int) -> list[dict[str, Any]]:
    return [{**ORDER, "n": i} for i in range(1, n + 1)]


def filled(path: Path, n: int) -> Journal:
    journal = Journal(path, KEY)
    for record in records(n):
        journal.append(record)
    return journal


def spans(data: bytes) -> list[tuple[int, int]]:
    """(start, end) of each whole record in a journal file."""
    out, offset = [], fmt.HEADER_LENGTH
    while offset + fmt.RECORD_HEAD <= len(data):
        end = offset + fmt.RECORD_OVERHEAD + int.from_bytes(data[offset:offset + 4], "big")
        if end > len(data):
            break
        out.append((offset, end))
        offset = end
    return out


def data_of(contents: JournalContents) -> list[dict[str, Any]]:
    return [record.data for record in contents.records]


def flipped(byte: int) -> int:
    """Another non-zero value (a zero could read as a zero-filled tail: spec 9.6)."""
    return byte ^ 0x01 if byte ^ 0x01 else byte ^ 0x02


# --- round trip and numbering -----------------------------------------------------------

def test_records_come_back_in_order_numbered_from_one(path: Path) -> None:
    journal = Journal(path, KEY)
    written = [ORDER, {"note": "caf\u00e9 \u2713 \U0001f600", "nested": {"a": [1, 2.5, None]}},
               {}, {"big": "x" * 60_000}]
    assert [journal.append(record) for record in written] == [1, 2, 3, 4]
    contents = journal.read()
    assert contents.torn_tail is False
    assert [r.seq for r in contents.records] == [1, 2, 3, 4]
    assert data_of(contents) == written


def test_a_journal_that_does_not_exist_reads_empty_and_is_not_created(path: Path) -> None:
    assert Journal(path, KEY).read() == JournalContents([], False)
    assert not path.exists()


def test_numbering_continues_after_reopening(path: Path) -> None:
    filled(path, 3)
    again = Journal(path, KEY)
    assert [r.seq for r in again.read().records] == [1, 2, 3]
    assert again.append({"event": "after"}) == 4
    assert Journal(path, KEY).append({"event": "fresh object"}) == 5
    assert [r.seq for r in Journal(path, KEY).read().records] == [1, 2, 3, 4, 5]


def test_two_objects_on_one_file_take_turns_without_losing_count(path: Path) -> None:
    first, second = Journal(path, KEY), Journal(path, KEY)
    seqs = [(first if i % 3 else second).append({"i": i}) for i in range(30)]
    assert seqs == list(range(1, 31))
    assert data_of(first.read()) == [{"i": i} for i in range(30)]


def test_threads_sharing_one_journal_get_distinct_numbers(path: Path) -> None:
    journal = Journal(path, KEY)
    got: list[int] = []
    lock = threading.Lock()

    def work(name: str) -> None:
        for i in range(50):
            seq = journal.append({"thread": name, "i": i})
            with lock:
                got.append(seq)

    threads = [threading.Thread(target=work, args=(str(t),)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(got) == list(range(1, 201))
    contents = journal.read()
    for name in "0123":
        assert [r.data["i"] for r in contents.records if r.data["thread"] == name] == \
            list(range(50))


def test_a_replaced_journal_is_noticed_before_appending(path: Path) -> None:
    stale = filled(path, 3)
    path.unlink()
    Journal(path, KEY).append({"event": "new journal"})  # a new header, a new id
    assert stale.append({"event": "after"}) == 2
    assert data_of(Journal(path, KEY).read()) == [{"event": "new journal"}, {"event": "after"}]


def test_an_append_reads_only_what_it_has_not_seen(path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The common case costs a write and an fsync: no append re-reads the records."""
    journal, other = filled(path, 50), Journal(path, KEY)
    scans: list[tuple[int, int]] = []
    real_scan = fmt.scan

    def counting_scan(data: bytes, *args: Any, **kwargs: Any) -> fmt.Scan:
        scans.append((kwargs["start"], len(data)))
        return real_scan(data, *args, **kwargs)

    monkeypatch.setattr(fmt, "scan", counting_scan)
    size = path.stat().st_size
    assert journal.append(ORDER) == 51
    assert scans == []  # its own last append: nothing to read
    assert other.append(ORDER) == 52  # a fresh object reads the journal once
    assert scans == [(fmt.HEADER_LENGTH, path.stat().st_size - len_of_last(path))]
    scans.clear()
    grown = path.stat().st_size
    assert journal.append(ORDER) == 53  # only the record the other one added
    assert scans == [(size + len_of_last(path), grown - size - len_of_last(path))]
    scans.clear()
    with path.open("ab") as file:
        file.write(b"\0\0\0\1")  # a torn tail, seen by a read...
    assert journal.read().torn_tail
    scans.clear()
    assert journal.append(ORDER) == 54  # ...and dropped by the next append
    assert scans == [(grown + len_of_last(path), 4)]
    assert not Journal(path, KEY).read().torn_tail


def len_of_last(path: Path) -> int:
    start, end = spans(path.read_bytes())[-1]
    return end - start


# --- the file ---------------------------------------------------------------------------

def test_the_journal_lives_beside_the_real_vault_file(tmp_path: Path) -> None:
    real = tmp_path / "sync" / "my.vault"
    real.parent.mkdir()
    real.write_bytes(b"vault")
    link = tmp_path / "link.vault"
    link.symlink_to(real)
    assert journal_path(real) == real.with_name("my.vault.journal")
    assert journal_path(link) == real.with_name("my.vault.journal")


def test_a_new_journal_is_private_whatever_the_umask(path: Path) -> None:
    old = os.umask(0)
    try:
        Journal(path, KEY).append(ORDER)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir() if "journal" in p.name] == [path.name]


def test_the_file_never_holds_plain_text(path: Path) -> None:
    secret = "sk-live-4f2a9c0e7b1d5f3a8e6c2b9d0f1a7e5c"
    journal = Journal(path, KEY)
    for i in range(20):
        journal.append({**ORDER, "note": secret, "i": i})
    data = path.read_bytes()
    for needle in ("BTC/USDT", "BTC", "USDT", secret, secret[8:24], "client_order_id",
                   "pending", "50000", "va-7"):
        assert needle.encode() not in data, needle
        assert needle.encode("utf-16-le") not in data, needle
    assert KEY not in data and fmt.subkey(KEY, data[10:26]) not in data


def test_a_fifo_is_refused_without_blocking(path: Path) -> None:
    os.mkfifo(path)
    with pytest.raises(NotARegularFile, match="FIFO"):
        Journal(path, KEY).read()
    with pytest.raises(NotARegularFile, match="FIFO"):
        Journal(path, KEY).append(ORDER)


def test_a_folder_is_refused(path: Path) -> None:
    path.mkdir()
    with pytest.raises(NotARegularFile, match="folder"):
        Journal(path, KEY).append(ORDER)


@pytest.mark.parametrize("dangling", [False, True])
def test_a_symbolic_link_is_never_followed(path: Path, tmp_path: Path, dangling: bool) -> None:
    target = tmp_path / "elsewhere.journal"
    if not dangling:
        filled(target, 2)
    before = target.read_bytes() if not dangling else None
    path.symlink_to(target)
    with pytest.raises(NotARegularFile, match="symbolic link"):
        Journal(path, KEY).read()
    with pytest.raises(NotARegularFile, match="symbolic link"):
        Journal(path, KEY).append(ORDER)
    assert (target.read_bytes() if not dangling else None) == before
    assert dangling is not target.exists()


def test_a_hard_linked_journal_is_read_but_not_appended_to(path: Path, tmp_path: Path) -> None:
    filled(path, 2)
    os.link(path, tmp_path / "other-name")
    assert len(Journal(path, KEY).read().records) == 2
    with pytest.raises(VaultIOError, match="2 hard links"):
        Journal(path, KEY).append(ORDER)


def test_an_append_waits_for_the_lock_and_gives_up_with_in_use(
        path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    filled(path, 1)
    monkeypatch.setattr(journal_module, "LOCK_WAIT_SECONDS", 0.0)
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)  # a reader: appends wait, reads do not
        assert len(Journal(path, KEY).read().records) == 1
        with pytest.raises(VaultInUse, match="another process"):
            Journal(path, KEY).append(ORDER)
    finally:
        os.close(fd)
    assert Journal(path, KEY).append(ORDER) == 2


def test_limits_refuse_before_writing(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    journal = filled(path, 2)
    before = path.read_bytes()
    with pytest.raises(RecordRefused, match="at most 65536 bytes"):
        journal.append({"big": "x" * fmt.MAX_PLAINTEXT})
    with pytest.raises(RecordRefused):
        journal.append({"price": float("nan")})
    with pytest.raises(RecordRefused, match="only JSON values"):
        journal.append({"when": object()})
    monkeypatch.setattr(fmt, "MAX_JOURNAL_SIZE", len(before) + 10)
    with pytest.raises(VaultWriteError, match="is full"):
        journal.append(ORDER)
    assert path.read_bytes() == before
    monkeypatch.setattr(fmt, "MAX_JOURNAL_SIZE", len(before) - 1)
    with pytest.raises(JournalDamaged, match="larger than any journal"):
        Journal(path, KEY).read()


def test_the_key_is_checked_and_never_shown(path: Path) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        Journal(path, KEY[:16])
    assert KEY.hex() not in repr(Journal(path, KEY))
    assert repr(KEY) not in repr(Journal(path, KEY))


# --- torn tails -------------------------------------------------------------------------

def test_every_cut_of_the_last_record_is_a_torn_tail_and_the_next_append_drops_it(
        path: Path) -> None:
    filled(path, 3)
    whole = path.read_bytes()
    start, end = spans(whole)[-1]
    for cut in range(start + 1, end):
        path.write_bytes(whole[:cut])
        contents = Journal(path, KEY).read()
        assert contents.torn_tail is True, cut
        assert data_of(contents) == records(2), cut
    assert Journal(path, KEY).append({"event": "after the crash"}) == 3
    assert path.read_bytes()[:start] == whole[:start]
    contents = Journal(path, KEY).read()
    assert not contents.torn_tail
    assert data_of(contents) == [*records(2), {"event": "after the crash"}]


@pytest.mark.parametrize("zeros", [1, 15, 16, 17, 300, fmt.MAX_RECORD])
def test_a_zero_filled_tail_is_torn(path: Path, zeros: int) -> None:
    filled(path, 2)
    with path.open("ab") as file:
        file.write(bytes(zeros))
    contents = Journal(path, KEY).read()
    assert contents.torn_tail and data_of(contents) == records(2)
    assert Journal(path, KEY).append(ORDER) == 3


def test_a_zero_tail_longer_than_any_record_is_damage(path: Path) -> None:
    filled(path, 2)
    with path.open("ab") as file:
        file.write(bytes(fmt.MAX_RECORD + 1))
    with pytest.raises(RecordDamaged) as caught:
        Journal(path, KEY).read()
    assert caught.value.record == 3


def test_a_last_record_zeroed_from_a_block_boundary_is_torn(path: Path) -> None:
    journal = filled(path, 1)
    journal.append({"note": "z" * 2000})
    data = path.read_bytes()
    start, end = spans(data)[-1]
    boundary = (start // fmt.BLOCK + 2) * fmt.BLOCK
    path.write_bytes(data[:boundary] + bytes(end - boundary))
    contents = Journal(path, KEY).read()
    assert contents.torn_tail and data_of(contents) == records(1)


def test_a_torn_tail_seen_by_one_object_is_not_truncated_after_another_appended(
        path: Path) -> None:
    """A caches "torn tail at size S"; B drops it and appends a record of exactly that
    size. A must not take B's durable record for the old torn tail."""
    filled(path, 2)
    whole = path.read_bytes()
    a, b = Journal(path, KEY), Journal(path, KEY)
    record = {**ORDER, "n": 3}
    b_record_size = len(fmt.seal_record(AESGCM(bytes(32)), bytes(54), 3, fmt.encode_record(record)))
    header = whole[:fmt.HEADER_LENGTH]
    cipher = AESGCM(fmt.subkey(KEY, header[10:26]))
    longer = fmt.seal_record(cipher, header, 3, fmt.encode_record({"note": "y" * 500}))
    path.write_bytes(whole + longer[:b_record_size])  # a crash cut it short
    assert a.read().torn_tail
    assert path.stat().st_size == len(whole) + b_record_size
    assert b.append(record) == 3
    assert path.stat().st_size == len(whole) + b_record_size  # same size as the torn file
    assert a.append({"event": "A"}) == 4
    assert data_of(Journal(path, KEY).read()) == [*records(3), {"event": "A"}]


# --- damage -----------------------------------------------------------------------------

def test_every_flipped_byte_of_a_middle_record_is_damage_naming_it(path: Path) -> None:
    filled(path, 3)
    whole = path.read_bytes()
    start, end = spans(whole)[1]
    for at in range(start, end):
        data = bytearray(whole)
        data[at] = flipped(data[at])
        path.write_bytes(bytes(data))
        with pytest.raises(RecordDamaged) as caught:
            Journal(path, KEY).read()
        assert caught.value.record == 2, at
        message = str(caught.value)
        assert "record 2" in message and "record 1 before it is intact" in message, message


def test_a_flipped_byte_in_the_last_record_is_damage_not_a_torn_tail(path: Path) -> None:
    filled(path, 3)
    whole = path.read_bytes()
    start, end = spans(whole)[2]
    for at in range(start, end):
        data = bytearray(whole)
        data[at] = flipped(data[at])
        path.write_bytes(bytes(data))
        with pytest.raises(RecordDamaged, match="records 1 to 2 before it are intact") \
                as caught:
            Journal(path, KEY).read()
        assert caught.value.record == 3, at


def test_an_append_refuses_a_damaged_journal_and_writes_nothing(path: Path) -> None:
    filled(path, 3)
    data = bytearray(path.read_bytes())
    data[spans(bytes(data))[0][0] + 40] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(RecordDamaged, match="record 1 fails authentication"):
        Journal(path, KEY).append(ORDER)
    assert path.read_bytes() == bytes(data)


def rearranged(path: Path, order: list[int]) -> None:
    data = path.read_bytes()
    parts = [data[start:end] for start, end in spans(data)]
    path.write_bytes(data[:fmt.HEADER_LENGTH] + b"".join(parts[i] for i in order))


@pytest.mark.parametrize(("order", "record"), [
    ([0, 2, 1, 3], 2),  # swapped
    ([1, 0, 2, 3], 1),
    ([0, 2, 3], 2),     # the middle one dropped
    ([1, 2, 3], 1),     # the first one dropped
    ([0, 1, 1, 2, 3], 3),  # one duplicated
    ([0, 1, 2, 3, 3], 5),  # the last one duplicated
])
def test_reordered_dropped_or_duplicated_records_are_damage(
        path: Path, order: list[int], record: int) -> None:
    filled(path, 4)
    rearranged(path, order)
    with pytest.raises(RecordDamaged, match="missing, duplicated or out of order") as caught:
        Journal(path, KEY).read()
    assert caught.value.record == record


def test_a_record_spliced_from_another_journal_under_the_same_key_is_damage(
        path: Path, tmp_path: Path) -> None:
    filled(path, 3)
    other = tmp_path / "other.journal"
    filled(other, 3)
    ours, theirs = path.read_bytes(), other.read_bytes()
    (a, b), (c, d) = spans(ours)[1], spans(theirs)[1]
    path.write_bytes(ours[:a] + theirs[c:d] + ours[b:])
    with pytest.raises(RecordDamaged) as caught:
        Journal(path, KEY).read()
    assert caught.value.record == 2


def test_another_key_is_refused_before_reading_or_writing(path: Path) -> None:
    filled(path, 2)
    before = path.read_bytes()
    other = Journal(path, bytes(32))
    for action in (other.read, lambda: other.append(ORDER)):
        with pytest.raises(JournalDamaged, match="not written with this vault's journal key"):
            action()
    assert path.read_bytes() == before


@pytest.mark.parametrize(("content", "fragment"), [
    (b"", "not an order journal"),
    (b"VAJOUR", "not an order journal"),
    (b"PK\x03\x04" + bytes(100), "not an order journal"),
    (fmt.MAGIC + b"\x01" + bytes(10), "header is cut short"),
    (fmt.MAGIC + b"\x02" + bytes(60), "newer version"),
])
def test_a_file_that_is_not_a_journal_is_refused(path: Path, content: bytes,
                                                 fragment: str) -> None:
    path.write_bytes(content)
    with pytest.raises(JournalDamaged, match=fragment):
        Journal(path, KEY).read()
    with pytest.raises(JournalDamaged, match=fragment):
        Journal(path, KEY).append(ORDER)
    assert path.read_bytes() == content


def test_a_temp_name_left_by_a_creator_killed_before_removing_it_is_cleaned_up(
        path: Path) -> None:
    filled(path, 1)
    stale = path.with_name(f".{path.name}.tmp-0123456789ab")
    os.link(path, stale)  # what a creator killed between link and unlink leaves
    assert Journal(path, KEY).append(ORDER) == 2
    assert not stale.exists()
    assert path.stat().st_nlink == 1


# --- review r1: what the writer seals, moved and rolled-back journals, creation ---------

def _deep(levels: int) -> Any:
    value: Any = []
    for _ in range(levels - 1):
        value = [value]
    return value


def _cycle() -> dict[str, Any]:
    record: dict[str, Any] = {"a": []}
    record["a"].append(record)
    return record


@pytest.mark.parametrize("record", [
    {1: "a", "1": "b"},           # json.dumps would write "1" twice
    {True: 1, "true": 2},         # and "true" twice
    {"nested": {2: "x"}},         # a non-string name anywhere
    {"n": 10 ** 64},              # 65 digits: longer than a reader accepts
    {"deep": _deep(70)},          # deeper than 64 levels
    {"amount": Decimal("0.01")},  # not a JSON value
    {"s": "\ud800"},              # a lone surrogate: not UTF-8
    _cycle(),
], ids=["int-name", "bool-name", "nested-name", "long-int", "deep", "decimal", "surrogate",
        "cycle"])
def test_a_record_its_own_reader_would_refuse_is_never_written(
        path: Path, record: dict[Any, Any]) -> None:
    """r1 #1: such a record, once sealed, made every later read fail at it."""
    journal = filled(path, 1)
    before = path.read_bytes()
    with pytest.raises(RecordRefused, match="nothing was written"):
        journal.append(record)
    assert path.read_bytes() == before
    assert journal.append(ORDER) == 2
    assert data_of(Journal(path, KEY).read()) == [*records(1), ORDER]


def test_what_the_writer_accepts_reads_back_equal(path: Path) -> None:
    edge = {"n": 10 ** 63, "deep": _deep(63), "t": ("a", 1), "f": 1e300, "e": "",
            "u": "\U0001f600\u2028"}
    Journal(path, KEY).append(edge)
    assert data_of(Journal(path, KEY).read()) == [{**edge, "t": ["a", 1]}]


def _move_aside_while_waiting(monkeypatch: pytest.MonkeyPatch, path: Path,
                              aside: Path) -> None:
    """The user renames the journal after the open and before the lock is granted."""
    real_lock = Journal._lock
    moved: list[bool] = []

    def lock(self: Journal, fd: int, kind: int) -> None:
        if not moved:
            moved.append(True)
            os.rename(path, aside)
        real_lock(self, fd, kind)

    monkeypatch.setattr(Journal, "_lock", lock)


def test_a_journal_moved_aside_while_an_append_waits_gets_no_record(
        path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """r1 #2: the lock protects only the file still at the name; a PENDING record
    reported durable must be in the journal at the name, never in the moved copy."""
    journal = filled(path, 1)
    aside = path.with_name("old.journal")
    before = path.read_bytes()
    _move_aside_while_waiting(monkeypatch, path, aside)
    assert journal.append({"event": "pending", "client_order_id": "va-9"}) == 1
    assert aside.read_bytes() == before
    assert data_of(Journal(path, KEY).read()) == [{"event": "pending",
                                                   "client_order_id": "va-9"}]


def test_a_read_that_locked_a_journal_moved_aside_reads_the_one_at_the_name(
        path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    filled(path, 2)
    aside = path.with_name("old.journal")
    _move_aside_while_waiting(monkeypatch, path, aside)
    assert Journal(path, KEY).read() == JournalContents([], False)
    assert len(Journal(aside, KEY).read().records) == 2


def test_a_journal_moved_at_every_open_gives_up_with_a_typed_error(
        path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    filled(path, 1)
    real_lock = Journal._lock

    def lock(self: Journal, fd: int, kind: int) -> None:
        os.rename(path, path.with_name("moved"))
        real_lock(self, fd, kind)

    monkeypatch.setattr(Journal, "_lock", lock)
    with pytest.raises(VaultIOError, match="keeps being moved or replaced"):
        Journal(path, KEY).append(ORDER)


def _tag_end_zero_record(header: bytes, cipher: AESGCM) -> tuple[bytes, int]:
    """Record 1 whose tag ends in a zero byte exactly one byte past a multiple of 512
    (on a format without a trailer that is the end of the file)."""
    trailer = getattr(fmt, "TRAILER", b"")
    base = {"state": "PENDING", "cid": "abc", "pad": ""}
    bare = len(fmt.seal_record(cipher, header, 1, fmt.encode_record(base))) - len(trailer)
    pad = (fmt.BLOCK + 1 - fmt.HEADER_LENGTH - bare) % fmt.BLOCK
    plaintext = fmt.encode_record({**base, "pad": "x" * pad})
    for i in range(100_000):
        nonce = i.to_bytes(fmt.NONCE_LENGTH, "big")
        sealed = fmt.seal_record(cipher, header, 1, plaintext, nonce)
        if sealed[-1 - len(trailer)] == 0:
            return sealed, len(trailer)
    raise AssertionError("no nonce found")


def test_a_flipped_bit_in_a_last_record_ending_past_a_block_boundary_is_damage(
        path: Path) -> None:
    """r1 #3: the last record's final tag byte was 0 one byte past a multiple of 512, so
    a flipped bit read as a zero-filled torn tail and the next append dropped a durable
    record. Now every record ends with a non-zero trailer byte."""
    header = fmt.new_header(KEY)
    cipher = fmt.check_header(header, KEY, "test")
    sealed, trailer = _tag_end_zero_record(header, cipher)
    data = bytearray(header + sealed)
    assert (len(data) - trailer) % fmt.BLOCK == 1 and data[-1 - trailer] == 0
    path.write_bytes(bytes(data))
    path.chmod(0o600)
    assert len(Journal(path, KEY).read().records) == 1
    data[200] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(RecordDamaged, match="fails authentication") as caught:
        Journal(path, KEY).read()
    assert caught.value.record == 1
    with pytest.raises(RecordDamaged):
        Journal(path, KEY).append({"state": "NEW"})
    assert path.read_bytes() == bytes(data)


def test_every_record_ends_with_the_trailer_so_no_whole_journal_ends_in_zero(
        path: Path) -> None:
    journal = Journal(path, KEY)
    for size in range(300):
        journal.append({"p": "x" * size})
        assert path.read_bytes()[-1:] == fmt.TRAILER != b"\0"
    assert [end - start for start, end in spans(path.read_bytes())][:2] == [
        fmt.RECORD_OVERHEAD + len(b'{"p":""}') + fmt.TAG_LENGTH + 1,
        fmt.RECORD_OVERHEAD + len(b'{"p":"x"}') + fmt.TAG_LENGTH + 1]


def test_a_last_record_with_its_trailer_zeroed_at_a_block_boundary_is_torn(
        path: Path) -> None:
    """The trailer is the one byte that tells an unfinished write: zeros from a block
    boundary that cover it are a torn tail; a wrong non-zero trailer is damage."""
    journal = filled(path, 1)
    start = path.stat().st_size
    pad = (-(start + fmt.RECORD_OVERHEAD + len(b'{"p":""}') + fmt.TAG_LENGTH + 1)
           % fmt.BLOCK) + 1  # the trailer sits at a multiple of 512
    journal.append({"p": "x" * pad})
    data = path.read_bytes()
    assert (len(data) - 1) % fmt.BLOCK == 0
    path.write_bytes(data[:-1] + b"\0")
    contents = Journal(path, KEY).read()
    assert contents.torn_tail and data_of(contents) == records(1)
    path.write_bytes(data[:-1] + b"\x0b")
    with pytest.raises(RecordDamaged, match="trailer") as caught:
        Journal(path, KEY).read()
    assert caught.value.record == 2
    middle = filled(path.with_name("m.journal"), 3).path
    whole = middle.read_bytes()
    end = spans(whole)[1][1]
    middle.write_bytes(whole[:end - 1] + b"\0" + whole[end:])
    with pytest.raises(RecordDamaged, match="trailer") as caught:
        Journal(middle, KEY).read()
    assert caught.value.record == 2


def test_a_journal_put_back_shorter_is_refused_by_a_process_that_saw_more(
        path: Path, tmp_path: Path) -> None:
    """r1 #4: a backup restored over the journal (same inode) must not make the next
    append reuse the numbers of records, and orders, seen before."""
    journal = filled(path, 1)
    backup = tmp_path / "backup"
    shutil.copyfile(path, backup)
    journal.append({"cid": "B", "state": "PENDING"})
    journal.append({"cid": "B", "state": "UNKNOWN"})
    restored = backup.read_bytes()
    shutil.copyfile(backup, path)
    for action in (lambda: journal.append({"cid": "C"}), journal.read):
        with pytest.raises(JournalDamaged, match="no longer holds records 2 to 3 seen "
                                                 "earlier") as caught:
            action()
        assert "Keep the file" in str(caught.value)
    assert path.read_bytes() == restored
    assert Journal(path, KEY).append({"cid": "C"}) == 2  # 9.7: a new process cannot know


def test_a_journal_replaced_by_an_older_copy_under_a_new_inode_is_refused(
        path: Path, tmp_path: Path) -> None:
    journal = filled(path, 2)
    backup = tmp_path / "backup"
    shutil.copyfile(path, backup)
    journal.append(ORDER)
    os.replace(backup, path)
    with pytest.raises(JournalDamaged, match="no longer holds record 3 seen earlier"):
        journal.append({"cid": "C"})
    assert len(Journal(path, KEY).read().records) == 2


def test_an_older_copy_grown_to_the_same_size_by_another_process_is_refused(
        path: Path, tmp_path: Path) -> None:
    """Same inode, same size, same numbers: only the last record seen is not there."""
    journal = filled(path, 2)
    backup = tmp_path / "backup"
    shutil.copyfile(path, backup)
    journal.append({"cid": "B"})
    seen = path.read_bytes()
    shutil.copyfile(backup, path)
    Journal(path, KEY).append({"cid": "X"})
    assert path.stat().st_size == len(seen)
    with pytest.raises(JournalDamaged, match="no longer holds record 3 seen earlier"):
        journal.append({"cid": "C"})


def test_the_same_journal_copied_back_whole_is_not_a_rollback(
        path: Path, tmp_path: Path) -> None:
    journal = filled(path, 2)
    copy = tmp_path / "copy"
    shutil.copy2(path, copy)
    os.replace(copy, path)  # another inode, the same records
    assert journal.append(ORDER) == 3
    Journal(path, KEY).append(ORDER)
    assert journal.append(ORDER) == 5


def test_a_short_write_of_the_header_still_creates_a_whole_journal(
        path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """r1 #10: os.write may write less than asked; the header must still be whole."""
    real_write = os.write

    def short_write(fd: int, data: Any) -> int:
        return real_write(fd, bytes(data)[:7])

    monkeypatch.setattr(os, "write", short_write)
    assert Journal(path, KEY).append(ORDER) == 1
    monkeypatch.setattr(os, "write", real_write)
    assert data_of(Journal(path, KEY).read()) == [ORDER]


def test_a_creator_that_loses_the_race_still_flushes_the_folder(
        path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_link = os.link
    flushed: list[Path] = []
    real_flush = journal_module._fsync_folder

    def flush(folder: Path) -> None:
        flushed.append(folder)
        real_flush(folder)

    def racing_link(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        monkeypatch.setattr(os, "link", real_link)
        Journal(path, KEY).append({"event": "the winner"})  # another process wins
        flushed.clear()
        real_link(src, dst, *args, **kwargs)  # FileExistsError

    monkeypatch.setattr(journal_module, "_fsync_folder", flush)
    monkeypatch.setattr(os, "link", racing_link)
    assert Journal(path, KEY).append(ORDER) == 2
    assert flushed == [path.parent]
    assert [p.name for p in path.parent.iterdir() if "journal" in p.name] == [path.name]


def test_an_append_makes_a_loosened_journal_private_again(path: Path) -> None:
    filled(path, 1)
    path.chmod(0o644)
    Journal(path, KEY).read()
    assert stat.S_IMODE(path.stat().st_mode) == 0o644  # a read changes nothing
    assert Journal(path, KEY).append(ORDER) == 2
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_temp_files_of_killed_creators_are_removed_and_live_ones_kept(path: Path) -> None:
    prefix = f".{path.name}.tmp-"
    dead = path.with_name(prefix + "00dead00dead")
    dead.write_bytes(fmt.new_header(KEY))  # killed after writing, before linking
    live = path.with_name(prefix + "11live11live")
    live.write_bytes(fmt.new_header(KEY))
    starting = path.with_name(prefix + "22just22made")
    starting.write_bytes(b"")  # a creator between creating and locking its temp
    fd = os.open(live, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # a live creator holds its temp locked
        assert Journal(path, KEY).append(ORDER) == 1
    finally:
        os.close(fd)
    assert sorted(p.name for p in path.parent.iterdir() if "journal" in p.name) == sorted(
        [path.name, live.name, starting.name])


def test_no_message_advises_moving_the_journal_aside_without_keeping_it(
        path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Moving the journal aside forgets the orders whose state is unknown: a message that
    mentions it says to keep the file and to check those orders first."""
    filled(path, 2)
    messages = []
    with pytest.raises(JournalDamaged) as wrong_key:
        Journal(path, bytes(32)).read()
    messages.append(str(wrong_key.value))
    monkeypatch.setattr(fmt, "MAX_JOURNAL_SIZE", path.stat().st_size + 10)
    with pytest.raises(VaultWriteError) as full:
        Journal(path, KEY).append(ORDER)
    messages.append(str(full.value))
    for message in messages:
        assert "Keep the file" in message, message
        assert "check" in message and "orders" in message, message


class FsyncCounter:
    """Counts the journal's fsyncs (of files, not folders)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = os.fsync

        def fsync(fd: int) -> None:
            self.count += 1
            real(fd)

        monkeypatch.setattr(journal_module.os, "fsync", fsync)


def test_a_lazy_append_skips_the_fsync_only_right_after_a_durable_one(
        path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    journal = filled(path, 1)  # the last record is durable: this object fsynced it
    fsyncs = FsyncCounter(monkeypatch)
    assert journal.append({"n": 2}, sync=False) == 2
    assert fsyncs.count == 0  # an order's answer after its durable PENDING
    # A second lazy record in a row would leave two records that are not durable:
    # it is fsynced (which makes the first durable too).
    assert journal.append({"n": 3}, sync=False) == 3
    assert fsyncs.count == 1
    assert journal.append({"n": 4}, sync=False) == 4
    assert fsyncs.count == 1
    # Another writer (another process) does not know what is durable: it fsyncs.
    other = Journal(path, KEY)
    assert other.append({"n": 5}, sync=False) == 5
    assert fsyncs.count == 2
    # After another writer's record, this one's last fsync no longer ends the file.
    assert journal.append({"n": 6}, sync=False) == 6
    assert fsyncs.count == 3
    assert journal.append({"n": 7}) == 7  # the default stays durable
    assert fsyncs.count == 4
    assert [r.data["n"] for r in Journal(path, KEY).read().records] == \
        [r["n"] for r in records(1)] + [2, 3, 4, 5, 6, 7]


def test_a_lost_lazy_record_is_a_torn_tail_that_keeps_the_durable_ones(path: Path) -> None:
    journal = filled(path, 2)
    durable = path.stat().st_size
    journal.append({"answer": True}, sync=False)
    with open(path, "r+b") as file:  # a power cut kept only part of the lazy record
        file.truncate(durable + 10)
    contents = Journal(path, KEY).read()
    assert contents.torn_tail and [r.seq for r in contents.records] == [1, 2]


# --- append_if_absent -------------------------------------------------------------------

def test_append_if_absent_writes_a_client_id_once_across_objects(path: Path) -> None:
    first, second = Journal(path, KEY), Journal(path, KEY)
    assert first.append_if_absent(ORDER, key="client_order_id") == 1
    assert first.append_if_absent(ORDER, key="client_order_id") is None
    # Another object (another process) that never read the journal is refused too.
    assert second.append_if_absent({**ORDER, "n": 2}, key="client_order_id") is None
    assert second.append_if_absent({**ORDER, "client_order_id": "va-8"},
                                   key="client_order_id") == 2
    # ... and the first object learns of the other's record under its lock.
    assert first.append_if_absent({**ORDER, "client_order_id": "va-8"},
                                  key="client_order_id") is None
    assert [r["client_order_id"] for r in data_of(Journal(path, KEY).read())] == \
        ["va-7", "va-8"]


def test_append_if_absent_counts_records_appended_plainly(path: Path) -> None:
    journal = filled(path, 2)  # va-7, appended without the check
    assert journal.append_if_absent(ORDER, key="client_order_id") is None
    assert len(Journal(path, KEY).read().records) == 2


def test_append_if_absent_needs_the_field(path: Path) -> None:
    with pytest.raises(ValueError, match="client_order_id"):
        Journal(path, KEY).append_if_absent({"event": "x"}, key="client_order_id")
    assert not path.exists()


def test_threads_racing_to_append_one_client_id_write_it_once(path: Path) -> None:
    results: list[int | None] = []
    journals = [Journal(path, KEY) for _ in range(8)]
    threads = [threading.Thread(target=lambda j=j: results.append(
        j.append_if_absent(ORDER, key="client_order_id"))) for j in journals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results, key=lambda r: r is None) == [1] + [None] * 7
    assert len(Journal(path, KEY).read().records) == 1


def test_create_with_writes_every_record_in_one_new_journal(path: Path) -> None:
    records = [{"kind": "note", "n": n} for n in range(50)]
    journal = Journal(path, KEY)
    assert journal.create_with(records)
    contents = Journal(path, KEY).read()
    assert [r.data for r in contents.records] == records
    assert [r.seq for r in contents.records] == list(range(1, 51))
    assert not contents.torn_tail
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert not [p for p in path.parent.iterdir() if ".tmp-" in p.name]  # no temp left
    assert journal.append({"kind": "note", "n": 50}) == 51  # appends follow on


def test_create_with_never_touches_a_journal_already_there(path: Path) -> None:
    Journal(path, KEY).append({"kind": "note", "n": 0})
    before = path.read_bytes()
    assert not Journal(path, KEY).create_with([{"kind": "note", "n": 1}])
    assert path.read_bytes() == before


def test_create_with_a_refused_record_writes_nothing(path: Path) -> None:
    with pytest.raises(RecordRefused):
        Journal(path, KEY).create_with([{"kind": "note"}, {"x": float("nan")}])
    assert not path.exists()
    assert not [p for p in path.parent.iterdir() if ".tmp-" in p.name]
