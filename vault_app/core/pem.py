"""Is a pasted PEM private key whole? A cut-off block is refused before it is stored.

A PEM key typed or pasted into a one-line field can lose everything after its
first line (Enter there submits the form), or lose its first line when the
selection started too late. Stored like that, the key looks saved but can never
sign a request. Only credentials that look like PEM (a ``-----BEGIN`` or
``-----END`` line) are checked; HMAC secrets pass untouched.
"""

from __future__ import annotations

import re

_BEGIN = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----")


def pem_problem(value: str) -> str | None:
    """What is wrong with ``value`` as a PEM block, or None if it is whole or not PEM."""
    begin = _BEGIN.search(value)
    if begin is None:
        if "-----END " in value or "-----BEGIN" in value:
            return "looks like a PEM key but its “-----BEGIN …-----” line is missing or damaged"
        return None
    end = f"-----END {begin.group(1)}-----"
    stop = value.find(end, begin.end())
    if stop < 0:
        return f"is an incomplete PEM key: its “{end}” line is missing"
    if not "".join(value[begin.end():stop].split()):
        return "is an incomplete PEM key: there is nothing between its BEGIN and END lines"
    return None
