"""CSV downloads that a spreadsheet cannot run: a cell starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return is a formula to Excel, LibreOffice and
Google Sheets, and guide text, titles and notes are written by others. Such a
cell gets a leading ``'`` (OWASP's advice for CSV injection), which spreadsheets
show as text and hide.

Datasette has no hook for CSV cells, so public mode's gate passes each ``.csv``
answer through :func:`neutralised_send`: the body is collected (public mode
turns CSV streaming off, so an answer holds at most ``max_returned_rows``
rows), rewritten cell by cell with the csv module, and sent with its new length.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Send = Callable[[dict[str, Any]], Awaitable[None]]


def neutralise(cell: str) -> str:
    """The cell as a spreadsheet shows it but never runs it."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def neutralise_csv(text: str) -> str:
    """Every cell of a CSV text neutralised; quoting and line ends as Datasette writes them."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in csv.reader(io.StringIO(text, newline="")):
        writer.writerow([neutralise(cell) for cell in row])
    return out.getvalue()


def neutralised_send(send: Send) -> Send:
    """``send`` for a CSV answer: its body collected, neutralised and sent once."""
    start: dict[str, Any] | None = None
    chunks: list[bytes] = []

    async def wrapped(message: dict[str, Any]) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            start = message
            return
        if message["type"] != "http.response.body" or start is None:
            await send(message)
            return
        chunks.append(message.get("body", b""))
        if message.get("more_body"):
            return
        body = b"".join(chunks)
        if body and _is_csv(start):
            body = neutralise_csv(body.decode("utf-8")).encode("utf-8")
        headers = [(name, value) for name, value in start.get("headers", [])
                   if name.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return wrapped


def _is_csv(start: dict[str, Any]) -> bool:
    """A 200 that Datasette's CSV renderer wrote (as text/plain or text/csv)."""
    if start.get("status") != 200:
        return False
    content_type = dict(start.get("headers", [])).get(b"content-type", b"").lower()
    return content_type.startswith((b"text/csv", b"text/plain"))
