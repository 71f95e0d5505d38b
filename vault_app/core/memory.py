"""How much memory this process can still get, so the KDF is refused before it starts.

Argon2id allocates its whole memory cost at once. A file may ask for up to
4 GiB (spec 3.1); on a machine that cannot give it, the KDF would fail half-way.
``check_kdf_memory`` compares the cost with the tightest of the *hard* limits,
each read only where it exists (Linux):

- the process's ``RLIMIT_AS`` minus its address space in use (``VmSize``);
- its ``RLIMIT_DATA`` minus its data in use (``VmData``);
- its cgroup v2 ``memory.max`` minus what it really uses: ``memory.current``
  less the reclaimable page cache (``inactive_file`` in ``memory.stat``);
- the machine's ``MemTotal`` plus ``SwapFree``: more can never be had.

``MemAvailable`` is deliberately not a limit: it counts what the kernel can
hand out *without swapping*, and a browser left open takes most of it. Refusing
on it locked users out of their own vault where swapping would only have been
slow. Calibration, which chooses the cost of a new vault, stays well inside
physical memory instead (``calibration_cap_kib``: a quarter of ``MemTotal``).

Where none can be read (other systems), the check passes and a failed
allocation is still reported as ``KdfMemoryUnavailable`` by ``kdf.derive_kek``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from vault_app.core.errors import KdfMemoryUnavailable

# Left free beyond the KDF's own memory: the interpreter, the payload, Qt.
HEADROOM_KIB = 64 * 1024


@dataclass(frozen=True)
class MemoryLimit:
    available_kib: int
    source: str  # for the message, e.g. "the process's data-size limit, ulimit -d"


def _status_kib(text: str, name: str) -> int | None:
    for line in text.splitlines():
        if line.startswith(name + ":"):
            fields = line.split()
            if len(fields) >= 2 and fields[1].isdigit():
                return int(fields[1])
    return None


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="ascii", errors="replace")
    except OSError:
        return None


def _cgroup_dir(proc: Path, cgroup_root: Path) -> Path | None:
    text = _read(proc / "self" / "cgroup")
    if text is None:
        return None
    for line in text.splitlines():
        if line.startswith("0::"):  # the cgroup v2 hierarchy
            return cgroup_root / line[3:].strip().lstrip("/")
    return None


def _rlimit(name: str) -> int | None:
    try:
        import resource
    except ImportError:
        return None
    soft, _hard = resource.getrlimit(getattr(resource, name))
    return None if soft == resource.RLIM_INFINITY else soft


def memory_limits(proc: Path = Path("/proc"), cgroup_root: Path = Path("/sys/fs/cgroup"),
                  rlimit: Callable[[str], int | None] = _rlimit) -> list[MemoryLimit]:
    """Every hard limit that applies to this process, in KiB still free under it."""
    limits: list[MemoryLimit] = []
    status = _read(proc / "self" / "status") or ""
    for name, field, what in (("RLIMIT_AS", "VmSize", "address-space limit, ulimit -v"),
                              ("RLIMIT_DATA", "VmData", "data-size limit, ulimit -d")):
        limit = rlimit(name)
        if limit is not None:
            used = _status_kib(status, field) or 0
            limits.append(MemoryLimit(max(0, limit // 1024 - used), f"the process's {what}"))
    folder = _cgroup_dir(proc, cgroup_root)
    if folder is not None:
        maximum = (_read(folder / "memory.max") or "").strip()
        current = (_read(folder / "memory.current") or "").strip()
        if maximum.isdigit() and current.isdigit():
            cache = _stat_value(_read(folder / "memory.stat") or "", "inactive_file")
            used = max(0, int(current) - cache)  # page cache is dropped before an OOM
            free = max(0, int(maximum) - used) // 1024
            limits.append(MemoryLimit(free, "the control group's memory.max"))
    meminfo = _read(proc / "meminfo") or ""
    total = _status_kib(meminfo, "MemTotal")
    if total is not None:
        swap = _status_kib(meminfo, "SwapFree") or 0
        limits.append(MemoryLimit(total + swap, "the machine's memory and free swap"))
    return limits


def _stat_value(text: str, name: str) -> int:
    """A ``name value`` line of a cgroup ``memory.stat`` file, in bytes; 0 if absent."""
    for line in text.splitlines():
        fields = line.split()
        if len(fields) == 2 and fields[0] == name and fields[1].isdigit():
            return int(fields[1])
    return 0


def total_kib(proc: Path = Path("/proc")) -> int | None:
    """The machine's physical memory (``MemTotal``), or None where it cannot be read."""
    return _status_kib(_read(proc / "meminfo") or "", "MemTotal")


def calibration_cap_kib(proc: Path = Path("/proc")) -> int | None:
    """The most memory calibration may give a new vault's KDF: a quarter of MemTotal.

    A fixed share of the machine, not "what is free right now", so the vault
    still opens later with other programs running. None: no cap known.
    """
    total = total_kib(proc)
    return None if total is None else total // 4


def check_kdf_memory(memory_kib: int,
                     limits: Callable[[], list[MemoryLimit]] | None = None) -> None:
    """Raise KdfMemoryUnavailable unless ``memory_kib`` plus headroom fits every limit.

    ``limits`` defaults to ``memory_limits`` (looked up on each call, so a test
    can replace it).
    """
    needed = memory_kib + HEADROOM_KIB
    for limit in (limits or memory_limits)():
        if needed > limit.available_kib:
            raise KdfMemoryUnavailable(
                f"the key derivation (Argon2id) needs {_mib(memory_kib)} of memory "
                f"(plus {_mib(HEADROOM_KIB)} to spare), but only "
                f"{_mib(limit.available_kib)} is available ({limit.source}); close other "
                "programs, raise that limit or use a machine with more memory. Nothing was written",
                needed_kib=needed, available_kib=limit.available_kib,
            )


def _mib(kib: int) -> str:
    return f"{kib / 1024:.{1 if kib < 10 * 1024 else 0}f} MiB"


# What the dynamic loader says when it cannot map a shared object for want of
# memory (glibc's dlerror texts; the errno text is appended on some versions).
_LOADER_OUT_OF_MEMORY = ("failed to map segment from shared object",
                         "cannot map zero-fill pages", "cannot allocate memory")


def is_out_of_memory(exc: BaseException) -> bool:
    """True for a MemoryError, and for an ImportError of a C extension the loader
    could not map (the crypto libraries are imported lazily, when a vault is opened:
    under a tight ``ulimit -v`` that import is what fails first)."""
    if isinstance(exc, MemoryError):
        return True
    message = str(exc).lower()
    return isinstance(exc, ImportError) and any(s in message for s in _LOADER_OUT_OF_MEMORY)
