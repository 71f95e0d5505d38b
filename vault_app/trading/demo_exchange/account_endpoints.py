"""What a key may read about its account: balances, rights, order history, trades."""

from __future__ import annotations

from decimal import Decimal

from vault_app.trading.demo_exchange import errors
from vault_app.trading.demo_exchange.call import Call, State
from vault_app.trading.demo_exchange.market import text

DEFAULT_LIMIT, MAX_LIMIT = 500, 1000


def account(state: State, call: Call) -> object:
    me = call.me
    omit_zero = call.params.get("omitZeroBalances", "").lower() == "true"
    rate = text(state.ledger.commission)
    bps = int(state.ledger.commission * 10_000)
    return {
        "makerCommission": bps, "takerCommission": bps, "buyerCommission": 0,
        "sellerCommission": 0,
        "commissionRates": {"maker": rate, "taker": rate, "buyer": text(Decimal(0)),
                            "seller": text(Decimal(0))},
        "canTrade": me.can_trade, "canWithdraw": "withdraw" in me.key.permissions,
        "canDeposit": True, "brokered": False, "requireSelfTradePrevention": False,
        "preventSor": False, "updateTime": call.now, "accountType": "SPOT",
        "balances": [
            {"asset": asset, "free": text(b.free), "locked": text(b.locked)}
            for asset, b in sorted(me.balances.items())
            if not (omit_zero and not b.free and not b.locked)
        ],
        "permissions": ["SPOT"], "uid": me.uid,
    }


def api_restrictions(state: State, call: Call) -> object:
    """The key's own rights, as Binance states them (``key_rights`` reads them)."""
    permissions = call.me.key.permissions
    return {
        "ipRestrict": bool(call.me.key.ips), "createTime": call.now,
        "enableReading": "read" in permissions,
        "enableSpotAndMarginTrading": "trade" in permissions,
        "enableWithdrawals": "withdraw" in permissions, "enableInternalTransfer": False,
        "enableMargin": False, "enableFutures": False, "permitsUniversalTransfer": False,
        "enableVanillaOptions": False, "enableFixApiTrade": False, "enableFixReadOnly": False,
        "enablePortfolioMarginTrading": False,
    }


def ip_restriction(state: State, call: Call) -> object:
    key = call.me.key
    return {"ipRestrict": "true" if key.ips else "false", "ipList": list(key.ips),
            "updateTime": call.now, "apiKey": key.api_key}


def _window(call: Call, items: list[dict[str, object]], time_key: str,
            from_key: str | None, from_param: str) -> list[dict[str, object]]:
    start, end = call.integer("startTime"), call.integer("endTime")
    limit = call.integer("limit")
    if limit is not None and limit < 1:
        raise errors.illegal("limit", f"1 - {MAX_LIMIT}")
    limit = min(limit or DEFAULT_LIMIT, MAX_LIMIT)
    first = call.integer(from_param)
    chosen = [item for item in items
              if (start is None or int(str(item[time_key])) >= start)
              and (end is None or int(str(item[time_key])) <= end)
              and (first is None or from_key is None or int(str(item[from_key])) >= first)]
    return chosen[:limit] if first is not None or start is not None else chosen[-limit:]


def all_orders(state: State, call: Call) -> object:
    symbol = state.book.symbol(call.need("symbol"))
    orders = [o.to_binance() for o in sorted(call.me.orders.values(), key=lambda o: o.order_id)
              if o.symbol == symbol]
    return _window(call, orders, "time", "orderId", "orderId")


def my_trades(state: State, call: Call) -> object:
    symbol = state.book.symbol(call.need("symbol"))
    order_id = call.integer("orderId")
    trades = [t.to_binance() for t in call.me.trades
              if t.symbol == symbol.id and (order_id is None or t.order_id == order_id)]
    return _window(call, trades, "time", "id", "fromId")
