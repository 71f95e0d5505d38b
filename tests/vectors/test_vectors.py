"""The test vectors of docs/vault-format.md, section 8, against two readers.

Every ``*.vector`` file here is run through vault_app (``unlock_bytes`` and
``schema.decode_payload``) and through ``independent_decrypt.py``, a decrypter
written from the spec alone. Both must reach the vector's expectation. The
committed files must be exactly what ``generate.py`` writes.
"""

from __future__ import annotations

import ast
import base64
import binascii
import hashlib
import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

import vault_app.core.kdf
from tests.conftest import PASSWORD, make_entry
from vault_app.core import schema
from vault_app.core.envelope import unlock_bytes
from vault_app.core.errors import (
    KdfParamsOutOfRange,
    NotAVaultFile,
    UnsupportedVersion,
    VaultDamaged,
    VaultError,
    WrongPassword,
)
from vault_app.core.vault import Vault

HERE = Path(__file__).resolve().parent
GENERATOR = HERE / "generate.py"
INDEPENDENT = HERE / "independent_decrypt.py"

HEADER_KEYS = frozenset({"expect", "password", "comment", "payload"})
ERRORS: dict[str, type[VaultError] | None] = {
    "success": None,
    "wrong password": WrongPassword,
    "damaged": VaultDamaged,
    "not a vault file": NotAVaultFile,
    "unsupported version": UnsupportedVersion,
    "kdf params out of range": KdfParamsOutOfRange,
}
EXIT_CODES = {"success": 0, "wrong password": 2, "damaged": 3, "not a vault file": 3,
              "unsupported version": 3, "kdf params out of range": 3}
# What independent_decrypt.py says on stderr for each expectation (its exit code 3 is shared).
MESSAGES = {"wrong password": "wrong password", "damaged": "damaged",
            "not a vault file": "not a vault file", "unsupported version": "unsupported version",
            "kdf params out of range": "KDF parameters out of range"}


class VectorFormatError(ValueError):
    pass


@dataclass(frozen=True)
class Vector:
    name: str
    expect: str
    password: str
    comment: str
    payload: str | None
    data: bytes


def parse_vector(text: str, name: str = "vector") -> Vector:
    """Read one .vector file strictly; any deviation from section 8 is an error."""
    head, sep, body = text.partition("\n\n")
    if not sep:
        raise VectorFormatError(f"{name}: no blank line after the header")
    fields: dict[str, str] = {}
    for line in head.split("\n"):
        key, colon, value = line.partition(": ")
        if not colon:
            raise VectorFormatError(f"{name}: header line is not 'key: value': {line!r}")
        if key not in HEADER_KEYS:
            raise VectorFormatError(f"{name}: unknown header key {key!r}")
        if key in fields:
            raise VectorFormatError(f"{name}: header key {key!r} given twice")
        fields[key] = value
    missing = {"expect", "password", "comment"} - fields.keys()
    if missing:
        raise VectorFormatError(f"{name}: missing header keys {sorted(missing)}")
    expect = fields["expect"]
    if expect not in ERRORS:
        raise VectorFormatError(f"{name}: unknown expectation {expect!r}")
    payload = fields.get("payload")
    if (payload is not None) != (expect == "success"):
        raise VectorFormatError(f"{name}: 'payload' is required for success and only then")
    if payload is not None and (len(payload) != 64 or payload != payload.lower()
                                or not all(c in "0123456789abcdef" for c in payload)):
        raise VectorFormatError(f"{name}: payload is not a hex SHA-256")
    password = json.loads(fields["password"])
    if not isinstance(password, str):
        raise VectorFormatError(f"{name}: password is not a JSON string")
    lines = body.split("\n")
    if lines[-1] != "" or any(len(line) > 76 for line in lines):
        raise VectorFormatError(f"{name}: base64 body is not wrapped at 76 columns")
    try:
        data = base64.b64decode("".join(lines), validate=True)
    except binascii.Error as exc:
        raise VectorFormatError(f"{name}: bad base64: {exc}") from None
    return Vector(name, expect, password, fields["comment"], payload, data)


def load(path: Path) -> Vector:
    return parse_vector(path.read_text(encoding="utf-8"), path.stem)


VECTOR_FILES = sorted(HERE.glob("*.vector"))
VECTOR_NAMES = [path.stem for path in VECTOR_FILES]


@pytest.fixture(scope="module")
def vectors() -> dict[str, Vector]:
    return {path.stem: load(path) for path in VECTOR_FILES}


def open_with_app(vector: Vector) -> tuple[bytes, schema.VaultMeta, list[schema.KeyEntry]]:
    """What ``Vault.open`` does, read-only or not: one decoder, one verdict."""
    _, _, plaintext = unlock_bytes(vector.data, vector.password)
    meta, entries = schema.decode_payload(plaintext)
    return plaintext, meta, entries


def run_independent(path: Path, password: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, str(INDEPENDENT), str(path)],
                          input=password.encode("utf-8") + b"\n", capture_output=True,
                          timeout=60, check=False)


def _kdf_must_not_run(*args: object, **kwargs: object) -> bytes:
    raise AssertionError("the KDF ran on a file whose parameters are out of range")


# --- the reader itself ----------------------------------------------------------------

GOOD = ('expect: success\npassword: "p\\u00e4ss"\ncomment: fine\npayload: '
        + "ab" * 32 + "\n\n" + base64.encodebytes(bytes(range(256)) * 2).decode())


def test_reader_accepts_a_well_formed_vector() -> None:
    vector = parse_vector(GOOD)
    assert (vector.expect, vector.password, vector.comment) == ("success", "päss", "fine")
    assert vector.payload == "ab" * 32
    assert vector.data == bytes(range(256)) * 2


@pytest.mark.parametrize("text", [
    GOOD.replace("comment: fine\n", "comment: fine\nsalt: 00\n"),
    GOOD.replace("comment: fine\n", "comment: fine\nExpect: success\n"),
    GOOD.replace("comment: fine\n", "comment: fine\nnote: extra\n"),
], ids=["salt", "capitalised-expect", "note"])
def test_reader_rejects_an_unknown_header_key(text: str) -> None:
    with pytest.raises(VectorFormatError, match="unknown header key"):
        parse_vector(text)


@pytest.mark.parametrize(("text", "match"), [
    (GOOD.replace("comment: fine\n", "comment: fine\ncomment: twice\n"), "given twice"),
    (GOOD.replace("expect: success", "expect: works"), "unknown expectation"),
    (GOOD.replace("expect: success", "expect: damaged"), "only then"),
    (GOOD.replace("payload: " + "ab" * 32 + "\n", ""), "only then"),
    (GOOD.replace("comment: fine\n", ""), "missing header keys"),
    (GOOD.replace("password: ", "password:"), "not 'key: value'"),
    (GOOD.replace('"p\\u00e4ss"', "42"), "not a JSON string"),
    (GOOD.replace("\n\n", "\n", 1), "no blank line|not 'key: value'"),
    (GOOD.partition("\n\n")[0] + "\n\n" + base64.b64encode(bytes(100)).decode() + "\n",
     "76 columns"),
    (GOOD[:-10] + "!" + GOOD[-9:], "bad base64"),
], ids=["duplicate", "bad-expect", "payload-on-failure", "no-payload", "no-comment",
        "no-space", "password-not-string", "no-blank-line", "unwrapped", "bad-base64"])
def test_reader_rejects_malformed_vectors(text: str, match: str) -> None:
    with pytest.raises(VectorFormatError, match=match):
        parse_vector(text)


# --- the committed vectors ------------------------------------------------------------


def test_vectors_cover_every_expectation(vectors: dict[str, Vector]) -> None:
    assert {vector.expect for vector in vectors.values()} == set(ERRORS)
    assert len(vectors) >= 30


def test_committed_vectors_are_what_the_generator_writes(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, str(GENERATOR), str(tmp_path)], capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    generated = {path.name: path.read_bytes() for path in tmp_path.glob("*.vector")}
    committed = {path.name: path.read_bytes() for path in VECTOR_FILES}
    assert sorted(generated) == sorted(committed)
    changed = [name for name in generated if generated[name] != committed[name]]
    assert changed == [], "regenerate with: .venv/bin/python tests/vectors/generate.py"


@pytest.mark.parametrize("name", VECTOR_NAMES)
def test_vault_app_reads_vector(name: str, vectors: dict[str, Vector],
                                monkeypatch: pytest.MonkeyPatch) -> None:
    vector = vectors[name]
    expected = ERRORS[vector.expect]
    if expected is None:
        plaintext, meta, entries = open_with_app(vector)
        assert hashlib.sha256(plaintext).hexdigest() == vector.payload
        document = json.loads(plaintext)
        assert meta.id == document["vault"]["id"]
        assert [entry.id for entry in entries] == [item["id"] for item in document["entries"]]
        return
    if expected is KdfParamsOutOfRange:
        monkeypatch.setattr(vault_app.core.kdf, "hash_secret_raw", _kdf_must_not_run)
    with pytest.raises(expected) as info:
        open_with_app(vector)
    assert type(info.value) is expected, f"{type(info.value).__name__}: {info.value}"


@pytest.mark.parametrize("name", VECTOR_NAMES)
def test_independent_decrypter_reads_vector(name: str, vectors: dict[str, Vector],
                                            tmp_path: Path) -> None:
    vector = vectors[name]
    path = tmp_path / f"{name}.vault"
    path.write_bytes(vector.data)
    proc = run_independent(path, vector.password)
    stderr = proc.stderr.decode("utf-8")
    assert proc.returncode == EXIT_CODES[vector.expect], stderr
    if vector.expect == "success":
        assert hashlib.sha256(proc.stdout).hexdigest() == vector.payload
        assert stderr == ""
    else:
        assert proc.stdout == b""
        assert stderr.count("\n") == 1 and MESSAGES[vector.expect] in stderr, stderr


def test_kdf_guard_is_effective(vectors: dict[str, Vector],
                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The monkeypatch used for the kdf vectors does intercept the KDF of vault_app."""
    monkeypatch.setattr(vault_app.core.kdf, "hash_secret_raw", _kdf_must_not_run)
    with pytest.raises(AssertionError, match="the KDF ran"):
        open_with_app(vectors["success-empty"])


# --- the independent decrypter ------------------------------------------------------


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "relative import"
            names.add((node.module or "").split(".")[0])
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in ("__import__", "exec", "eval"), node.func.id
    return names


def test_independent_decrypter_imports_only_stdlib_argon2_and_cryptography() -> None:
    modules = _imported_modules(INDEPENDENT)
    assert "argon2" in modules and "cryptography" in modules
    assert modules - {"argon2", "cryptography"} <= sys.stdlib_module_names, modules
    assert "importlib" not in modules


def test_independent_decrypter_opens_a_vault_made_by_the_app(
        new_vault: Callable[..., Vault], vault_path: Path) -> None:
    vault = new_vault()
    vault.add(make_entry(label="OKX ünïcode", exchange="okx",
                         credentials={"apiKey": "k1", "secret": "s1", "password": "pass 1"}))
    vault.add(make_entry(label="Binance sandbox", exchange="binance", environment="sandbox",
                         tags=("a", "b"), ip_whitelist=("10.0.0.0/8",)))
    vault.set_keep_versions(5)
    vault.set_history_days(45)
    vault.rotate(vault.find("OKX ünïcode").id, {"apiKey": "k2", "secret": "s2",
                                                "password": "pass 2"})
    proc = run_independent(vault_path, PASSWORD)
    assert proc.returncode == 0, proc.stderr
    reopened = Vault.open(vault_path, PASSWORD)
    assert json.loads(proc.stdout) == {
        "schema": schema.SCHEMA_VERSION,
        "vault": {"id": reopened.meta.id,
                  "created_at": reopened.meta.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                  "journal_key": base64.b64encode(vault.ensure_journal_key()).decode(),
                  "keep_versions": 5, "history_days": 45},
        "entries": [schema.entry_to_dict(entry) for entry in reopened.entries],
    }
    assert [item["label"] for item in json.loads(proc.stdout)["entries"]] == \
        ["OKX ünïcode", "Binance sandbox"]
    assert run_independent(vault_path, PASSWORD + " ").returncode == 2
