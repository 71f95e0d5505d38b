"""Every single-byte flip and every truncation of a vault reads as *damaged*.

Each damaged copy is opened by the real CLI (``list``, password on stdin) in its
own process: exit 3, one readable error line, no traceback, nothing on stdout,
and the damaged file left exactly as it was (nobody "repairs" evidence).
"""

from __future__ import annotations

import hashlib
import re
import struct
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, REPO, make_entry
from tests.e2e.support import ERROR_PREFIX, child_env
from vault_app.core.vault import Vault
from vault_app.core.vault_format import HEADER_BASE

WORKERS = 2  # the machine has 2 cores
DAMAGE = re.compile(r"damaged|truncated|not a vault file", re.IGNORECASE)


@dataclass(frozen=True)
class Case:
    name: str
    data: bytes


@dataclass(frozen=True)
class Outcome:
    case: Case
    code: int
    out: str
    err: str
    left_intact: bool

    def problem(self) -> str | None:
        lines = self.err.splitlines()
        if "Traceback" in self.err or "Traceback" in self.out:
            return "traceback"
        if self.code != 3:
            return f"exit {self.code}"
        if len(lines) != 1 or not lines[0].startswith(ERROR_PREFIX):
            return "not one error line"
        if not DAMAGE.search(lines[0]):
            return "message does not say damaged / not a vault file"
        if self.out:
            return "printed to stdout"
        if not self.left_intact:
            return "the damaged file was changed"
        return None


@pytest.fixture
def sample(new_vault: Callable[..., Vault], vault_path: Path) -> bytes:
    """A small vault: one entry, fast KDF (about 640 bytes)."""
    vault = new_vault(0)
    vault.add(make_entry("k", "binance", credentials={"apiKey": "AK-0123456789",
                                                      "secret": "SK-9876543210"}))
    return vault_path.read_bytes()


def bit_flip_positions(original: bytes) -> set[int]:
    """The small integer fields, where one flipped bit may yield another plausible value:
    magic, version, KDF id, salt length, KDF parameters, and the payload length."""
    salt_len = original[11]
    payload_len_at = HEADER_BASE + salt_len - 8
    return set(range(24)) | set(range(payload_len_at, payload_len_at + 8))


def cases(original: bytes) -> list[Case]:
    """Every truncation, every byte inverted (xor 0xff), and one-bit flips of the fields."""
    result = [Case(f"truncated to {n} bytes", original[:n]) for n in range(len(original))]
    bit_flips = bit_flip_positions(original)
    for position in range(len(original)):
        for mask in (0xFF, 0x01) if position in bit_flips else (0xFF,):
            damaged = bytearray(original)
            damaged[position] ^= mask
            result.append(Case(f"byte {position} ^ {mask:#04x}", bytes(damaged)))
    return result


def run_list(case: Case, folder: Path, index: int) -> Outcome:
    path = folder / f"case-{index}.vault"
    path.write_bytes(case.data)
    proc = subprocess.run(
        [sys.executable, "-m", "vault_app.cli", "--vault", str(path), "list"],
        input=f"{PASSWORD}\n", capture_output=True, text=True, cwd=REPO, timeout=60,
        env=child_env(VAULT_APP_VAULT=str(folder / "not-this-one.vault")), check=False,
    )
    left_intact = path.read_bytes() == case.data
    path.unlink()
    return Outcome(case, proc.returncode, proc.stdout, proc.stderr, left_intact)


@pytest.mark.slow
@pytest.mark.timeout(1200)  # ~1,300 CLI runs: 60 s on a quiet machine, 300 s+ on a busy one
def test_every_flipped_byte_and_every_truncation_reads_as_damaged(
    sample: bytes, tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    todo = cases(sample)
    folder = tmp_path / "damaged"
    folder.mkdir()
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        outcomes = list(pool.map(run_list, todo, [folder] * len(todo), range(len(todo))))
    elapsed = time.monotonic() - started
    record_property("cases", len(todo))
    record_property("seconds", round(elapsed, 1))
    print(f"\n{len(todo)} damaged copies of a {len(sample)}-byte vault checked "
          f"in {elapsed:.1f} s with {WORKERS} workers")

    assert len(outcomes) == len(todo) == 2 * len(sample) + 32
    problems = [(o.case.name, o.problem(), o.code, o.err.strip()) for o in outcomes
                if o.problem() is not None]
    assert problems == [], f"{len(problems)} of {len(todo)} cases: {problems[:20]}"
    # No damaged copy may be mistaken for a wrong password (exit 2).
    assert all(o.code == 3 for o in outcomes)
    # Every category of message appears: the reader tells the cases apart.
    messages = " ".join(o.err for o in outcomes)
    for fragment in ("not a vault file", "truncated", "checksum does not match"):
        assert fragment in messages


def test_the_intact_sample_opens_and_a_wrong_password_exits_2(
    sample: bytes, tmp_path: Path
) -> None:
    folder = tmp_path / "intact"
    folder.mkdir()
    good = run_list(Case("intact", sample), folder, 0)
    assert (good.code, good.err) == (0, ""), good
    assert good.out.splitlines()[1].startswith("k ")

    path = folder / "sample.vault"
    path.write_bytes(sample)
    proc = subprocess.run(
        [sys.executable, "-m", "vault_app.cli", "--vault", str(path), "list"],
        input="not the password\n", capture_output=True, text=True, cwd=REPO, timeout=60,
        env=child_env(), check=False,
    )
    assert proc.returncode == 2, proc
    assert proc.stderr == f"{ERROR_PREFIX}wrong master password\n"
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""
    assert path.read_bytes() == sample


def rechecksummed(data: bytes, offset: int, new: bytes) -> bytes:
    """``data`` with bytes at ``offset`` replaced and the checksum recomputed: a
    deliberate edit, or a file from another version, rather than accidental damage."""
    body = bytearray(data[:-32])
    body[offset:offset + len(new)] = new
    return bytes(body) + hashlib.sha256(body).digest()


INVERT_1, INVERT_2 = -1, -2  # "invert this many bytes", for ciphertext


@pytest.mark.parametrize(("edit", "code", "fragment"), [
    pytest.param((8, b"\x00\x02"), 3, "vault format version 2 is not supported", id="version"),
    pytest.param((10, b"\x02"), 3, "unknown key-derivation function id 2", id="kdf-id"),
    pytest.param((11, b"\x08"), 3, "malformed header", id="salt-too-short"),
    pytest.param((12, struct.pack(">I", 0xFFFFFFFF)), 3, "refusing to run it", id="kdf-memory"),
    pytest.param((16, struct.pack(">I", 1000)), 3, "refusing to run it", id="kdf-iterations"),
    pytest.param((20, struct.pack(">I", 0)), 3, "refusing to run it", id="kdf-parallelism"),
    pytest.param((128, struct.pack(">Q", 1)), 3, "length does not match", id="payload-length"),
    # Ciphertext is random: invert its bytes rather than write a constant it may hold.
    pytest.param((200, INVERT_2), 3, "failed authentication", id="payload-bytes"),
    pytest.param((136 + 40, INVERT_1), 3, "failed authentication", id="payload-tail"),
    # The one case the format cannot tell apart (spec, section 5): a changed salt with
    # a recomputed checksum derives another KEK. Nothing is decrypted.
    pytest.param((30, b"\x00\x00\x00"), 2, "wrong master password", id="salt"),
])
def test_deliberate_edits_with_a_valid_checksum(
    sample: bytes, tmp_path: Path, edit: tuple[int, bytes | int], code: int, fragment: str
) -> None:
    offset, new_or_count = edit
    new = bytes(b ^ 0xFF for b in sample[offset:offset - new_or_count]) \
        if isinstance(new_or_count, int) else new_or_count
    assert sample[offset:offset + len(new)] != new
    data = rechecksummed(sample, offset, new)
    outcome = run_list(Case("crafted", data), tmp_path, 0)
    assert outcome.code == code, outcome
    assert outcome.err.startswith(ERROR_PREFIX), outcome
    assert fragment in outcome.err, outcome
    assert len(outcome.err.splitlines()) == 1
    assert "Traceback" not in outcome.err
    assert outcome.left_intact
