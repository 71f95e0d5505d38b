"""Run one case through the app's own paths and classify what happened.

A case is a file. It is checked with ``inspect``, opened read-only (what
``list`` and ``show`` do) and read-write (what every change does) with the
password, listed by ``vault-app-cli list`` (in process, strict UTF-8 output),
and, if it opens, saved through the public API (``mark_used`` on
each entry of a small vault, on one of a large one, or ``add`` on an empty one)
into a copy and reopened. Outcomes:

- ``identical open``: it opens, both opens agree, and the reopened entries,
  meta and unknown keys equal the first open's (timestamps compared at whole
  seconds in UTC, and ``api_url`` only for ``custom``, the normalisations spec
  section 6.1 allows a writer);
- ``typed <Class>``: every path refuses with the same ``VaultError`` subclass;
- ``refused by cap``: the header passed the app's caps, but its KDF cost is
  above the fuzz's own cap, so the case was not run further (no 4 GiB KDF);
- ``BUG ...``: any other exception, paths that disagree, a save that fails
  after an open succeeded, a reopen that differs, a file that changed, or a case
  slower than ``SLOW_SECONDS``.
"""

from __future__ import annotations

import contextlib
import copy as copying
import io
import json
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.conftest import PASSWORD
from vault_app import cli
from vault_app.core import kdf as kdf_module
from vault_app.core.errors import VaultError
from vault_app.core.file_info import inspect
from vault_app.core.model import KeyEntry
from vault_app.core.vault import Vault

SLOW_SECONDS = 2.0
HANG_SECONDS = 60.0
FUZZ_MAX_MEMORY_KIB = 1024  # the fuzz's own KDF cap: far below the app's 4 GiB
FUZZ_MAX_WORK_KIB = 16 * 1024  # memory x iterations
USED_AT = datetime(2025, 6, 7, 8, 9, 10, tzinfo=UTC)
IDENTICAL = "identical open"
REFUSED_BY_CAP = "refused by cap"


class RefusedByCap(Exception):
    """The app would run this KDF; the fuzz does not (too slow or too large)."""


class CaseHung(BaseException):
    """A case ran past ``HANG_SECONDS``: interrupted so the run can go on."""


@dataclass(frozen=True)
class Result:
    outcome: str
    seconds: float
    detail: str = ""

    @property
    def is_bug(self) -> bool:
        return self.outcome.startswith("BUG")


@contextlib.contextmanager
def fuzz_patches() -> Iterator[None]:
    """Run Argon2 only for parameters under the fuzz cap; reuse the CLI's parser.

    The cap wraps the Argon2 call itself (``kdf.hash_secret_raw``), so every
    check the app makes before its KDF (the caps of spec 3.1, say) still runs
    first, in the app's order, whichever module calls ``derive_kek``.
    """
    real = getattr(kdf_module, "hash_secret_raw", None)
    if real is None:
        raise RuntimeError("the fuzz cannot cap the KDF: vault_app.core.kdf.hash_secret_raw "
                           "is gone; update tests/fuzz/outcome.py")

    def capped(secret: bytes, salt: bytes, time_cost: int, memory_cost: int,
               *args: Any, **kwargs: Any) -> bytes:
        if memory_cost > FUZZ_MAX_MEMORY_KIB or memory_cost * time_cost > FUZZ_MAX_WORK_KIB:
            raise RefusedByCap(f"Argon2id m={memory_cost} KiB, t={time_cost}")
        return real(secret, salt, time_cost, memory_cost, *args, **kwargs)

    # Building the CLI's argument parser takes 12 ms, most of a case: once is enough.
    build_parser = cli.build_parser
    parser = build_parser()
    kdf_module.hash_secret_raw = capped
    cli.build_parser = lambda: parser
    try:
        yield
    finally:
        kdf_module.hash_secret_raw = real
        cli.build_parser = build_parser


@contextlib.contextmanager
def hang_guard(seconds: float) -> Iterator[None]:
    """Interrupt a case that hangs: main thread only, and only if nobody else
    (pytest-timeout, say) uses SIGALRM; otherwise no guard."""
    if threading.current_thread() is not threading.main_thread() \
            or signal.getsignal(signal.SIGALRM) is not signal.SIG_DFL:
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise CaseHung()

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass(frozen=True)
class Step:
    """What one path did: ``value`` if it succeeded, else a verdict."""

    verdict: str  # "ok", "cap", "typed <Class>" or "BUG <Class> in <step>"
    value: Any = None
    detail: str = ""


def _step(name: str, action: Callable[[], Any]) -> Step:
    try:
        return Step("ok", action())
    except RefusedByCap as exc:
        return Step("cap", detail=str(exc))
    except VaultError as exc:
        return Step(f"typed {type(exc).__name__}", detail=str(exc)[:200])
    except Exception as exc:  # RecursionError, UnicodeEncodeError, MemoryError, ...
        return Step(f"BUG {type(exc).__name__} in {name}", detail=_describe(exc))


def _describe(exc: Exception) -> str:
    """The exception, short, without quoting the data (it may be a whole payload)."""
    if isinstance(exc, UnicodeError):
        return f"{type(exc).__name__}: {getattr(exc, 'reason', '')}"
    return f"{type(exc).__name__}: {str(exc)[:150]}"


def _ts(value: datetime | None) -> str | None:
    return None if value is None else value.replace(microsecond=0).isoformat()


def _entry(entry: KeyEntry) -> list[Any]:
    return [
        entry.id, entry.label, entry.exchange, dict(entry.credentials),
        list(entry.permissions), list(entry.ip_whitelist), entry.environment,
        entry.api_url if entry.environment == "custom" else None,
        _ts(entry.created_at), _ts(entry.rotated_at), _ts(entry.last_used_at),
        entry.rotate_days, entry.notes, list(entry.tags), dict(entry.extra),
        None if entry.max_notional is None else str(entry.max_notional),
    ]


LAST_USED = 10  # index of last_used_at in ``_entry``


def snapshot(vault: Vault) -> dict[str, Any]:
    """What a session sees: meta, unknown keys and every entry's fields."""
    meta = vault.meta
    return {"meta": [meta.id, _ts(meta.created_at), dict(meta.extra),
                     None if meta.journal_key is None else meta.journal_key.hex()],
            "entries": [_entry(e) for e in vault.entries]}


@contextlib.contextmanager
def _harness_depth() -> Iterator[None]:
    """Room for the harness's own comparisons of values the app accepted near its
    nesting limit; never active while the app's code runs."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20_000))
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)


def _same(a: Any, b: Any) -> bool:
    """Equal content; NaN equals NaN (the dump writes both as ``NaN``)."""
    def dump(value: Any) -> str:
        return json.dumps(value, sort_keys=True, ensure_ascii=True, default=repr)
    with _harness_depth():
        return dump(a) == dump(b)


ADDED = KeyEntry(id="fuzz-added-entry", label="fuzz added key", exchange="binance",
                 credentials={"apiKey": "fuzz-ak", "secret": "fuzz-sk"},
                 created_at=USED_AT, rotated_at=USED_AT)


def _save(copy: Path, first: dict[str, Any]) -> tuple[str, str]:
    """Open the copy, save one change, reopen: ("ok"|bug verdict, detail)."""
    opened = _step("open-for-save", lambda: Vault.open(copy, PASSWORD))
    if opened.verdict != "ok":
        return f"BUG open-for-save gave {opened.verdict}", opened.detail
    vault: Vault = opened.value
    with _harness_depth():
        expected = copying.deepcopy(first)
    entries = vault.entries
    if entries:  # every entry of a small vault, so that each one is encoded again
        targets = entries if len(entries) <= 3 else entries[len(entries) // 2:][:1]
        for target in targets:
            index = next(i for i, e in enumerate(entries) if e.id == target.id)
            saved = _step("save", lambda t=target: vault.mark_used(t.id, USED_AT))
            if saved.verdict != "ok":
                break
            if saved.value:  # False: a later use is on record, which must stay
                expected["entries"][index][LAST_USED] = _ts(USED_AT)
    else:
        expected["entries"].append(_entry(ADDED))
        saved = _step("save", lambda: vault.add(ADDED))
    if saved.verdict != "ok":
        return f"BUG save after open: {saved.verdict.removeprefix('BUG ')}", saved.detail
    reopened = _step("reopen", lambda: snapshot(Vault.open(copy, PASSWORD)))
    if reopened.verdict != "ok":
        return f"BUG reopen after save: {reopened.verdict.removeprefix('BUG ')}", \
            reopened.detail
    if not _same(reopened.value, expected):
        return "BUG reopen differs", _difference(reopened.value, expected)
    return "ok", ""


def _difference(got: dict[str, Any], want: dict[str, Any]) -> str:
    if not _same(got["meta"], want["meta"]):
        return f"meta {got['meta']!r:.150} != {want['meta']!r:.150}"
    if len(got["entries"]) != len(want["entries"]):
        return f"{len(got['entries'])} entries, expected {len(want['entries'])}"
    for a, b in zip(got["entries"], want["entries"], strict=True):
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            if not _same(x, y):
                return f"entry field {index}: {x!r:.100} != {y!r:.100}"
    return "content differs"


CLI_OK_EXITS = frozenset({0, 2, 3, 4, 5})


def _cli_list(path: Path, *options: str) -> tuple[int, str]:
    """``vault-app-cli list`` in process, printing to a strict UTF-8 stdout, as a
    terminal would: (exit status, stderr)."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    err = io.StringIO()
    code = cli.main(["--vault", str(path), "list", *options],
                    stdin=io.StringIO(PASSWORD + "\n"), stdout=out, stderr=err)
    return code, err.getvalue()


def _check_cli(path: Path, opens: bool) -> tuple[str, str] | None:
    """A bug verdict if ``list`` exits outside 0/2/3/4/5 or fails on a vault that opens."""
    for options in ((), ("--json",)):
        command = " ".join(("list", *options))
        code, err = _cli_list(path, *options)
        if code not in CLI_OK_EXITS:
            return f"BUG cli {command} exits {code}", err.strip()[-150:]
        if opens and code != 0:
            return f"BUG cli {command} fails on a vault that opens", err.strip()[-150:]
    return None


def _verdict(step: Step) -> str:
    return {"ok": IDENTICAL, "cap": REFUSED_BY_CAP}.get(step.verdict, step.verdict)


def _classify(data: bytes, work: Path) -> tuple[str, str]:
    case, copy = work / "case.vault", work / "copy.vault"
    for path in (case, copy):
        path.unlink(missing_ok=True)
        path.write_bytes(data)
    checked = _step("inspect", lambda: inspect(case))
    read_only = _step("open-read-only", lambda: snapshot(Vault.open(case, PASSWORD,
                                                                     read_only=True)))
    read_write = _step("open", lambda: snapshot(Vault.open(copy, PASSWORD)))
    for path in (case, copy):
        if path.read_bytes() != data:
            return "BUG file changed by inspect or open", path.name
    for step in (checked, read_only, read_write):
        if step.verdict.startswith("BUG"):
            return step.verdict, step.detail
    if read_only.verdict != "cap":
        cli_bug = _check_cli(case, opens=read_only.verdict == "ok")
        if cli_bug is not None:
            return cli_bug
    if read_only.verdict != read_write.verdict:
        return "BUG verdicts differ (read-only vs read-write)", \
            f"read-only: {_verdict(read_only)}; read-write: {_verdict(read_write)}"
    if checked.verdict != "ok" and checked.verdict != read_only.verdict:
        return "BUG verdicts differ (inspect vs open)", \
            f"inspect: {checked.verdict}; open: {_verdict(read_only)}"
    if read_only.verdict != "ok":
        return _verdict(read_only), read_only.detail
    if not _same(read_only.value, read_write.value):
        return "BUG read-only and read-write opens differ", \
            _difference(read_only.value, read_write.value)
    verdict, detail = _save(copy, read_write.value)
    return (IDENTICAL, "") if verdict == "ok" else (verdict, detail)


def run_case(data: bytes, work: Path, slow_seconds: float | None = SLOW_SECONDS) -> Result:
    """Classify one file. ``fuzz_patches`` must be active. ``slow_seconds=None``
    turns the speed verdict off (the test suite asserts no time)."""
    start = time.perf_counter()
    try:
        with hang_guard(HANG_SECONDS):
            outcome, detail = _classify(data, work)
    except CaseHung:
        outcome, detail = "BUG hang", f"interrupted after {HANG_SECONDS:g} s"
    except Exception as exc:  # the harness itself failed (say, comparing deep values)
        outcome, detail = f"BUG harness error {type(exc).__name__}", repr(exc)[:200]
    seconds = time.perf_counter() - start
    if slow_seconds is not None and seconds > slow_seconds and not outcome.startswith("BUG"):
        outcome, detail = "BUG slower than 2 s", f"{seconds:.2f} s; would be {outcome}"
    return Result(outcome, seconds, detail)
