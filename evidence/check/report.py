"""How ``evidence check`` shows its findings: text (coloured on a terminal), JSON, Markdown."""

from __future__ import annotations

import html
import json
from collections import Counter

from rich.console import Console
from rich.text import Text

from evidence.check.codes import CODE_BY_NAME, CODES, SEVERITIES, SEVERITY_RANK
from evidence.check.finding import Finding
from evidence.reporting.summarise import FIRST, group, more_line, summarised

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
               summary_only: bool = False, full: bool = False) -> None:
    """Every finding by severity and guide; beyond a screenful of lines
    (evidence/reporting/summarise.py), each code once with its first few findings,
    unless ``full``."""
    console = console or Console(highlight=False, soft_wrap=True)
    if summary_only:
        pass
    elif summarised(_LINES_PER_FINDING * len(findings), full=full):
        _print_by_code(findings, console)
    else:
        for severity, guides in _groups(findings):
            count = sum(len(items) for _, items in guides)
            console.print(Text(f"{_TITLE[severity]} ({count})", style=_STYLE[severity]
                               + " underline"))
            for guide_id, items in guides:
                console.print(Text(f"  {guide_id or NO_GUIDE}", style="bold"))
                for f in items:
                    _print_finding(f, console, indent="    ", guide=False)
            console.print()
    _print_summary(findings, console)
    if not summary_only and summarised(_LINES_PER_FINDING * len(findings), full=full):
        console.print(Text(f"The first {FIRST} findings of each code are shown: --full "
                           "shows every one, --code CODE one code's, --format json all "
                           "of them as data.", style="dim"))


_LINES_PER_FINDING = 2


def _print_finding(f: Finding, console: Console, *, indent: str, guide: bool) -> None:
    """A finding in two lines; under its code's heading (``guide``) the code
    gives way to the guide."""
    line = Text(indent)
    if guide:
        line.append(f.guide_id or NO_GUIDE)
    else:
        line.append(f.code, style=_STYLE[f.severity])
    if _subject(f):
        line.append(f"  {_subject(f)}", style="bold")
    if f.location():
        line.append(f"  {f.location()}", style="dim")
    console.print(line)
    console.print(Text(f"{indent}  {f.message}"))


def _print_by_code(findings: list[Finding], console: Console) -> None:
    """Each severity, each code in it with its count and its first findings."""
    for severity in SEVERITIES:
        of_severity = [f for f in findings if f.severity == severity]
        if not of_severity:
            continue
        console.print(Text(f"{_TITLE[severity]} ({len(of_severity):,})",
                           style=_STYLE[severity] + " underline"))
        by_code = sorted(group(of_severity, lambda f: f.code), key=lambda g: -g.count)
        for found in by_code:
            head = Text("  ")
            head.append(found.kind, style=_STYLE[severity] + " bold")
            head.append(f"  {found.count:,}")
            console.print(head)
            for f in found.first:
                _print_finding(f, console, indent="    ", guide=True)
            if found.more:
                console.print(Text("    " + more_line(found, f"--code {found.kind} --full"),
                                   style="dim"))
        console.print()


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
