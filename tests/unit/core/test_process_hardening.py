"""process_hardening: what it does (in a child process) and that it never stops start-up."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO
from vault_app.core import process_hardening
from vault_app.core.process_hardening import Hardening, harden_process, warning_text

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")


@linux_only
def test_harden_process_turns_dumpable_off_and_core_limit_to_zero() -> None:
    # In a child: the pytest process must keep its own limits.
    code = (
        "import resource\n"
        "from vault_app.core.process_hardening import harden_process, is_dumpable\n"
        "assert is_dumpable() is True\n"
        "result = harden_process()\n"
        "print(result.dumpable_off, result.core_limit_zero, result.problems, is_dumpable(),\n"
        "      resource.getrlimit(resource.RLIMIT_CORE))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=REPO, check=True, timeout=60).stdout
    assert out.strip() == "True True () False (0, 0)"


def test_a_failing_prctl_is_reported_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(option: int, arg: int = 0) -> int:
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(process_hardening, "_prctl", refuse)
    import resource

    monkeypatch.setattr(resource, "setrlimit", lambda *args: None)  # leave pytest's alone
    result = harden_process()
    assert not result.dumpable_off
    assert result.core_limit_zero
    assert "not dumpable" in result.problems[0]
    text = warning_text(result)
    assert text is not None and "core dump" in text and "Operation not permitted" in text


def test_other_systems_skip_prctl_with_a_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setattr(process_hardening, "_prctl", lambda *args: pytest.fail("called"))
    import resource

    monkeypatch.setattr(resource, "setrlimit", lambda *args: None)
    result = harden_process()
    assert not result.dumpable_off and result.problems == ()
    assert "only on Linux" in result.skipped[0]
    assert process_hardening.is_dumpable() is None
    assert warning_text(result) is None


def test_no_warning_when_everything_worked() -> None:
    assert warning_text(Hardening(dumpable_off=True, core_limit_zero=True)) is None
