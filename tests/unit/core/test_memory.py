"""memory: the KDF is refused before it runs when the machine cannot give its memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from vault_app.core import kdf, memory
from vault_app.core.errors import KdfMemoryUnavailable
from vault_app.core.kdf import KdfParams, derive_kek
from vault_app.core.memory import HEADROOM_KIB, MemoryLimit, check_kdf_memory, memory_limits

GIB_KIB = 1024 * 1024
SALT = b"\x01" * 16


def fake_proc(root: Path, *, available_kib: int | None = 8 * GIB_KIB, vm_size_kib: int = 0,
              vm_data_kib: int = 0, cgroup: str | None = None,
              total_kib: int | None = 16 * GIB_KIB, swap_free_kib: int = 0) -> Path:
    proc = root / "proc"
    (proc / "self").mkdir(parents=True)
    meminfo = "MemFree:          500000 kB\n"
    if total_kib is not None:
        meminfo = f"MemTotal:       {total_kib} kB\n" + meminfo
    if available_kib is not None:
        meminfo += f"MemAvailable:   {available_kib} kB\n"
    meminfo += f"SwapTotal:       {swap_free_kib} kB\nSwapFree:       {swap_free_kib} kB\n"
    (proc / "meminfo").write_text(meminfo)
    (proc / "self" / "status").write_text(
        f"Name:\tpython\nVmSize:\t{vm_size_kib} kB\nVmData:\t{vm_data_kib} kB\n")
    if cgroup is not None:
        (proc / "self" / "cgroup").write_text(f"0::{cgroup}\n")
    return proc


def no_rlimits(name: str) -> int | None:
    return None


MACHINE = "the machine's memory and free swap"


def test_mem_available_is_no_limit_but_memory_plus_swap_is(tmp_path: Path) -> None:
    """A browser left open eats MemAvailable; refusing on it locked users out of their
    vault where swapping would only have been slow. Physical memory plus free swap is
    the most the KDF can ever get."""
    proc = fake_proc(tmp_path, available_kib=100 * 1024, total_kib=2 * GIB_KIB,
                     swap_free_kib=GIB_KIB)
    limits = memory_limits(proc, tmp_path / "cgroup", no_rlimits)
    assert limits == [MemoryLimit(3 * GIB_KIB, MACHINE)]
    check_kdf_memory(256 * 1024, lambda: limits)  # a default vault opens (it may swap)
    with pytest.raises(KdfMemoryUnavailable, match="free swap"):
        check_kdf_memory(3 * GIB_KIB, lambda: limits)


def test_rlimits_count_what_the_process_already_uses(tmp_path: Path) -> None:
    proc = fake_proc(tmp_path, vm_size_kib=300 * 1024, vm_data_kib=100 * 1024)
    rlimits = {"RLIMIT_AS": 1024 * 1024 * 1024, "RLIMIT_DATA": 512 * 1024 * 1024}
    limits = memory_limits(proc, tmp_path / "cgroup", rlimits.get)
    assert [limit.available_kib for limit in limits] == [724 * 1024, 412 * 1024, 16 * GIB_KIB]
    assert "ulimit -v" in limits[0].source and "ulimit -d" in limits[1].source


def test_cgroup_v2_memory_max_minus_current_minus_page_cache(tmp_path: Path) -> None:
    """memory.current counts page cache the kernel drops before it kills anyone."""
    proc = fake_proc(tmp_path, cgroup="/user.slice/app.scope")
    folder = tmp_path / "cgroup" / "user.slice" / "app.scope"
    folder.mkdir(parents=True)
    (folder / "memory.max").write_text(f"{2 * 1024**3}\n")
    (folder / "memory.current").write_text(f"{1536 * 1024**2}\n")
    (folder / "memory.stat").write_text(
        f"anon 1000\nfile {1100 * 1024**2}\ninactive_file {1024 * 1024**2}\n"
        f"active_file {76 * 1024**2}\n")
    limits = memory_limits(proc, tmp_path / "cgroup", no_rlimits)
    assert limits[0] == MemoryLimit(1536 * 1024, "the control group's memory.max")
    (folder / "memory.stat").unlink()  # unreadable: all of memory.current counts
    limits = memory_limits(proc, tmp_path / "cgroup", no_rlimits)
    assert limits[0] == MemoryLimit(512 * 1024, "the control group's memory.max")


def test_unlimited_cgroup_and_missing_files_are_no_limit(tmp_path: Path) -> None:
    proc = fake_proc(tmp_path, available_kib=None, total_kib=None, cgroup="/")
    (tmp_path / "cgroup").mkdir()
    (tmp_path / "cgroup" / "memory.max").write_text("max\n")
    assert memory_limits(proc, tmp_path / "cgroup", no_rlimits) == []
    assert memory_limits(tmp_path / "nowhere", tmp_path / "nowhere", no_rlimits) == []


def test_refuses_with_what_it_needs_and_what_is_free() -> None:
    limits = [MemoryLimit(8 * GIB_KIB, MACHINE),
              MemoryLimit(1 * GIB_KIB, "the process's address-space limit, ulimit -v")]
    with pytest.raises(KdfMemoryUnavailable) as caught:
        check_kdf_memory(4 * GIB_KIB, lambda: limits)
    message = str(caught.value)
    assert "needs 4096 MiB" in message and "only 1024 MiB is available" in message
    assert "ulimit -v" in message and "Nothing was written" in message
    assert caught.value.needed_kib == 4 * GIB_KIB + HEADROOM_KIB
    assert caught.value.available_kib == GIB_KIB


def test_headroom_is_kept() -> None:
    exact = [MemoryLimit(256 * 1024 + HEADROOM_KIB, "test")]
    check_kdf_memory(256 * 1024, lambda: exact)  # fits exactly
    with pytest.raises(KdfMemoryUnavailable):
        check_kdf_memory(256 * 1024 + 1, lambda: exact)


def test_derive_kek_refuses_before_running_the_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memory, "memory_limits",
                        lambda: [MemoryLimit(100 * 1024, "the control group's memory.max")])
    monkeypatch.setattr(kdf, "hash_secret_raw", lambda *a, **k: pytest.fail("KDF ran"))
    with pytest.raises(KdfMemoryUnavailable, match="needs 256 MiB"):
        derive_kek(PASSWORD, SALT, KdfParams.default())


@pytest.mark.parametrize("failure", [MemoryError(), kdf.HashingError("Memory allocation error")])
def test_a_failed_allocation_is_the_same_typed_error(
        monkeypatch: pytest.MonkeyPatch, failure: Exception) -> None:
    def fail(*args: object, **kwargs: object) -> bytes:
        raise failure

    monkeypatch.setattr(memory, "memory_limits", list)
    monkeypatch.setattr(kdf, "hash_secret_raw", fail)
    with pytest.raises(KdfMemoryUnavailable, match="could not get the 256 MiB"):
        derive_kek(PASSWORD, SALT, KdfParams.default())


def test_this_machine_is_read_without_error() -> None:
    for limit in memory_limits():
        assert limit.available_kib >= 0 and limit.source


def test_calibration_does_not_double_memory_beyond_a_hard_limit(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memory, "calibration_cap_kib", lambda: 64 * GIB_KIB)
    monkeypatch.setattr(memory, "memory_limits",
                        lambda: [MemoryLimit(400 * 1024, "the control group's memory.max")])
    params = kdf.calibrate(1.0, measure=lambda p: 0.1 * p.memory_kib / (256 * 1024))
    assert params.memory_kib == 256 * 1024  # 512 MiB would not fit in 400 MiB
    assert params.iterations > 3  # the time target is met with passes instead


def test_calibration_stays_within_a_quarter_of_the_machine(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Not "what is free right now": a vault made while the machine was idle must still
    open with a browser running. 2 GiB of RAM: at most 512 MiB, however fast it is."""
    proc = fake_proc(tmp_path, total_kib=2 * GIB_KIB, available_kib=2 * GIB_KIB)
    assert memory.calibration_cap_kib(proc) == 512 * 1024
    monkeypatch.setattr(memory, "calibration_cap_kib", lambda: memory.total_kib(proc) // 4)
    monkeypatch.setattr(memory, "memory_limits", list)
    params = kdf.calibrate(1.0, measure=lambda p: 0.05 * p.memory_kib / (256 * 1024))
    assert params.memory_kib == 512 * 1024


def test_no_calibration_cap_where_memtotal_is_unknown(tmp_path: Path) -> None:
    assert memory.calibration_cap_kib(tmp_path / "nowhere") is None
