"""The journal vectors (spec 9.8): the committed files are what generate.py writes, and
``Journal`` and the independent reader (written from the spec alone) both reach each
vector's verdict: the same records, the same torn tail, the same failing record."""

from __future__ import annotations

import base64
import importlib.util
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.vectors.journal import generate
from vault_app.trading import journal_format as fmt
from vault_app.trading.errors import JournalDamaged
from vault_app.trading.journal import Journal, RecordDamaged

HERE = Path(__file__).resolve().parent
INDEPENDENT = HERE / "independent_read.py"
_spec = importlib.util.spec_from_file_location("independent_read", INDEPENDENT)
assert _spec is not None and _spec.loader is not None
independent: Any = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(independent)

KEYS = {"expect", "key", "comment", "records", "torn", "record"}
VECTOR_FILES = sorted(HERE.glob("*.vector"))


@dataclass(frozen=True)
class Vector:
    name: str
    expect: str
    key: bytes
    records: list[list[Any]] | None
    torn: bool | None
    record: int | None
    data: bytes


def parse(text: str, name: str) -> Vector:
    head, sep, body = text.partition("\n\n")
    assert sep, f"{name}: no blank line after the header"
    fields: dict[str, str] = {}
    for line in head.split("\n"):
        key, colon, value = line.partition(": ")
        assert colon and key in KEYS and key not in fields, f"{name}: bad line {line!r}"
        fields[key] = value
    expect = fields["expect"]
    assert expect in ("success", "damaged") and "comment" in fields, name
    success = expect == "success"
    assert {"records", "torn"} <= fields.keys() if success else "record" in fields, name
    assert not ({"records", "torn"} & fields.keys()) if not success \
        else "record" not in fields, name
    lines = body.split("\n")
    assert lines[-1] == "" and all(len(line) <= 76 for line in lines), name
    return Vector(
        name, expect, bytes.fromhex(fields["key"]),
        json.loads(fields["records"]) if success else None,
        {"yes": True, "no": False}[fields["torn"]] if success else None,
        int(fields["record"]) if not success else None,
        base64.b64decode("".join(lines), validate=True),
    )


def load(path: Path) -> Vector:
    return parse(path.read_text(encoding="ascii"), path.stem)


def test_the_committed_vectors_are_what_the_generator_writes() -> None:
    generated = generate.generate()
    assert sorted(generated) == sorted(path.stem for path in VECTOR_FILES)
    for path in VECTOR_FILES:
        assert path.read_text(encoding="ascii") == generated[path.stem], path.stem


def test_there_are_vectors_of_every_kind() -> None:
    names = [path.stem for path in VECTOR_FILES]
    for prefix, least in (("success-", 3), ("torn-", 6), ("damaged-", 15)):
        assert sum(name.startswith(prefix) for name in names) >= least, prefix


def app_verdict(path: Path, key: bytes) -> tuple[str, Any]:
    try:
        contents = Journal(path, key).read()
    except RecordDamaged as exc:
        return "damaged", exc.record
    except JournalDamaged:
        return "damaged", 0
    return "success", ([[r.seq, r.data] for r in contents.records], contents.torn_tail)


def independent_verdict(data: bytes, key: bytes) -> tuple[str, Any]:
    try:
        records, torn = independent.read(data, key)
    except independent.Damaged as exc:
        return "damaged", exc.record
    return "success", ([[seq, document] for seq, document in records], torn)


@pytest.mark.parametrize("path", VECTOR_FILES, ids=[path.stem for path in VECTOR_FILES])
def test_both_readers_reach_the_vectors_verdict(path: Path, tmp_path: Path) -> None:
    vector = load(path)
    journal = tmp_path / "v.vault.journal"
    journal.write_bytes(vector.data)
    expected = (vector.expect, vector.record if vector.expect == "damaged"
                else (vector.records, vector.torn))
    assert app_verdict(journal, vector.key) == expected
    assert independent_verdict(vector.data, vector.key) == expected


@pytest.mark.parametrize("path", VECTOR_FILES, ids=[path.stem for path in VECTOR_FILES])
def test_an_append_drops_a_torn_tail_and_refuses_damage(path: Path, tmp_path: Path) -> None:
    vector = load(path)
    journal = tmp_path / "v.vault.journal"
    journal.write_bytes(vector.data)
    if vector.expect == "damaged":
        with pytest.raises(JournalDamaged):
            Journal(journal, vector.key).append({"event": "after"})
        assert journal.read_bytes() == vector.data  # nothing written
        return
    assert vector.records is not None
    count = len(vector.records)
    assert Journal(journal, vector.key).append({"event": "after"}) == count + 1
    data = journal.read_bytes()
    # The torn bytes are gone; the whole records before them are kept byte for byte.
    kept = data[:-(fmt.RECORD_OVERHEAD + len(fmt.encode_record({"event": "after"}))
                   + fmt.TAG_LENGTH + len(fmt.TRAILER))]
    assert vector.data.startswith(kept)
    assert (kept == vector.data) == (not vector.torn)
    records, torn = independent.read(data, vector.key)
    assert not torn
    assert [[seq, doc] for seq, doc in records] == [*vector.records, [count + 1,
                                                                      {"event": "after"}]]


def test_the_independent_reader_runs_as_a_program(tmp_path: Path) -> None:
    vector = load(HERE / "torn-record-cut.vector")
    path = tmp_path / "j"
    path.write_bytes(vector.data)
    done = subprocess.run([sys.executable, str(INDEPENDENT), str(path)],
                          input=vector.key.hex() + "\n", capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "torn tail"
    assert len(done.stdout.splitlines()) == 3
    damaged = load(HERE / "damaged-flipped-middle.vector")
    path.write_bytes(damaged.data)
    done = subprocess.run([sys.executable, str(INDEPENDENT), str(path)],
                          input=damaged.key.hex() + "\n", capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 3 and "record 2" in done.stderr
