"""evidence/reporting/summarise.py: long reports as counts per kind and the first few of each."""

from __future__ import annotations

from evidence.reporting.summarise import FIRST, LIMIT, ReportLine, group, report_lines, summarised


def lines(*counts: tuple[str, int]) -> list[ReportLine]:
    return [ReportLine(kind, f"{kind} {n}") for kind, count in counts for n in range(count)]


def test_a_short_report_is_printed_whole():
    report = lines(("skipped", LIMIT - 1), ("updated", 1))
    assert len(report) == LIMIT
    assert report_lines(report) == [line.text for line in report]


def test_a_long_report_is_a_count_per_kind_with_its_first_lines():
    report = lines(("skipped", 6000), ("updated", 2), ("kept", 40))
    report.append(ReportLine("skipped", "skipped late"))
    out = report_lines(report)
    assert out == [
        "skipped: 6,001", "  skipped 0", "  skipped 1", "  skipped 2",
        "  … and 5,998 more skipped (--full shows every one)",
        "updated: 2", "  updated 0", "  updated 1",
        "kept: 40", "  kept 0", "  kept 1", "  kept 2",
        "  … and 37 more kept (--full shows every one)",
    ]
    assert report_lines(report, full=True) == [line.text for line in report]


def test_groups_keep_the_order_kinds_first_appear_and_count_every_item():
    items = ["b1", "a1", "b2", "c1", "b3", "b4", "a2"]
    found = group(items, lambda item: item[0], first=2)
    assert [(g.kind, g.count, g.first, g.more) for g in found] == [
        ("b", 4, ["b1", "b2"], 2), ("a", 2, ["a1", "a2"], 0), ("c", 1, ["c1"], 0)]
    assert summarised(LIMIT + 1) and not summarised(LIMIT) and not summarised(10**6, full=True)
    assert FIRST == 3
