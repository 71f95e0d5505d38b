"""Fuzz the vault reader: mutated files and hostile payloads sealed with a real key.

Run ``make fuzz`` (``FUZZ_ARGS`` passes options) or
``python -m tests.fuzz.fuzz_vault --files 20000 --payloads 20000 --seed 1``.
A run is deterministic given its seed: case ``payloads:45`` of seed 1 is the
same bytes on every machine, so ``--case payloads:45 --seed 1`` reproduces it.
Every case must be an identical open or a typed error (see ``outcome``); the
exit status is 1 if any case is a bug. ``--out`` receives the files of bugs.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.fuzz import corpus, file_mutations, payload_mutations
from tests.fuzz.cli_pass import CliCase, CliReport, run_cli_pass
from tests.fuzz.json_strict import why_not_strict
from tests.fuzz.jsontext import STYLES
from tests.fuzz.outcome import (
    IDENTICAL,
    REFUSED_BY_CAP,
    SLOW_SECONDS,
    Result,
    fuzz_patches,
    run_case,
)

KINDS = ("files", "payloads")
LAYOUTS = frozenset(STYLES) | {"checksum-recomputed"}
FILES_KEPT_PER_BUG = 5


@dataclass(frozen=True)
class Case:
    kind: str
    index: int
    mutation: str
    data: bytes = field(repr=False)
    plaintext: bytes | None = field(default=None, repr=False)  # payloads: before sealing


def make_case(seed: int, kind: str, index: int) -> Case:
    """Case ``index`` of ``kind`` for ``seed``: independent of every other case."""
    rng = random.Random(f"{seed}:{kind}:{index}")
    if kind == "files":
        mutation, data = file_mutations.generate(rng)
        return Case(kind, index, mutation, data)
    mutation, plaintext = payload_mutations.generate(rng)
    return Case(kind, index, mutation, corpus.seal(plaintext, rng.randbytes(12)), plaintext)


@dataclass
class Bug:
    count: int = 0
    examples: list[tuple[Case, Result]] = field(default_factory=list)
    mutations: Counter[str] = field(default_factory=Counter)


@dataclass
class Summary:
    seed: int
    counts: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    bugs: dict[str, Bug] = field(default_factory=lambda: defaultdict(Bug))
    slowest: tuple[float, str, str] = (0.0, "", "")
    cli: CliReport | None = None
    # Payloads opened although not strict RFC 8259 JSON: reason -> (count, first case).
    lenient: dict[str, list[Any]] = field(default_factory=dict)
    cli_candidates: list[CliCase] = field(default_factory=list)

    @property
    def bug_count(self) -> int:
        cli = len(self.cli.bugs) if self.cli else 0
        return sum(bug.count for bug in self.bugs.values()) + cli

    def add(self, case: Case, result: Result) -> None:
        self.counts[case.kind][result.outcome] += 1
        self.seconds[case.kind] += result.seconds
        name = f"{case.kind}:{case.index}"
        if result.seconds > self.slowest[0]:
            self.slowest = (result.seconds, name, f"{case.mutation} -> {result.outcome}")
        if case.plaintext is not None and result.outcome == IDENTICAL:
            reason = why_not_strict(case.plaintext)
            if reason:
                self.lenient.setdefault(reason, [0, name])[0] += 1
        if result.is_bug:
            bug = self.bugs[result.outcome]
            bug.count += 1
            bug.mutations.update(set(case.mutation.split("+")) - LAYOUTS)
            if len(bug.examples) < FILES_KEPT_PER_BUG:
                bug.examples.append((case, result))

    def reproducers(self) -> list[str]:
        """One line per bug class: count, first case, how to rerun it."""
        lines = []
        for outcome, bug in sorted(self.bugs.items(), key=lambda item: -item[1].count):
            case, result = bug.examples[0]
            top = ", ".join(f"{m} {n}" for m, n in bug.mutations.most_common(3))
            lines.append(f"{outcome}: {bug.count} cases ({top}); e.g. {case.kind}:{case.index} "
                         f"[{case.mutation[:80]}] {result.detail[:160]}")
            lines.append(f"    reproduce: python -m tests.fuzz.fuzz_vault --seed {self.seed} "
                         f"--case {case.kind}:{case.index}")
        if self.cli:
            seen: dict[str, list[tuple[str, str]]] = defaultdict(list)
            for what, name, detail in self.cli.bugs:
                seen[what].append((name, detail))
            for what, found in seen.items():
                lines.append(f"{what}: {len(found)} runs; e.g. {found[0][0]}: {found[0][1][:160]}")
                lines.append(f"    reproduce: python -m tests.fuzz.fuzz_vault --seed {self.seed} "
                             f"--case {found[0][0]} --cli 1")
        return lines


def run(seed: int, files: int, payloads: int, work: Path, *,
        only: Sequence[tuple[str, int]] = (), cli_sample: int = 0,
        slow_seconds: float | None = SLOW_SECONDS,
        progress: Callable[[str], None] | None = None) -> Summary:
    """Run the in-process fuzz (and the CLI pass over ``cli_sample`` cases)."""
    summary = Summary(seed)
    plan: Iterable[tuple[str, int]] = only or [
        *(("files", i) for i in range(files)), *(("payloads", i) for i in range(payloads))]
    uniform: list[CliCase] = []
    opened: list[CliCase] = []  # payloads that opened (or broke) in process: data is printed
    quota = max(1, cli_sample // 3)
    cli_every = {kind: max(1, (files if kind == "files" else payloads) // quota)
                 for kind in KINDS}
    with fuzz_patches():
        for done, (kind, index) in enumerate(plan, 1):
            case = make_case(seed, kind, index)
            result = run_case(case.data, work, slow_seconds)
            summary.add(case, result)
            if cli_sample:
                cli_case = CliCase(f"{kind}:{index}", case.data, result.outcome != REFUSED_BY_CAP)
                if only or index % cli_every[kind] == 0:
                    uniform.append(cli_case)
                elif kind == "payloads" and (result.outcome == IDENTICAL or result.is_bug):
                    opened.append(cli_case)
            if progress and done % 2000 == 0:
                progress(f"  {done} cases, {summary.bug_count} bugs so far")
    if cli_sample:
        # Two thirds spread over every case, one third over payloads that opened.
        uniform = uniform[: cli_sample - min(len(opened), cli_sample // 3)]
        step = max(1, len(opened) // max(1, cli_sample - len(uniform)))
        summary.cli_candidates = uniform + opened[::step][: cli_sample - len(uniform)]
        summary.cli = run_cli_pass(summary.cli_candidates, work)
    return summary


def save_findings(summary: Summary, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for bug in summary.bugs.values():
        for case, _ in bug.examples:
            stem = f"{case.kind}-seed{summary.seed}-{case.index}"
            written.append(out / f"{stem}.vault")
            written[-1].write_bytes(case.data)
            if case.plaintext is not None:
                (out / f"{stem}.payload").write_bytes(case.plaintext)
    return written


def report(summary: Summary, total: float) -> str:
    lines = [f"vault fuzz, seed {summary.seed}"]
    for kind in KINDS:
        counts = summary.counts.get(kind)
        if not counts:
            continue
        lines.append(f"{kind}: {sum(counts.values())} cases in {summary.seconds[kind]:.1f} s")
        for outcome, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            lines.append(f"  {count:7d}  {outcome}")
    seconds, name, what = summary.slowest
    lines.append(f"slowest case: {name} {seconds * 1000:.0f} ms ({what[:120]})")
    if summary.cli is not None:
        exits = ", ".join(f"{k} x{v}" for k, v in sorted(summary.cli.exits.items()))
        lines.append(f"CLI pass: {summary.cli.runs} runs over {len(summary.cli_candidates)} "
                     f"files; {exits}; {len(summary.cli.bugs)} bad runs")
    if summary.lenient:
        lines.append("opened though not strict JSON or RFC 3339 (information for spec section 6):")
        for reason, (count, name) in sorted(summary.lenient.items()):
            lines.append(f"  {count:7d}  {reason} (e.g. {name})")
    lines.append(f"total time: {total:.1f} s")
    if summary.bug_count:
        lines.append(f"BUGS: {summary.bug_count} ({len(summary.bugs)} classes in process"
                     f"{', plus the CLI pass' if summary.cli and summary.cli.bugs else ''})")
        lines.extend("  " + line for line in summary.reproducers())
    else:
        lines.append("no bugs: every case was an identical open or a typed error")
    return "\n".join(lines)


def _case(text: str) -> tuple[str, int]:
    kind, _, index = text.partition(":")
    if kind not in KINDS or not index.isdigit():
        raise argparse.ArgumentTypeError("expected files:N or payloads:N")
    return kind, int(index)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz.fuzz_vault",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=20_000, help="mutated files")
    parser.add_argument("--payloads", type=int, default=20_000, help="hostile payloads")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cli", type=int, default=300, metavar="N",
                        help="files for the CLI pass (list + inspect processes); 0: none")
    parser.add_argument("--case", type=_case, action="append", default=[],
                        metavar="KIND:N", help="run only this case (repeatable)")
    parser.add_argument("--out", type=Path, help="folder for the files of bug cases")
    args = parser.parse_args(argv)
    root = Path("/dev/shm") if Path("/dev/shm").is_dir() else None  # cheap fsyncs
    work = Path(tempfile.mkdtemp(prefix="vault-fuzz-", dir=root))
    start = time.perf_counter()
    try:
        summary = run(args.seed, args.files, args.payloads, work, only=args.case,
                      cli_sample=args.cli, progress=lambda text: print(text, flush=True))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(report(summary, time.perf_counter() - start))
    if args.out and summary.bugs:
        written = save_findings(summary, args.out)
        print(f"wrote {len(written)} bug files (password: the test password) to {args.out}")
    return 1 if summary.bug_count else 0


if __name__ == "__main__":
    sys.exit(main())
