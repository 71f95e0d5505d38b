"""Regenerate the order journal's test vectors (docs/vault-format.md, section 9.8).

    .venv/bin/python tests/vectors/journal/generate.py [OUTDIR]

writes one ``NAME.vector`` per scenario into OUTDIR (default: this folder) and
removes any other ``*.vector`` file there. Deterministic: the journal key is fixed
and every journal id and nonce is derived from the scenario's name, so running it
twice gives byte-identical files (``test_journal_vectors`` checks the committed ones).

Journals are built with ``vault_app.trading.journal_format``; the damaged and torn
scenarios then cut, swap or patch the bytes by hand.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from vault_app.trading import journal_format as fmt

HERE = Path(__file__).resolve().parent
KEY = bytes(range(32))
OTHER_KEY = bytes(range(100, 132))
HEADER = fmt.HEADER_LENGTH

RECORDS: list[dict[str, Any]] = [
    {"event": "pending", "client_order_id": "va-0001", "symbol": "BTC/USDT", "side": "buy",
     "type": "limit", "amount": "0.01", "price": "50000"},
    {"event": "open", "client_order_id": "va-0001", "order_id": "1001"},
    {"event": "filled", "client_order_id": "va-0001", "filled": "0.01",
     "note": "caf\u00e9 \u2713"},
]


def derived(name: str, label: str, size: int) -> bytes:
    return hashlib.sha256(f"{name}/{label}".encode()).digest()[:size]


class Builder:
    """A journal under construction, with deterministic ids and nonces."""

    def __init__(self, name: str, key: bytes = KEY, salt: str = "") -> None:
        self.name = name + salt
        self.journal_id = derived(self.name, "journal id", fmt.ID_LENGTH)
        self.header = fmt.new_header(key, self.journal_id,
                                     derived(self.name, "check nonce", fmt.NONCE_LENGTH))
        self.cipher = AESGCM(fmt.subkey(key, self.journal_id))
        self.records: list[bytes] = []

    def record(self, data: dict[str, Any] | bytes, seq: int | None = None) -> bytes:
        seq = len(self.records) + 1 if seq is None else seq
        plaintext = data if isinstance(data, bytes) else fmt.encode_record(data)
        return fmt.seal_record(self.cipher, self.header, seq, plaintext,
                               derived(self.name, f"nonce {seq}", fmt.NONCE_LENGTH))

    def add(self, *items: dict[str, Any]) -> Builder:
        for data in items:
            self.records.append(self.record(data))
        return self

    def bytes(self) -> bytes:
        return self.header + b"".join(self.records)


@dataclass(frozen=True)
class Scenario:
    expect: str
    comment: str
    data: bytes
    key: bytes = KEY
    records: list[list[Any]] | None = None
    torn: bool = False
    record: int | None = None


def ok(comment: str, data: bytes, count: int, *, torn: bool = False,
       records: list[dict[str, Any]] | None = None) -> Scenario:
    shown = [[seq, item] for seq, item in enumerate((records or RECORDS)[:count], 1)]
    return Scenario("success", comment, data, records=shown, torn=torn)


def bad(comment: str, data: bytes, record: int, key: bytes = KEY) -> Scenario:
    return Scenario("damaged", comment, data, key=key, record=record)


def sealed(name: str, *plaintexts: bytes) -> bytes:
    """A journal of records sealed from these exact plaintexts (not from ``encode_record``,
    which refuses what a reader would: the JSON scenarios of check 5.7)."""
    builder = Builder(name)
    for plaintext in plaintexts:
        builder.records.append(builder.record(plaintext))
    return builder.bytes()


def one_json(comment: str, plaintext: bytes) -> Callable[[str], Scenario]:
    """A journal of one record holding ``plaintext``, which spec 6.1 allows."""
    return lambda n: ok(comment, sealed(n, plaintext), 1, records=[json.loads(plaintext)])


def one_bad(comment: str, plaintext: bytes) -> Callable[[str], Scenario]:
    """A good record, then one holding ``plaintext``, which spec 6.1 forbids (check 5.7)."""
    return lambda n: bad(comment, sealed(n, fmt.encode_record(RECORDS[0]), plaintext), 2)


def deep(depth: int, inner: bytes = b"0", name: bytes = b"a") -> bytes:
    """A member ``name`` of the top-level object (depth 1) whose innermost value ``inner``
    is at ``depth``, inside ``depth - 2`` arrays."""
    arrays = depth - 2
    return b'"' + name + b'":' + b"[" * arrays + inner + b"]" * arrays


def deep_objects(depth: int) -> bytes:
    """A member "b" whose innermost value, an empty object, is at ``depth``."""
    objects = depth - 2
    return b'"b":' + b'{"b":' * objects + b"{}" + b"}" * objects


def flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]


def three(name: str) -> Builder:
    return Builder(name).add(*RECORDS)


def big_last(name: str) -> tuple[Builder, int]:
    """Two records, the second crossing a multiple of 512; return where it starts."""
    builder = Builder(name).add(RECORDS[0])
    big = {"event": "note", "text": "x" * 900}
    builder.records.append(builder.record(big))
    return builder, HEADER + len(builder.records[0])


def scenarios() -> dict[str, Callable[[str], Scenario]]:
    def torn_zero_block(name: str) -> Scenario:
        builder, start = big_last(name)
        data = builder.bytes()
        boundary = -(-(start + 40) // fmt.BLOCK) * fmt.BLOCK
        assert start + 28 < boundary < len(data)
        data = data[:boundary] + bytes(len(data) - boundary)
        return ok("a complete last record whose blocks from a multiple of 512 on are zeros, "
                  "its trailer too (a power cut before they were written; check 5.5)", data,
                  1, torn=True)

    def torn_head_zero_block(name: str) -> Scenario:
        builder = Builder(name).add(RECORDS[0])
        for size in range(1, 2 * fmt.BLOCK):  # a filler that puts record 3's head across 512
            filler = {"event": "note", "text": "y" * size}
            start = len(builder.bytes()) + len(builder.record(filler, seq=2))
            if start % fmt.BLOCK == fmt.BLOCK - 6:
                break
        builder.add(filler)
        data = builder.bytes() + builder.record(RECORDS[2])
        boundary = start + 6
        data = data[:boundary] + bytes(len(data) - boundary)
        return ok("the last record's head crosses a multiple of 512 and the file is zeros "
                  "from there (check 5.2)", data, 2, torn=True, records=[RECORDS[0], filler])

    def flipped_last_past_block(name: str) -> Scenario:
        builder = Builder(name).add(RECORDS[0])
        start = len(builder.bytes())
        base = {"event": "note", "text": ""}
        bare = len(builder.record(base))
        size = (fmt.BLOCK + 2 - (start + bare)) % fmt.BLOCK  # its tag ends 1 past 512
        plaintext = fmt.encode_record({"event": "note", "text": "p" * size})
        for i in range(100_000):  # a nonce whose tag ends in a zero byte
            nonce = derived(name, f"nonce 2 try {i}", fmt.NONCE_LENGTH)
            record = fmt.seal_record(builder.cipher, builder.header, 2, plaintext, nonce)
            if record[-2] == 0:
                break
        data = flip(builder.bytes() + record, start + 40)
        assert (len(data) - 2) % fmt.BLOCK == 0 and data[-2] == 0
        return bad("a byte of the last record's ciphertext flipped; its tag ends in a zero "
                   "byte one byte past a multiple of 512: the trailer after it keeps this "
                   "from reading as a zero-filled torn tail (check 5.6)", data, 2)

    def zeros_from(name: str, skip: int) -> bytes:
        """Three records, the last one's bytes from ``skip`` on zeros; no multiple of 512
        falls inside that run, so only a zero run from t + 16 can make it torn."""
        builder = three(name)
        data = builder.bytes()
        start = middle_offset(builder, 2) + skip
        assert start // fmt.BLOCK == (len(data) - 1) // fmt.BLOCK
        assert data[start - 1] != 0  # the run starts exactly at ``skip``
        return data[:start] + bytes(len(data) - start)

    def spliced(name: str) -> Scenario:
        ours, other = three(name), Builder(name, salt=" other")
        foreign = other.record(RECORDS[1], seq=2)
        return bad("record 2 comes from another journal under the same key (its head check "
                   "binds the other journal id)", ours.header + ours.records[0] + foreign
                   + ours.records[2], 2)

    def spliced_rechecked(name: str) -> Scenario:
        ours, other = three(name), Builder(name, salt=" other")
        foreign = bytearray(other.record(RECORDS[1], seq=2))
        foreign[12:16] = fmt.head_check(ours.header[:fmt.BOUND_LENGTH], bytes(foreign[:12]))
        return bad("record 2 comes from another journal, its head check recomputed: GCM "
                   "fails (another subkey, another bound header)", ours.header
                   + ours.records[0] + bytes(foreign) + ours.records[2], 2)

    def renumbered(name: str) -> Scenario:
        builder = three(name)
        swapped = []
        for raw, seq in ((builder.records[2], 2), (builder.records[1], 3)):
            head = raw[:4] + seq.to_bytes(8, "big")
            check = fmt.head_check(builder.header[:fmt.BOUND_LENGTH], head)
            swapped.append(head + check + raw[16:])
        return bad("records 2 and 3 swapped and renumbered, head checks recomputed: "
                   "GCM binds the number (check 5.6)",
                   builder.header + builder.records[0] + b"".join(swapped), 2)

    def middle_offset(builder: Builder, index: int) -> int:
        return HEADER + sum(len(r) for r in builder.records[:index])

    table: dict[str, Callable[[str], Scenario]] = {
        "success-empty": lambda n: ok("a header and no record", Builder(n).bytes(), 0),
        "success-one-record": lambda n: ok("one record", Builder(n).add(RECORDS[0]).bytes(), 1),
        "success-three-records": lambda n: ok("three records, one with non-ASCII text",
                                              three(n).bytes(), 3),
        "success-big-record": lambda n: ok(
            "a record crossing a multiple of 512", big_last(n)[0].bytes(), 2,
            records=[RECORDS[0], {"event": "note", "text": "x" * 900}]),
        "torn-head-cut": lambda n: ok(
            "10 bytes of a third record: its head cut short (check 5.1)",
            three(n).bytes()[:-len(three(n).records[2]) + 10], 2, torn=True),
        "torn-head-only": lambda n: ok(
            "the third record's 16-byte head and nothing more (check 5.4)",
            three(n).bytes()[:-len(three(n).records[2]) + 16], 2, torn=True),
        "torn-record-cut": lambda n: ok(
            "the third record without its last 5 bytes (check 5.4)", three(n).bytes()[:-5],
            2, torn=True),
        "torn-one-byte": lambda n: ok("one byte of a first record (check 5.1)",
                                      Builder(n).add(RECORDS[0]).bytes()[:HEADER + 1], 0,
                                      torn=True),
        "torn-zeros-short": lambda n: ok("3 zero bytes after two records (check 5.1)",
                                         three(n).bytes()[:-len(three(n).records[2])]
                                         + bytes(3), 2, torn=True),
        "torn-zeros-long": lambda n: ok("300 zero bytes after two records (check 5.2)",
                                        three(n).bytes()[:-len(three(n).records[2])]
                                        + bytes(300), 2, torn=True),
        "torn-zero-block": torn_zero_block,
        "torn-head-zero-block": torn_head_zero_block,
        "damaged-flipped-middle": lambda n: bad(
            "a byte of record 2's ciphertext flipped (check 5.6)",
            flip(three(n).bytes(), middle_offset(three(n), 1) + 40), 2),
        "damaged-flipped-last": lambda n: bad(
            "a byte of the last record's ciphertext flipped: a complete record that fails "
            "authentication is damage, not a torn tail (check 5.6)",
            flip(three(n).bytes(), len(three(n).bytes()) - 30), 3),
        "damaged-flipped-tag-last-byte": lambda n: bad(
            "the last byte of the last record's tag flipped (check 5.6)",
            flip(three(n).bytes(), len(three(n).bytes()) - 2), 3),
        "damaged-trailer-altered": lambda n: bad(
            "the last record's trailer is 0x0b, not 0x0a (check 5.5)",
            flip(three(n).bytes(), len(three(n).bytes()) - 1), 3),
        "damaged-trailer-zeroed": lambda n: bad(
            "the last record's trailer is zero, but not from a multiple of 512: damage, not "
            "a torn tail (check 5.5)", three(n).bytes()[:-1] + b"\0", 3),
        "torn-zeros-after-head": lambda n: ok(
            "the last record's whole length is there, but every byte after its 16-byte head "
            "is zero, with no multiple of 512 among them: a zero run from t + 16 "
            "(check 5.5)", zeros_from(n, 16), 2, torn=True),
        "damaged-zeros-after-nonce-byte": lambda n: bad(
            "the last record's bytes are zero from t + 17 to the end, with no multiple of "
            "512 among them: its nonce's first byte is still there, so not a zero run from "
            "t + 16: damage (check 5.5)", zeros_from(n, 17), 3),
        "damaged-trailer-middle": lambda n: bad(
            "record 2's trailer is zero: only the end of the file can be torn (check 5.5)",
            (lambda b: b.header + b.records[0] + b.records[1][:-1] + b"\0"
             + b.records[2])(three(n)), 2),
        "damaged-flipped-last-past-block": flipped_last_past_block,
        "damaged-flipped-nonce": lambda n: bad(
            "a byte of record 2's nonce flipped (check 5.6)",
            flip(three(n).bytes(), middle_offset(three(n), 1) + 20), 2),
        "damaged-length-flipped-middle": lambda n: bad(
            "record 2's length altered (check 5.2)",
            flip(three(n).bytes(), middle_offset(three(n), 1) + 3), 2),
        "damaged-length-flipped-last": lambda n: bad(
            "the last record's length altered: damage, not a record cut short (check 5.2)",
            flip(three(n).bytes(), middle_offset(three(n), 2) + 3), 3),
        "damaged-seq-flipped": lambda n: bad(
            "record 2's number altered (head check, check 5.2)",
            flip(three(n).bytes(), middle_offset(three(n), 1) + 11), 2),
        "damaged-swapped": lambda n: bad(
            "records 2 and 3 swapped (check 5.3)",
            (lambda b: b.header + b.records[0] + b.records[2] + b.records[1])(three(n)), 2),
        "damaged-dropped-middle": lambda n: bad(
            "record 2 removed (check 5.3)",
            (lambda b: b.header + b.records[0] + b.records[2])(three(n)), 2),
        "damaged-duplicated": lambda n: bad(
            "record 2 appears twice (check 5.3)",
            (lambda b: b.header + b.records[0] + b.records[1] + b.records[1]
             + b.records[2])(three(n)), 3),
        "damaged-renumbered": renumbered,
        "damaged-spliced": spliced,
        "damaged-spliced-rechecked": spliced_rechecked,
        "damaged-garbage-after-records": lambda n: bad(
            "40 non-zero bytes after the records: not a torn append (check 5.2)",
            three(n).bytes() + bytes(range(1, 41)), 4),
        "damaged-not-json": lambda n: bad(
            "a record that authenticates but is not JSON (check 5.7)",
            (lambda b: b.header + b.record(b"{not json"))(Builder(n)), 1),
        "damaged-not-object": lambda n: bad(
            "a record that authenticates but is a JSON array (check 5.7)",
            (lambda b: b.header + b.record(b"[1,2]"))(Builder(n)), 1),
        "damaged-duplicate-member": lambda n: bad(
            "a record with two members of one name (check 5.7)",
            (lambda b: b.header + b.record(b'{"a":1,"a":2}'))(Builder(n)), 1),
        "damaged-nan": lambda n: bad(
            "a record holding NaN (check 5.7)",
            (lambda b: b.header + b.record(b'{"a":NaN}'))(Builder(n)), 1),
        "success-depth-64": one_json(
            "values at depth 64, the deepest allowed: a number inside 62 arrays and an empty "
            "object inside 62 objects, in the top-level object (depth 1; check 5.7)",
            b"{" + deep(64) + b"," + deep_objects(64) + b"}"),
        "damaged-depth-65": one_bad(
            "record 2 holds a number at depth 65, inside 63 arrays: 64 brackets, one level "
            "too deep (check 5.7)", b"{" + deep(65) + b"}"),
        "damaged-depth-65-empty": one_bad(
            "record 2 holds an empty array at depth 65 (check 5.7)",
            b"{" + deep(65, b"[]") + b"}"),
        "success-number-64": one_json(
            "number tokens of 64 characters, the longest allowed: an integer (its sign "
            "counts) and a number with a fraction and an exponent (check 5.7)",
            b'{"i":-' + b"9" * 63 + b',"f":1.' + b"2" * 58 + b"e-10}"),
        "damaged-number-65": one_bad(
            "record 2 holds a number token of 65 characters, a minus and 64 digits "
            "(check 5.7)", b'{"i":-' + b"9" * 64 + b"}"),
        "damaged-number-65-fraction": one_bad(
            "record 2 holds a number token of 65 characters with a fraction (check 5.7)",
            b'{"f":1.' + b"2" * 63 + b"}"),
        "damaged-1e400": one_bad(
            "record 2 holds 1e400, not finite as an IEEE 754 double (check 5.7)",
            b'{"a":1e400}'),
        "damaged-bom": one_bad(
            "record 2 starts with a UTF-8 byte order mark (check 5.7)", b'\xef\xbb\xbf{"a":1}'),
        "success-surrogate-pair": one_json(
            "a string with a surrogate pair escape (U+1F600) and a name with one (check 5.7)",
            b'{"a":"\\ud83d\\ude00","\\udbff\\udfff":1}'),
        "damaged-lone-high-surrogate": one_bad(
            "record 2 holds a high surrogate escape not followed by a low one (check 5.7)",
            b'{"a":"x\\ud800y"}'),
        "damaged-lone-low-surrogate": one_bad(
            "record 2 has a member name holding a lone low surrogate escape (check 5.7)",
            b'{"\\udc00":1}'),
        "damaged-bad-utf8": one_bad(
            "record 2 holds the byte ff, never in UTF-8 (check 5.7)", b'{"a":"\xff"}'),
        "damaged-utf8-overlong": one_bad(
            "record 2 holds an overlong UTF-8 form of \"/\" (c0 af; check 5.7)",
            b'{"a":"\xc0\xaf"}'),
        "damaged-utf8-surrogate": one_bad(
            "record 2 holds an encoded surrogate (ed a0 80), not UTF-8 (check 5.7)",
            b'{"a":"\xed\xa0\x80"}'),
        "torn-zeros-longest": lambda n: ok(
            f"{fmt.MAX_RECORD:,} zero bytes after two records, as many as one record at "
            "most (check 5.2)", three(n).bytes()[:-len(three(n).records[2])]
            + bytes(fmt.MAX_RECORD), 2, torn=True),
        "damaged-zeros-too-long": lambda n: bad(
            f"{fmt.MAX_RECORD + 1:,} zero bytes after two records, more than one record: "
            "not a torn append (check 5.2)", three(n).bytes()[:-len(three(n).records[2])]
            + bytes(fmt.MAX_RECORD + 1), 3),
        "damaged-wrong-key": lambda n: bad(
            "three good records read with another key (check 4)", three(n).bytes(), 0,
            key=OTHER_KEY),
        "damaged-header-id-flipped": lambda n: bad(
            "a byte of the journal id flipped (check 4)", flip(three(n).bytes(), 12), 0),
        "damaged-version-2": lambda n: bad(
            "version 2: unsupported (check 3)", three(n).bytes()[:9] + b"\x02"
            + three(n).bytes()[10:], 0),
        "damaged-bad-magic": lambda n: bad("not a journal (check 1)",
                                           b"VAULTAPP" + three(n).bytes()[8:], 0),
        "damaged-empty-file": lambda n: bad("an empty file (check 1)", b"", 0),
        "damaged-header-cut": lambda n: bad("30 bytes of a header (check 2)",
                                            three(n).bytes()[:30], 0),
    }
    return table


def render(name: str, scenario: Scenario) -> str:
    lines = [f"expect: {scenario.expect}", f"key: {scenario.key.hex()}",
             f"comment: {scenario.comment}"]
    if scenario.expect == "success":
        lines.append("records: " + json.dumps(scenario.records, separators=(",", ":")))
        lines.append(f"torn: {'yes' if scenario.torn else 'no'}")
    else:
        lines.append(f"record: {scenario.record}")
    return "\n".join(lines) + "\n\n" + base64.encodebytes(scenario.data).decode("ascii")


def generate() -> dict[str, str]:
    return {name: render(name, make(name)) for name, make in scenarios().items()}


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else HERE
    out.mkdir(parents=True, exist_ok=True)
    files = generate()
    for stale in out.glob("*.vector"):
        if stale.stem not in files:
            stale.unlink()
    for name, text in files.items():
        (out / f"{name}.vector").write_text(text, encoding="ascii", newline="\n")
    print(f"wrote {len(files)} vectors to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
