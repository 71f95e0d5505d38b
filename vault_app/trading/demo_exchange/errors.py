"""Binance's error answers: an HTTP status and a JSON body ``{"code": ..., "msg": ...}``.

The codes and messages are Binance's own, so that ccxt's ``binance.handle_errors``
maps them to the exception classes it would raise against the real exchange.
"""

from __future__ import annotations

QTY_PATTERN = r"^([0-9]{1,20})(\.[0-9]{1,20})?$"
CLIENT_ID_PATTERN = r"^[\.A-Z\:/a-z0-9_-]{1,36}$"


class BinanceError(Exception):
    """An error answer: ``status`` is the HTTP status, ``code`` and ``msg`` the body."""

    def __init__(self, code: int, msg: str, status: int = 400) -> None:
        super().__init__(f"{code} {msg}")
        self.code = code
        self.msg = msg
        self.status = status

    def body(self) -> dict[str, object]:
        return {"code": self.code, "msg": self.msg}


def invalid_key() -> BinanceError:
    return BinanceError(-2015, "Invalid API-key, IP, or permissions for action.", 401)


def key_format_invalid() -> BinanceError:
    return BinanceError(-2014, "API-key format invalid.", 401)


def bad_signature() -> BinanceError:
    return BinanceError(-1022, "Signature for this request is not valid.")


def outside_recv_window() -> BinanceError:
    return BinanceError(-1021, "Timestamp for this request is outside of the recvWindow.")


def ahead_of_server() -> BinanceError:
    return BinanceError(-1021, "Timestamp for this request was 1000ms ahead of the server's "
                               "time.")


def mandatory(name: str) -> BinanceError:
    return BinanceError(-1102, f"Mandatory parameter '{name}' was not sent, was empty/null, "
                               "or malformed.")


def one_of(first: str, second: str) -> BinanceError:
    return BinanceError(-1102, f"Param '{first}' or '{second}' must be sent, but both were "
                               "empty/null!")


def duplicate_parameter() -> BinanceError:
    return BinanceError(-1101, "Duplicate values for a parameter detected.")


def not_required(name: str) -> BinanceError:
    return BinanceError(-1106, f"Parameter '{name}' sent when not required.")


def illegal(name: str, pattern: str) -> BinanceError:
    return BinanceError(-1100, f"Illegal characters found in parameter '{name}'; legal range "
                               f"is '{pattern}'.")


def too_precise(name: str) -> BinanceError:
    return BinanceError(-1111, f"Parameter '{name}' has too much precision.")


def invalid_symbol() -> BinanceError:
    return BinanceError(-1121, "Invalid symbol.")


def filter_failure(name: str) -> BinanceError:
    return BinanceError(-1013, f"Filter failure: {name}")


def insufficient_balance() -> BinanceError:
    return BinanceError(-2010, "Account has insufficient balance for requested action.")


def rejected(msg: str) -> BinanceError:
    """-2010 NEW_ORDER_REJECTED with Binance's reason."""
    return BinanceError(-2010, msg)


def unknown_order() -> BinanceError:
    return BinanceError(-2011, "Unknown order sent.")


def no_such_order() -> BinanceError:
    return BinanceError(-2013, "Order does not exist.")


def account_cannot_trade() -> BinanceError:
    return BinanceError(-2010, "This account may not place or cancel orders.")


def unknown_path(method: str, path: str) -> BinanceError:
    return BinanceError(-1020, f"This operation is not supported: {method} {path}", 404)
