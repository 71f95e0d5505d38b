"""Orders are not silently forgotten when the journal is changed behind the app's back:
moved aside, replaced by an older copy, or its key removed and added again. The next
``order place`` finds the exchange's orders of this app that the journal does not know
and refuses, with zero order POSTs, unless ``--ignore-foreign-orders``; ``remove``
refuses a key whose orders have an unknown outcome unless ``--force``. Real ccxt over
real HTTP to the demo exchange; the CLI as a subprocess."""

from __future__ import annotations

import shutil

from tests.conftest import PASSWORD
from tests.e2e.trading_support import Desk, demo, demo_entry, desk
from vault_app.core.vault import Vault
from vault_app.trading.journal import journal_path

__all__ = ["demo", "desk"]  # fixtures

PLACE = ("order", "place", "--key", "trader", "--symbol", "BTC/USDT", "--side", "buy",
         "--type", "limit", "--amount", "0.001", "--price", "30000", "--yes")


def place(desk: Desk, *extra: str) -> str:
    result = desk.cli(*PLACE, *extra)
    assert result.code == 0, result
    assert "Placed: OPEN" in result.out, result
    return result.out.split("client id ")[1].split()[0].rstrip(",")


def assert_refused(desk: Desk, *cids: str) -> None:
    posts = len(desk.order_posts())
    result = desk.cli(*PLACE)
    assert result.code == 1, result
    assert "does not know" in result.err and "--ignore-foreign-orders" in result.err
    assert "nothing was sent" in result.err and "Traceback" not in result.err
    for cid in cids:
        assert cid in result.err
    assert len(desk.order_posts()) == posts  # zero order POSTs


def test_a_journal_moved_aside_does_not_forget_the_orders(desk: Desk) -> None:
    cid = place(desk)
    journal = journal_path(desk.path)
    journal.rename(journal.with_name("moved-aside"))
    assert_refused(desk, cid)
    # The user checked the exchange and says so: the order goes.
    place(desk, "--ignore-foreign-orders")
    assert len(desk.order_posts()) == 2


def test_an_older_copy_of_the_journal_does_not_forget_the_orders(desk: Desk) -> None:
    place(desk)
    journal = journal_path(desk.path)
    older = journal.with_name("older-copy")
    shutil.copy2(journal, older)
    second = place(desk)
    shutil.copy2(older, journal)
    assert_refused(desk, second)


def test_a_key_removed_and_added_again_does_not_forget_its_unknown_order(
        desk: Desk) -> None:
    desk.demo.faults.drop_after_accept = 1  # the exchange takes it; the answer is lost
    dropped = desk.cli(*PLACE)
    assert dropped.code == 7, dropped
    # The journal has it as UNKNOWN: remove refuses to forget it ...
    refused = desk.cli("remove", "trader", "--yes")
    assert refused.code == 1, refused
    assert "unknown" in refused.err and "--force" in refused.err
    assert "Nothing removed" in refused.err
    assert any(e.label == "trader" for e in Vault.open(desk.path, PASSWORD).entries)
    # ... unless forced; then the same key is added again (a new entry id).
    assert desk.cli("remove", "trader", "--yes", "--force").code == 0
    vault = Vault.open(desk.path, PASSWORD)
    vault.add(demo_entry(desk.demo, "trader", desk.demo.trading_key, ("read", "trade")))
    [held] = desk.demo.orders_for(desk.demo.trading_key.api_key)  # the exchange has it
    posts = len(desk.order_posts())
    result = desk.cli(*PLACE)
    assert result.code == 1, result
    assert "does not know" in result.err and "nothing was sent" in result.err
    assert len(desk.order_posts()) == posts
    assert held.client_order_id in result.err


def test_remove_of_a_key_with_only_settled_orders_needs_no_force(desk: Desk) -> None:
    place(desk)
    result = desk.cli("remove", "trader", "--yes")
    assert result.code == 0, result

