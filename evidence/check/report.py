"""How ``evidence check`` shows its findings: text (coloured on a terminal), JSON, Markdown."""

from __future__ import annotations

import html
import json
from collections import Counter

from rich.console import Console
from rich.text import Text

from evidence.check.codes import CODE_BY_NAME, CODES, SEVERITIES, SEVERITY_RANK
from evidence.check.finding import Finding

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
_TITLE = {"error": "Errors", "warning": "Warnings", "info": "Info"}
NO_GUIDE = "sources and project"

# A pull-request comment is limited (GitHub: 65,536 characters).
MARKDOWN_ROWS = 150


def summary(findings: list[Finding]) -> dict:
    severities = Counter(f.severity for f in findings)
    codes = Counter(f.code for f in findings)
    return {
        **{name: severities.get(name, 0) for name in SEVERITIES},
        "by_code": {c.code: codes[c.code] for c in sorted(
            (c for c in CODES if codes.get(c.code)),
            key=lambda c: (SEVERITY_RANK[c.severity], -codes[c.code], c.code))},
    }


def summary_line(findings: list[Finding]) -> str:
    counts = summary(findings)
    parts = [f"{counts['error']} error{'s' if counts['error'] != 1 else ''}",
             f"{counts['warning']} warning{'s' if counts['warning'] != 1 else ''}",
             f"{counts['info']} info"]
    return ", ".join(parts)


def _groups(findings: list[Finding]):
    """(severity, [(guide or None, [findings])]) in severity order, guides sorted."""
    for severity in SEVERITIES:
        of_severity = [f for f in findings if f.severity == severity]
        if not of_severity:
            continue
        by_guide: dict[str | None, list[Finding]] = {}
        for f in of_severity:
            by_guide.setdefault(f.guide_id, []).append(f)
        yield severity, sorted(by_guide.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))


def _subject(f: Finding) -> str:
    return " ".join(x for x in (f.claim_id, f.source_id) if x)


def print_text(findings: list[Finding], console: Console | None = None, *,
               summary_only: bool = False) -> None:
    console = console or Console(highlight=False, soft_wrap=True)
    if not summary_only:
        for severity, guides in _groups(findings):
            count = sum(len(items) for _, items in guides)
            console.print(Text(f"{_TITLE[severity]} ({count})", style=_STYLE[severity]
                               + " underline"))
            for guide_id, items in guides:
                console.print(Text(f"  {guide_id or NO_GUIDE}", style="bold"))
                for f in items:
                    line = Text("    ")
                    line.append(f.code, style=_STYLE[severity])
                    if _subject(f):
                        line.append(f"  {_subject(f)}", style="bold")
                    if f.location():
                        line.append(f"  {f.location()}", style="dim")
                    console.print(line)
                    console.print(Text(f"      {f.message}"))
            console.print()
    _print_summary(findings, console)


def _print_summary(findings: list[Finding], console: Console) -> None:
    counts = summary(findings)
    if not findings:
        console.print(Text("No findings.", style="green"))
        return
    head = Text("Summary: ")
    for i, severity in enumerate(SEVERITIES):
        if i:
            head.append(", ")
        label = f"{counts[severity]} {severity}"
        if severity != "info" and counts[severity] != 1:
            label += "s"
        head.append(label, style=_STYLE[severity] if counts[severity] else "")
    console.print(head)
    width = max(len(code) for code in counts["by_code"])
    for code, n in counts["by_code"].items():
        severity = CODE_BY_NAME[code].severity
        line = Text("  ")
        line.append(code.ljust(width), style=_STYLE[severity])
        line.append(f"  {n:>4}  {severity}")
        console.print(line)


def to_json(findings: list[Finding]) -> str:
    return json.dumps({"summary": summary(findings),
                       "findings": [f.as_dict() for f in findings]},
                      ensure_ascii=False, indent=2)


def _cell(text: str | None) -> str:
    """Safe in a Markdown table cell: no HTML, no pipes, one line."""
    if not text:
        return ""
    return html.escape(" ".join(str(text).split()), quote=False).replace("|", "\\|")


def to_markdown(findings: list[Finding], *, title: str = "evidence check",
                limit: int = MARKDOWN_ROWS) -> str:
    """A report for a pull-request comment: summary table, then findings by severity."""
    counts = summary(findings)
    out = [f"## {title}", ""]
    if not findings:
        out.append("No findings. :white_check_mark:")
        return "\n".join(out) + "\n"
    icon = ":x:" if counts["error"] else (":warning:" if counts["warning"] else
                                          ":information_source:")
    out += [f"{icon} **{summary_line(findings)}**", "",
            "| severity | code | count |", "|---|---|---:|"]
    for code, n in counts["by_code"].items():
        out.append(f"| {CODE_BY_NAME[code].severity} | `{code}` | {n} |")
    out.append("")
    for severity, guides in _groups(findings):
        items = [f for _, fs in guides for f in fs]
        opened = " open" if severity == "error" else ""
        head = f"<details{opened}><summary><b>{_TITLE[severity]} ({len(items)})</b></summary>"
        out += [head, "", "| guide | code | claim / source | where | what to do |",
                "|---|---|---|---|---|"]
        for f in items[:limit]:
            where = f"`{_cell(f.location())}`" if f.location() else ""
            subject = f"`{_cell(_subject(f))}`" if _subject(f) else ""
            out.append(f"| {_cell(f.guide_id)} | `{f.code}` | {subject} | {where} | "
                       f"{_cell(f.message)} |")
        if len(items) > limit:
            out.append(f"\n… and {len(items) - limit} more: run `evidence check` for all.")
        out += ["", "</details>", ""]
    return "\n".join(out)
