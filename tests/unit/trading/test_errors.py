"""ccxt's exceptions become our typed errors: one sentence, a fix, and no secret."""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable
from urllib.parse import quote, quote_plus

import pytest
from ccxt.base import errors as ccxt_errors

from vault_app.trading import errors
from vault_app.trading.error_context import in_context
from vault_app.trading.errors import ExchangeProblem, TradingError, scrub, translate

API_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
SIGNATURE = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
SIGNED_URL = (f"https://api.binance.com/api/v3/order?symbol=BTCUSDT&timestamp=1700000000000"
              f"&signature={SIGNATURE}")

# ccxt class -> (our class, a fragment of our sentence)
MAPPING = [
    ("AuthenticationError", errors.AuthFailed, "refused the API key or secret"),
    ("AccountSuspended", errors.AuthFailed, "suspended"),
    ("PermissionDenied", errors.KeyLacksPermission, "lacks the right"),
    ("AccountNotEnabled", errors.KeyLacksPermission, "lacks the right"),
    ("InsufficientFunds", errors.InsufficientFunds, "balance is too low"),
    ("InvalidOrder", errors.OrderRejected, "refused the order"),
    ("OrderNotFillable", errors.OrderRejected, "refused the order"),
    ("OrderImmediatelyFillable", errors.OrderRejected, "post-only"),
    ("DuplicateOrderId", errors.OrderRejected, "already has an order"),
    ("OrderNotFound", errors.OrderNotFound, "does not know this order"),
    ("BadSymbol", errors.OrderRejected, "does not list this symbol"),
    ("MarketClosed", errors.OrderRejected, "market is closed"),
    ("InvalidNonce", errors.ClockSkew, "timestamp or nonce"),
    ("RateLimitExceeded", errors.RateLimited, "rate limit"),
    ("DDoSProtection", errors.RateLimited, "limiting requests"),
    ("ExchangeNotAvailable", errors.ExchangeUnavailable, "unavailable"),
    ("OnMaintenance", errors.ExchangeUnavailable, "maintenance"),
    ("RequestTimeout", errors.ExchangeTimeout, "did not answer in time"),
    ("NetworkError", errors.NetworkProblem, "could not be reached"),
    ("ChecksumError", errors.NetworkProblem, "checksum"),
    ("BadResponse", errors.NetworkProblem, "could not be understood"),
    ("NullResponse", errors.NetworkProblem, "could not be understood"),
    ("NotSupported", ExchangeProblem, "does not support"),
    ("BadRequest", ExchangeProblem, "refused the request"),
    ("ExchangeError", ExchangeProblem, "refused the request"),
    ("BaseError", ExchangeProblem, "ccxt failed"),
]


@pytest.mark.parametrize(("name", "expected", "fragment"), MAPPING)
def test_each_ccxt_error_has_its_own(name: str, expected: type[TradingError],
                                     fragment: str) -> None:
    error = translate(getattr(ccxt_errors, name)("binance something went wrong"))
    assert type(error) is expected
    assert fragment in error.message
    assert error.fix and str(error) == errors.sentences(error.message, error.fix)
    assert str(error).endswith((".", "?")) and ". " + error.fix[0].upper() in str(error)
    assert error.ccxt_error == name


def test_every_ccxt_error_class_is_mapped_to_a_trading_error() -> None:
    for name in ccxt_errors.__all__:
        cls = getattr(ccxt_errors, name)
        if isinstance(cls, type) and issubclass(cls, ccxt_errors.BaseError):
            assert isinstance(translate(cls("binance x")), ExchangeProblem), name


def test_the_fixes_say_what_to_do() -> None:
    auth = translate(ccxt_errors.AuthenticationError("binance x"))
    assert "whitelisted" in auth.fix
    denied = translate(ccxt_errors.PermissionDenied("binance x"))
    assert "relabel the key read-only" in denied.fix
    clock = translate(ccxt_errors.InvalidNonce("binance x"))
    assert "sync" in clock.fix
    timeout = translate(ccxt_errors.RequestTimeout("binance POST x"))
    assert "network" in timeout.fix


def test_the_exchanges_reason_is_kept_from_its_json() -> None:
    error = translate(ccxt_errors.InvalidOrder(
        'binance {"code":-1013,"msg":"Filter failure: LOT_SIZE"}'))
    assert error.message == "the exchange refused the order (-1013: Filter failure: LOT_SIZE)"


@pytest.mark.parametrize("text", [
    'binance {"code":-1021,"msg":"Timestamp for this request is outside of the recvWindow."}',
    "kraken EAPI:Invalid timestamp",
])
def test_a_timestamp_refusal_is_clock_skew_whatever_class_ccxt_chose(text: str) -> None:
    for cls in (ccxt_errors.BadRequest, ccxt_errors.ExchangeError, ccxt_errors.InvalidNonce):
        assert isinstance(translate(cls(text)), errors.ClockSkew)


def test_a_key_refused_after_it_worked_is_about_the_key_not_the_rate() -> None:
    """ccxt's binance turns -2015 into DDoSProtection once a key has worked."""
    error = translate(ccxt_errors.DDoSProtection(
        'binance {"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}'))
    assert isinstance(error, errors.AuthFailed)
    assert "-2015" in error.message


def test_network_errors_do_not_repeat_the_url() -> None:
    error = translate(ccxt_errors.NetworkError(f"binance POST {SIGNED_URL}"))
    assert "binance.com" not in str(error) and SIGNATURE not in str(error)


def test_an_unexpected_exception_keeps_only_its_class_name() -> None:
    error = translate(KeyError(f"{API_KEY} {SECRET}"))
    assert type(error) is errors.NetworkProblem
    assert error.message == "ccxt failed unexpectedly (KeyError)"
    assert error.ccxt_error == "KeyError"


def test_a_class_named_like_ccxts_elsewhere_is_not_matched() -> None:
    class AuthenticationError(Exception):
        pass

    assert type(translate(AuthenticationError("x"))) is errors.NetworkProblem


@pytest.mark.parametrize("text", [
    f'binance {{"code":-2015,"msg":"key {API_KEY} and secret {SECRET}"}}',
    f"binance POST {SIGNED_URL} {API_KEY}",
    f"binance GET https://x.test/a?apiKey={API_KEY}&sign=abc",
    f"okx signature={SIGNATURE}&timestamp=1",
    f"{API_KEY[:20]}{SECRET}",
])
def test_no_credential_or_signature_survives(text: str) -> None:
    for cls in (ccxt_errors.ExchangeError, ccxt_errors.AuthenticationError,
                ccxt_errors.InvalidOrder, ccxt_errors.NetworkError):
        error = translate(cls(text), secrets=(API_KEY, SECRET))
        shown = str(error)
        assert API_KEY not in shown and SECRET not in shown and SIGNATURE not in shown
        assert SECRET[:16] not in shown


def test_scrub_hides_the_given_secrets_even_when_short() -> None:
    assert scrub("key abc123xyz here", ["abc123xyz"]) == "key *** here"
    assert scrub("x?y", []) == "x?y"  # not a URL: untouched


def test_a_long_reason_is_cut() -> None:
    error = translate(ccxt_errors.ExchangeError("binance " + "word " * 200))
    assert len(error.message) < 300


def test_an_exchanges_reason_loses_control_characters_and_is_capped() -> None:
    body = json.dumps({"code": -2010, "msg": "Order\x1b[2J OPEN\u202egnp.exe\x00 " + "x" * 500})
    reason = errors.exchange_reason(f"binance {body}")
    assert not any(ord(ch) < 32 or ch in "\u202e\x7f" for ch in reason)
    assert reason.startswith("-2010: Order [2J OPEN gnp.exe")
    assert len(reason) <= errors.MAX_REASON


def test_translate_passes_our_own_errors_through() -> None:
    ours = errors.OrderRejected("x", fix="y")
    assert translate(ours) is ours


def test_raised_outside_the_handler_the_traceback_holds_no_ccxt_text() -> None:
    def failing() -> None:
        error: TradingError | None = None
        try:
            raise ccxt_errors.AuthenticationError(f"binance GET {SIGNED_URL} {SECRET}")
        except Exception as exc:
            error = translate(exc, secrets=(SECRET,))
        raise error

    with pytest.raises(errors.AuthFailed) as info:
        failing()
    assert info.value.__context__ is None and info.value.__cause__ is None
    printed = "".join(traceback.format_exception(info.value))
    assert SECRET not in printed and SIGNATURE not in printed


def test_a_binance_filter_failure_is_an_order_rejection() -> None:
    for cls in (ccxt_errors.ExchangeError, ccxt_errors.BadRequest):
        error = translate(cls('binance {"code":-1013,"msg":"Filter failure: NOTIONAL"}'))
        assert type(error) is errors.OrderRejected
        assert "minimum amount and minimum cost" in error.fix


def test_binances_ambiguous_2015_names_every_cause() -> None:
    error = translate(ccxt_errors.AuthenticationError(
        'binance {"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}'))
    assert error.message == ("the exchange refused the API key or secret "
                             "(-2015: Invalid API-key, IP, or permissions for action)")
    assert "whitelisted" in error.fix and "rights" in error.fix


# --- outcome_unknown: the one thing placement tests ---------------------------------------


@pytest.mark.parametrize("name", ["RequestTimeout", "NetworkError", "ExchangeNotAvailable",
                                  "OnMaintenance", "BadResponse", "NullResponse",
                                  "ChecksumError", "OperationFailed"])
def test_an_error_after_which_an_order_may_exist_says_so(name: str) -> None:
    error = translate(getattr(ccxt_errors, name)("binance POST https://x/api/v3/order"))
    assert error.outcome_unknown is True
    placing = in_context(error, "create_order", "LIVE binance", None, None)
    assert errors.UNKNOWN_OUTCOME in placing.fix
    assert "never sent again" in str(placing)
    assert placing.outcome_unknown and type(placing) is type(error)
    reading = in_context(error, "fetch_ticker", "LIVE binance", None, None)
    assert errors.UNKNOWN_OUTCOME not in str(reading)
    assert "while asking for the last price (LIVE binance); no order was sent" in str(reading)


@pytest.mark.parametrize("name", ["AuthenticationError", "InsufficientFunds", "InvalidOrder",
                                  "OrderNotFound", "InvalidNonce", "RateLimitExceeded",
                                  "BadSymbol", "NotSupported"])
def test_a_refusal_is_not_unknown(name: str) -> None:
    error = translate(getattr(ccxt_errors, name)("binance refused"))
    assert error.outcome_unknown is False
    assert errors.UNKNOWN_OUTCOME not in error.fix


def test_outcome_unknown_is_a_class_attribute_with_a_safe_default() -> None:
    assert TradingError.outcome_unknown is False
    assert errors.OrderNotAllowed.outcome_unknown is False
    assert errors.ExchangeProblem.outcome_unknown is False
    for cls in (errors.NetworkProblem, errors.ExchangeTimeout, errors.ExchangeUnavailable):
        assert cls.outcome_unknown is True
        # Only the order request's context adds it (error_context): not the class.
        assert errors.UNKNOWN_OUTCOME not in cls("x", fix="try again later").fix


def test_the_message_and_the_fix_read_as_two_sentences() -> None:
    assert str(errors.ExchangeProblem("the exchange refused the order", fix="check the "
                                      "amount")) == \
        "the exchange refused the order. Check the amount."
    assert str(errors.ExchangeProblem("x", fix="is it running?")) == "x. Is it running?"
    assert str(errors.ExchangeProblem("x")) == "x"


def test_a_bare_exchange_error_of_ccxts_fetch_is_unknown() -> None:
    """ccxt raises ExchangeError("<id> <METHOD> <url>") for transport failures."""
    error = translate(ccxt_errors.ExchangeError("binance POST https://api.binance.com/x"))
    assert isinstance(error, errors.NetworkProblem) and error.outcome_unknown


def test_a_deeply_nested_reason_is_not_parsed() -> None:
    error = translate(ccxt_errors.AuthenticationError('binance {"a":' + "[" * 100_000))
    assert isinstance(error, errors.AuthFailed)
    assert len(str(error)) < 1000


# --- the clock: codes and phrases, not any "timestamp" ------------------------------------


@pytest.mark.parametrize("reason", [
    '{"code":-1021,"msg":"Timestamp for this request is outside of the recvWindow."}',
    '{"code":10002,"msg":"invalid request, please check your server timestamp or '
    'recv_window param"}',
    '{"code":"50102","msg":"Timestamp request expired"}',
])
def test_a_clock_refusal_is_clock_skew(reason: str) -> None:
    assert isinstance(translate(ccxt_errors.ExchangeError(f"x {reason}")), errors.ClockSkew)


@pytest.mark.parametrize("reason", [
    '{"code":-1100,"msg":"Illegal characters found in parameter \'timestamp\'; legal range '
    'is \'^[0-9]{1,20}$\'."}',
    '{"code":-1102,"msg":"Mandatory parameter \'timestamp\' was not sent, was empty/null, '
    'or malformed."}',
    '{"code":10001,"msg":"X-BAPI-TIMESTAMP header missing"}',
])
def test_a_reason_that_only_mentions_a_timestamp_is_not_clock_skew(reason: str) -> None:
    error = translate(ccxt_errors.ExchangeError(f"x {reason}"))
    assert not isinstance(error, errors.ClockSkew)
    assert type(error) is ExchangeProblem


# --- scrub: every spelling of a secret ----------------------------------------------------


@pytest.mark.parametrize("spell", [
    lambda s: s,
    lambda s: json.dumps(s)[1:-1],
    lambda s: json.dumps(s)[1:-1].replace("/", "\\/"),
    lambda s: json.dumps(s)[1:-1].replace("+", "\\u002b").replace("/", "\\u002F"),
    lambda s: quote(s, safe=""),
    lambda s: quote(s, safe="").lower(),
    lambda s: quote_plus(s, safe=""),
])
def test_scrub_removes_escaped_and_encoded_secrets(spell: Callable[[str], str]) -> None:
    secret = "a+b/c=d e\"f\\g\nh"
    spelled = spell(secret)
    assert spelled != "***"
    text = scrub(f"key {spelled} end", [secret])
    assert text == "key *** end"


# --- scrub: partial echoes, and credentials too short to look for -------------------------

ECHOED_KEY = "Kq7Zr2Lm9Wx4Tn8Vb3Hc6Jd1Fg5Sp0Ya" * 2  # 64 characters, not hex


def fragments(secret: str, size: int = 8) -> set[str]:
    return {secret[i:i + size].casefold() for i in range(len(secret) - size + 1)}


@pytest.mark.parametrize("echo", [
    ECHOED_KEY[:32],
    ECHOED_KEY[5:17],
    ECHOED_KEY[-8:],
    ECHOED_KEY.lower()[10:40],
    " ".join(ECHOED_KEY[i:i + 8] for i in range(0, 64, 8)),
])
def test_any_run_of_eight_characters_of_a_credential_is_masked(echo: str) -> None:
    shown = scrub(f"Filter failure: key {echo} refused", [ECHOED_KEY, "secret-value-1"])
    assert shown.startswith("Filter failure: key ***") and shown.endswith(" refused")
    assert not any(piece in shown.casefold() for piece in fragments(ECHOED_KEY))


def test_a_partial_echo_of_the_key_does_not_survive_translate() -> None:
    error = translate(ccxt_errors.InvalidOrder(
        f'binance {{"code":-1013,"msg":"Filter failure: key {ECHOED_KEY[:32]} refused"}}'),
        secrets=(ECHOED_KEY, "s" * 64))
    assert not any(piece in str(error).casefold() for piece in fragments(ECHOED_KEY))
    assert "Filter failure: key *** refused" in error.message


def test_seven_characters_of_a_credential_are_not_a_run() -> None:
    assert scrub(f"id {ECHOED_KEY[:7]} ok", [ECHOED_KEY]) == f"id {ECHOED_KEY[:7]} ok"


@pytest.mark.parametrize("short", ["p", "ab", "xyz"])
def test_a_credential_shorter_than_four_characters_is_not_looked_for(short: str) -> None:
    text = "Order price is below the PRICE_FILTER minimum; xyz ab p"
    assert scrub(text, [short, ECHOED_KEY]) == text
    translated = translate(ccxt_errors.InvalidOrder(f'okx {{"msg":"{text}"}}'),
                           secrets=(ECHOED_KEY, "secret-value-1", short))
    assert text in translated.message


def test_a_four_character_credential_is_still_masked_whole() -> None:
    assert scrub("passphrase is abcd here", ["abcd"]) == "passphrase is *** here"


# --- a stop that would trigger at once is not a post-only refusal --------------------------

def test_a_stop_price_that_triggers_at_once_gets_stop_advice() -> None:
    error = translate(ccxt_errors.OrderImmediatelyFillable(
        'binance {"code":-2010,"msg":"Stop price would trigger immediately."}'))
    assert type(error) is errors.OrderRejected
    assert error.message.startswith("the exchange refused a stop order whose stop price "
                                    "would trigger at once")
    assert "post-only" not in str(error)
    assert "a sell stop's below it" in error.fix


def test_a_post_only_refusal_keeps_post_only_advice_unless_the_order_is_a_stop() -> None:
    error = translate(ccxt_errors.OrderImmediatelyFillable(
        'binance {"code":-2010,"msg":"Order would immediately match and take."}'))
    assert "post-only" in error.message and "drop post-only" in error.fix
    assert errors.for_order_type(error, "limit") is error
    stop = errors.for_order_type(error, "stop-limit")
    assert stop.message == errors.STOP_TRIGGERS_AT_ONCE[0]
    assert type(stop) is type(error) and stop.ccxt_error == "OrderImmediatelyFillable"
    other = translate(ccxt_errors.InsufficientFunds("binance no money"))
    assert errors.for_order_type(other, "stop-limit") is other
