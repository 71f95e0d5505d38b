"""What an exchange says a key may do, and how that compares with the key's labels.

``fetch_rights(client)`` asks the key's exchange, through ccxt's implicit methods run
by the key's ``ExchangeClient`` (one call at a time, errors translated), for the key's
own rights and IP restriction:

- Binance ``GET /sapi/v1/account/apiRestrictions`` (and, when ``ipRestrict`` is set,
  ``GET /sapi/v1/account/apiRestrictions/ipRestriction`` for the list);
- OKX ``GET /api/v5/account/config`` (``perm``, ``ip``);
- Bybit ``GET /v5/user/query-api`` (``readOnly``, ``permissions``, ``ips``);
- Coinbase ``GET /api/v3/brokerage/key_permissions`` (``can_view``, ``can_trade``,
  ``can_transfer``).

Each answer is parsed by a plain function (``parse_binance`` ...) into ``Rights`` in
the vault's own words (``read``, ``trade``, ``withdraw``). Any right that moves money
out of the account (a withdrawal, a transfer) counts as ``withdraw``; any right to
place orders of any kind (spot, margin, futures, options) counts as ``trade``: the
comparison errs on the side of saying the key can do more.

``compare(entry, rights)`` gives a ``RightsDiff``: rights the exchange grants that the
labels do not say (``extra``; withdraw among them is the loud case), labelled rights
the exchange does not grant (``missing``), and whether the IP restriction differs.
Nothing here writes anything: the caller records the ``Verification``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from vault_app.core.model import PERMISSIONS, KeyEntry, Verification, utcnow
from vault_app.trading.errors import NetworkProblem, TradingError

SUPPORTED = ("binance", "okx", "bybit", "coinbase")
"""Exchanges (ccxt ids) whose keys can be verified."""


class RightsNotSupported(TradingError):
    """The exchange has no way (in ccxt) to tell a key its own rights; nothing was sent."""


class RightsAnswerUnclear(NetworkProblem):
    """The exchange answered, but not in the shape its documentation gives."""


@dataclass(frozen=True)
class Rights:
    """A key's rights as the exchange states them, in the vault's words."""

    permissions: tuple[str, ...]
    ip_restricted: bool | None
    """None: the exchange's answer does not say whether the key is IP-restricted."""
    ips: tuple[str, ...] = ()


class HasRights(Protocol):
    @property
    def permissions(self) -> tuple[str, ...]: ...
    @property
    def ip_restricted(self) -> bool | None: ...
    @property
    def ips(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class RightsDiff:
    """The labels against the exchange's answer (``compare``)."""

    extra: tuple[str, ...]
    """Rights the exchange grants that the labels do not say."""
    missing: tuple[str, ...]
    """Labelled rights the exchange does not grant."""
    ip_mismatch: str
    """Empty when the IP restriction agrees; else one sentence saying how it differs."""

    @property
    def withdraw_unlabelled(self) -> bool:
        """The exchange lets the key withdraw and the labels do not say so: the loud case."""
        return "withdraw" in self.extra

    @property
    def more_than_labels(self) -> bool:
        return bool(self.extra)

    @property
    def matches(self) -> bool:
        return not self.extra and not self.missing and not self.ip_mismatch

    def sentences(self, exchange_name: str) -> list[str]:
        """The differences in words, the loudest first; empty when they agree."""
        said: list[str] = []
        if self.withdraw_unlabelled:
            said.append(f"WARNING: {exchange_name} says this key can WITHDRAW funds, and its "
                        "labels do not say so. Anyone holding the key can move the money "
                        "out: disable withdrawals for it on the exchange")
        others = [p for p in self.extra if p != "withdraw"]
        if others:
            said.append(f"{exchange_name} says the key can also {' and '.join(others)}, "
                        "which its labels do not say")
        if self.missing:
            said.append(f"the labels say {' and '.join(self.missing)}, which "
                        f"{exchange_name} does not grant the key")
        if self.ip_mismatch:
            said.append(self.ip_mismatch)
        return said


def _ordered(rights: Iterable[str]) -> tuple[str, ...]:
    wanted = set(rights)
    return tuple(p for p in PERMISSIONS if p in wanted)


def _ips(values: Iterable[object]) -> tuple[str, ...]:
    """The addresses of an answer as the vault writes them (``1.2.3.4``, ``10.0.0.0/8``);
    a wildcard or an empty item means none."""
    found: list[str] = []
    for value in values:
        text = str(value).strip()
        if not text or text == "*":
            continue
        try:
            text = str(ipaddress.ip_network(text, strict=False))
            text = text.removesuffix("/32").removesuffix("/128")
        except ValueError:
            pass  # kept as the exchange wrote it: shown, and it differs from the labels
        if text not in found:
            found.append(text)
    return tuple(found)


def _object(answer: object, exchange_name: str) -> Mapping[str, Any]:
    if not isinstance(answer, Mapping):
        raise RightsAnswerUnclear(f"{exchange_name}'s answer about the key's rights could not "
                                  "be understood", fix="try again later")
    return answer


def _flag(value: object) -> bool:
    """A JSON boolean, or one written as a string ("true") or number (1)."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1")
    return bool(value)


def parse_binance(answer: object, ip_answer: object = None) -> Rights:
    data = _object(answer, "Binance")
    if "enableReading" not in data:
        raise RightsAnswerUnclear("Binance's answer about the key's rights lacks "
                                  "enableReading", fix="try again later")
    trade_flags = ("enableSpotAndMarginTrading", "enableMargin", "enableFutures",
                   "enableVanillaOptions", "enablePortfolioMarginTrading", "enableFixApiTrade")
    move_flags = ("enableWithdrawals", "enableInternalTransfer", "permitsUniversalTransfer")
    rights = []
    if _flag(data.get("enableReading")) or _flag(data.get("enableFixReadOnly")):
        rights.append("read")
    if any(_flag(data.get(name)) for name in trade_flags):
        rights.append("trade")
    if any(_flag(data.get(name)) for name in move_flags):
        rights.append("withdraw")
    restricted = _flag(data.get("ipRestrict"))
    ips: tuple[str, ...] = ()
    if restricted and isinstance(ip_answer, Mapping):
        listed = ip_answer.get("ipList")
        ips = _ips(listed if isinstance(listed, list) else ())
    return Rights(_ordered(rights), restricted, ips)


def _okx_data(answer: object) -> Mapping[str, Any]:
    data = _object(answer, "OKX")
    rows = data.get("data")
    if not isinstance(rows, list) or not rows or not isinstance(rows[0], Mapping) \
            or "perm" not in rows[0]:
        raise RightsAnswerUnclear("OKX's answer about the key's rights lacks its perm field",
                                  fix="try again later")
    return rows[0]


def parse_okx(answer: object) -> Rights:
    row = _okx_data(answer)
    perm = {p.strip() for p in str(row.get("perm") or "").split(",") if p.strip()}
    rights = ["read"] if perm & {"read_only", "read"} else []
    if "trade" in perm:
        rights.append("trade")
    if "withdraw" in perm:
        rights.append("withdraw")
    ips = _ips(str(row.get("ip") or "").split(","))
    return Rights(_ordered(rights), bool(ips), ips)


def parse_bybit(answer: object) -> Rights:
    data = _object(answer, "Bybit")
    result = data.get("result", data)
    if not isinstance(result, Mapping) or "readOnly" not in result:
        raise RightsAnswerUnclear("Bybit's answer about the key's rights lacks readOnly",
                                  fix="try again later")
    groups = result.get("permissions")
    groups = groups if isinstance(groups, Mapping) else {}
    rights = ["read"]
    read_only = _flag(result.get("readOnly"))
    wallet = groups.get("Wallet") or []
    others = [name for name, items in groups.items() if name != "Wallet" and items]
    if not read_only and others:
        rights.append("trade")
    if not read_only and any(str(item) in ("Withdraw", "AccountTransfer", "SubMemberTransfer")
                             for item in wallet):
        rights.append("withdraw")
    listed = result.get("ips")
    ips = _ips(listed if isinstance(listed, list) else str(listed or "").split(","))
    return Rights(_ordered(rights), bool(ips), ips)


def parse_coinbase(answer: object) -> Rights:
    data = _object(answer, "Coinbase")
    if "can_view" not in data:
        raise RightsAnswerUnclear("Coinbase's answer about the key's rights lacks can_view",
                                  fix="try again later")
    rights = [name for name, flag in (("read", "can_view"), ("trade", "can_trade"),
                                      ("withdraw", "can_transfer")) if _flag(data.get(flag))]
    # Coinbase's answer says nothing of an IP allowlist: unknown, neither yes nor no.
    return Rights(_ordered(rights), None, ())


class _Caller(Protocol):
    def call(self, name: str, *args: Any, **kwargs: Any) -> Any: ...

    @property
    def entry(self) -> KeyEntry: ...


def ask(client: _Caller) -> Rights:
    """Ask the key's exchange for its rights (one or two requests).

    Raises:
        RightsNotSupported: the exchange is not one of ``SUPPORTED``; nothing was sent.
        TradingError: the request failed (``AuthFailed``, ``NetworkProblem`` ...).
    """
    exchange = client.entry.exchange
    if exchange == "binance":
        answer = client.call("sapiGetAccountApiRestrictions")
        ip_answer = None
        if isinstance(answer, Mapping) and _flag(answer.get("ipRestrict")):
            ip_answer = client.call("sapiGetAccountApiRestrictionsIpRestriction")
        return parse_binance(answer, ip_answer)
    if exchange == "okx":
        return parse_okx(client.call("privateGetAccountConfig"))
    if exchange == "bybit":
        return parse_bybit(client.call("privateGetV5UserQueryApi"))
    if exchange == "coinbase":
        return parse_coinbase(client.call("v3PrivateGetBrokerageKeyPermissions"))
    raise RightsNotSupported(
        f"verifying a key's rights is not supported for {exchange}; nothing was sent",
        fix="check the key's rights on the exchange's web site")


def fetch_rights(client: _Caller, *, now: datetime | None = None) -> Verification:
    """What the exchange says of ``client``'s key now, as a ``Verification`` to record."""
    rights = ask(client)
    return Verification(at=now or utcnow(), permissions=rights.permissions,
                        ip_restricted=rights.ip_restricted, ips=rights.ips)


def ips_known(rights: HasRights) -> bool:
    """The exchange gave a definite IP answer: not restricted, or the addresses named.
    Only then does applying its answer replace the key's IP list."""
    return rights.ip_restricted is False or bool(rights.ip_restricted and rights.ips)


def compare(entry: KeyEntry, rights: HasRights) -> RightsDiff:
    """The labels of ``entry`` against what the exchange said (a ``Verification``)."""
    granted, labelled = set(rights.permissions), set(entry.permissions)
    mismatch = ""
    if rights.ip_restricted is None:
        pass  # the exchange did not say: nothing to compare
    elif entry.ip_whitelist and not rights.ip_restricted:
        mismatch = ("the labels list allowed IP addresses, but the exchange says the key "
                    "works from any address")
    elif rights.ip_restricted and not entry.ip_whitelist:
        where = ", ".join(rights.ips) or "some IP addresses"
        mismatch = f"the exchange restricts the key to {where}, which the labels do not list"
    elif rights.ip_restricted and rights.ips and set(rights.ips) != set(entry.ip_whitelist):
        mismatch = (f"the exchange allows the key from {', '.join(rights.ips)}; the labels "
                    f"say {', '.join(entry.ip_whitelist)}")
    return RightsDiff(extra=_ordered(granted - labelled), missing=_ordered(labelled - granted),
                      ip_mismatch=mismatch)
