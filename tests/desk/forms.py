"""Reading a desk page as a browser would: its session cookie and its forms' fields."""

from __future__ import annotations

import html
import re

from tests.publish.live import Answer


def session_of(answer: Answer) -> str:
    cookie = answer.headers.get("set-cookie", "")
    match = re.search(r"evidence_desk_session=([^;]+)", cookie)
    assert match, f"no session cookie in {cookie!r}"
    return match.group(1)


def form_fields(body: str, action: str) -> dict[str, str]:
    """The hidden fields of the first form posting to ``action``."""
    match = re.search(r'<form[^>]*action="' + re.escape(action) + r'".*?</form>', body, re.S)
    assert match, f"no form for {action}"
    return {html.unescape(n): html.unescape(v) for n, v in re.findall(
        r'<input type="hidden" name="([^"]+)" value="([^"]*)"', match.group(0))}
