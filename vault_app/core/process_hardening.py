"""Keep secrets out of core dumps: called first by both front ends, before any password.

A crashed process would otherwise leave a core file holding the master password
and decrypted secrets. On Linux, as KeePassXC does, the process is marked not
dumpable (``prctl(PR_SET_DUMPABLE, 0)``, which also stops other processes of the
same user from attaching with ptrace or reading its memory through /proc) and
its core-size limit is set to 0, soft and hard, so neither this process nor a
child it starts can raise it again.

Hardening never stops start-up: a step that fails is reported in
``Hardening.problems`` for the front end to show.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

PR_GET_DUMPABLE = 3
PR_SET_DUMPABLE = 4


@dataclass(frozen=True)
class Hardening:
    """What ``harden_process`` did. ``problems`` are failures worth a warning;
    ``skipped`` says why a step does not apply on this platform."""

    dumpable_off: bool
    core_limit_zero: bool
    problems: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()


def _prctl(option: int, arg: int = 0) -> int:
    """Call libc's prctl; OSError if it fails or cannot be found."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    try:
        prctl = libc.prctl
    except AttributeError:
        raise OSError("libc has no prctl") from None
    prctl.restype = ctypes.c_int
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong,
                      ctypes.c_ulong]
    result = int(prctl(option, arg, 0, 0, 0))
    if result < 0:
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno))
    return result


def is_dumpable() -> bool | None:
    """This process's PR_GET_DUMPABLE; None where prctl does not exist."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return _prctl(PR_GET_DUMPABLE) != 0
    except OSError:
        return None


def harden_process() -> Hardening:
    """Turn core dumps (and same-user ptrace) off for this process. Never raises."""
    problems: list[str] = []
    skipped: list[str] = []
    dumpable_off = False
    if sys.platform.startswith("linux"):
        try:
            _prctl(PR_SET_DUMPABLE, 0)
            dumpable_off = True
        except (OSError, ValueError) as exc:
            problems.append(f"could not mark the process not dumpable ({exc})")
    else:
        skipped.append(f"prctl(PR_SET_DUMPABLE) exists only on Linux, not {sys.platform}")

    core_limit_zero = False
    try:
        import resource
    except ImportError:  # Windows: no core files, no RLIMIT_CORE
        skipped.append(f"no RLIMIT_CORE on {sys.platform}")
    else:
        try:
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            core_limit_zero = True
        except (OSError, ValueError) as exc:
            problems.append(f"could not set the core file size limit to 0 ({exc})")
    return Hardening(dumpable_off, core_limit_zero, tuple(problems), tuple(skipped))


def warning_text(result: Hardening) -> str | None:
    """One line for the user when a step failed, else None."""
    if not result.problems:
        return None
    return ("; ".join(result.problems)
            + ": if the app crashed, a core dump could hold the master password and secrets")
