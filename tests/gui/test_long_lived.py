"""``freeze_once``: the objects alive at a moment leave the collector's sight, once per
moment (a second freeze at the same moment would keep freezing later garbage)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from vault_app.gui import long_lived


@pytest.fixture(autouse=True)
def _unfrozen(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(long_lived, "_frozen", set())
    yield
    gc.unfreeze()


def test_each_moment_freezes_once_and_later_objects_stay_collectable() -> None:
    gc.unfreeze()
    assert long_lived.freeze_once("exchange:binance") is True
    frozen = gc.get_freeze_count()
    assert frozen > 0
    assert long_lived.freeze_once("exchange:binance") is False
    later = [[] for _ in range(1000)]  # noqa: F841  (created after the freeze)
    assert gc.get_freeze_count() == frozen  # not frozen again
    assert long_lived.freeze_once("started") is True
    assert gc.get_freeze_count() >= frozen + 1000
