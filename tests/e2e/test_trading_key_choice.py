"""``--key`` names one key or none: a label several keys answer to (``main`` and ``Main``,
or another key's id) is refused with their ids, and the preview names the key that signs.
The CLI as a subprocess against the demo exchange in a thread."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import FAST_KDF, PASSWORD
from tests.e2e.support import assert_fails, assert_ok
from tests.e2e.trading_support import Desk, demo, demo_entry, desk
from vault_app.core import storage
from vault_app.core.envelope import new_key_slot, seal
from vault_app.core.schema import VaultMeta, encode_payload
from vault_app.trading.demo_exchange import DemoExchange

__all__ = ["demo", "desk"]  # fixtures

LIMIT = ("--symbol", "BTC/USDT", "--side", "buy", "--type", "limit", "--amount", "0.01",
         "--price", "50000")


def test_labels_alike_but_for_case_are_refused_with_their_ids(
        demo: DemoExchange, vault_path: Path) -> None:
    # Another writer's file may hold both (spec 6.3); this app would not add them.
    main = demo_entry(demo, "main", demo.trading_key, ("read", "trade"))
    other = demo_entry(demo, "Main", demo.add_key(), ("read", "trade"))
    slot, dek = new_key_slot(PASSWORD, FAST_KDF)
    storage.atomic_write(vault_path, seal(slot, dek, encode_payload(VaultMeta(),
                                                                    [main, other])))
    desk = Desk(demo, None, vault_path)  # type: ignore[arg-type]  # the CLI needs no Vault
    for ref in ("MAIN", "main", "Main"):
        result = desk.cli("order", "place", "--key", ref, *LIMIT, "--yes")
        assert_fails(result, 1, "matches 2 keys", f"'main' (id {main.id})",
                     f"'Main' (id {other.id})", "pass the id")
    assert desk.demo.requests == []
    chosen = assert_ok(desk.cli("order", "preview", "--key", other.id, *LIMIT))
    assert "Key:       Main (binance, read, trade)" in chosen.out


def test_a_label_that_is_another_keys_id_is_refused(desk: Desk) -> None:
    watcher = desk.vault.find("watcher")
    impostor = desk.vault.add(demo_entry(desk.demo, watcher.id, desk.demo.add_key(),
                                         ("read", "trade")))
    result = desk.cli("balance", "--key", watcher.id)
    assert_fails(result, 1, "matches 2 keys", f"(id {watcher.id})", f"(id {impostor.id})")
    placed = desk.cli("order", "place", "--key", watcher.id, *LIMIT, "--yes")
    assert_fails(placed, 1, "matches 2 keys")
    assert desk.demo.requests == []
    assert_ok(desk.cli("balance", "--key", impostor.id))


def test_the_preview_names_the_key(desk: Desk) -> None:
    result = assert_ok(desk.cli("order", "preview", "--key", "TRADER", *LIMIT))
    assert "Key:       trader (binance, read, trade)" in result.out
    assert_fails(desk.cli("order", "preview", "--key", "nobody", *LIMIT), 1,
                 "no key labelled 'nobody'")
