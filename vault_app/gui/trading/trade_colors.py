"""Colours of the trading panel that carry meaning: buy green, sell red, LIVE red.

Each is picked for the palette it is drawn on (``theme.is_dark``): a solid fill with
white text (at least 4.5:1) for what is selected or must not be missed, and a coloured
text on the window background (at least 4.5:1 on both palettes) for the rest.
"""

from __future__ import annotations

from typing import NamedTuple

SOLID = {"buy": "#2e7d32", "sell": "#c62828"}  # white text: 5.1:1 and 5.6:1
TEXT_LIGHT = {"buy": "#1b5e20", "sell": "#b71c1c"}
TEXT_DARK = {"buy": "#81c784", "sell": "#ef9a9a"}
LIVE_FILL, LIVE_TEXT = "#b71c1c", "#ffffff"  # 6.6:1
TEST_FILL_LIGHT, TEST_TEXT_LIGHT = "#e3f2fd", "#0d47a1"
TEST_FILL_DARK, TEST_TEXT_DARK = "#0d47a1", "#ffffff"
NOTICE_LIGHT, NOTICE_DARK = "#8d4e00", "#ffcc80"  # warnings that are not refusals
DISABLED_LIGHT, DISABLED_DARK = "#9e9e9e", "#6e6e6e"  # a control out of use


class Banner(NamedTuple):
    fill: str
    text: str


def side_text(side: str, dark: bool) -> str:
    return (TEXT_DARK if dark else TEXT_LIGHT)[side]


def side_button_style(side: str, dark: bool, focus: str) -> str:
    """A checkable toggle: solid when checked, outlined in its colour when not; the
    keyboard focus drawn as a thicker border of the palette's highlight."""
    fill, text = SOLID[side], side_text(side, dark)
    off = DISABLED_DARK if dark else DISABLED_LIGHT
    return (f"QPushButton {{ color: {text}; border: 2px solid {fill}; border-radius: 4px;"
            " padding: 6px 12px; font-weight: bold; }"
            f" QPushButton:checked {{ background: {fill}; color: #ffffff; }}"
            f" QPushButton:focus {{ border: 3px solid {focus}; }}"
            # Disabled (markets loading, a key that can only view): visibly out of use.
            f" QPushButton:disabled {{ color: {off}; border: 2px dashed {off};"
            " background: transparent; }")


def review_button_style(side: str, dark: bool) -> str:
    """"Review BUY order…" in the side's colour (the palette's grey when disabled)."""
    off = DISABLED_DARK if dark else DISABLED_LIGHT
    return (f"QPushButton {{ color: {side_text(side, dark)}; font-weight: bold; }}"
            f" QPushButton:disabled {{ color: {off}; font-weight: normal; }}")


def live_badge_style() -> str:
    """The ticket's LIVE badge: white on red, as in the confirmation."""
    return (f"QLabel {{ background: {LIVE_FILL}; color: {LIVE_TEXT}; font-weight: bold;"
            " border-radius: 3px; padding: 2px 6px; }")


def environment_banner(live: bool, dark: bool) -> Banner:
    if live:
        return Banner(LIVE_FILL, LIVE_TEXT)
    return Banner(TEST_FILL_DARK, TEST_TEXT_DARK) if dark else \
        Banner(TEST_FILL_LIGHT, TEST_TEXT_LIGHT)


def notice_color(dark: bool) -> str:
    return NOTICE_DARK if dark else NOTICE_LIGHT
