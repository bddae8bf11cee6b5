"""The merge: present by DOI (any spelling, alias), else by first author, year and
title; keys kept when free; nothing else of references.bib changes."""

from __future__ import annotations

from evidence.bib.fieldhashes import value_hash
from evidence.bib.references import load_references, parse_references
from evidence.intake.formats.entry import IncomingEntry
from evidence.intake.merge import plan_merge
from tests.intake.support import BIB


def entry(key=None, **fields) -> IncomingEntry:
    return IncomingEntry("article", key, {k: v for k, v in fields.items()}, "test")


def refs():
    return parse_references(BIB)


def statuses(plan):
    return [(d.status, d.key) for d in plan.decisions]


def test_a_doi_present_in_any_spelling_or_as_an_alias_is_not_added():
    plan = plan_merge(refs(), [
        entry("a", title="X", doi="https://doi.org/10.5555/Evidence.Article.1"),
        entry("b", title="Y", doi="doi:10.5555/EVIDENCE.CORRECTED.2"),  # holm2022's alias
        entry("c", title="Z", doi="10.5555/evidence.corrected.2.v2"),
    ])
    assert statuses(plan) == [("present", "aero2021"), ("present", "holm2022"),
                              ("present", "holm2022")]
    assert "recorded as an alias" in plan.decisions[1].detail


def test_without_a_doi_first_author_year_and_title_decide():
    plan = plan_merge(refs(), [
        # case, braces, accents and punctuation aside: gray1918
        entry(author="Gray, H.", year="1918", title="ANATOMY of the human body."),
        entry(author="Grey, Henry", year="1918", title="Anatomy of the human body"),
        entry(author="Gray, Henry", year="1919", title="Anatomy of the human body"),
        # aero2021 has a DOI, this one none: the same work
        entry(author="Aerø, Søren", year="2021",
              title="Eccentric loading of the semimembranosus tendon and pain"),
    ])
    assert statuses(plan) == [("matched", "gray1918"), ("added", "grey1918"),
                              ("added", "gray1919"), ("matched", "aero2021")]


def test_the_same_author_year_and_title_under_two_dois_are_two_works():
    plan = plan_merge(refs(), [
        entry(author="Ærø, S.", year="2021", doi="10.5555/erratum.1",
              title="Eccentric loading of the semimembranosus tendon and pain"),
        entry(author="Ærø, S.", year="2021",
              title="Eccentric loading of the semimembranosus tendon and pain"),
    ])
    assert [d.status for d in plan.decisions] == ["added", "matched"]
    assert plan.decisions[1].key == "aero2021"  # the entry without DOI meets the one with


def test_own_keys_are_kept_when_free_and_reserved_before_keys_are_made():
    plan = plan_merge(refs(), [
        entry("lund2019", author="Lund, Anna", year="2019", title="Another work",
              doi="10.5555/new.1"),
        entry("lund2019a", author="Lund, Bo", year="2019", title="A third work",
              doi="10.5555/new.2"),
        entry("Gray1918", author="Gray, Ann", year="1918", title="Not the anatomy",
              doi="10.5555/new.3"),  # BibTeX keys are one without case
        entry(None, author="Holm, Lars", year="2022", title="New", doi="10.5555/new.4"),
    ])
    assert statuses(plan) == [("added", "lund2019b"), ("added", "lund2019a"),
                              ("added", "gray1918a"), ("added", "holm2022a")]
    assert [d.own_key_taken for d in plan.decisions] == [True, False, True, False]


def test_copies_within_one_file_are_added_once():
    plan = plan_merge(refs(), [
        entry("x", author="Kirk, Jens", year="2020", title="Rehab", doi="10.5555/new.kirk"),
        entry("y", author="Kirk, J.", year="2020", title="Rehab", doi="10.5555/NEW.KIRK"),
        entry("z", author="Kirk, J.", year="2020", title="rehab!"),
    ])
    assert statuses(plan) == [("added", "x"), ("present", "x"), ("matched", "x")]


def test_apply_adds_the_new_entries_and_keeps_every_other_byte(tmp_path):
    path = tmp_path / "references.bib"
    path.write_text(BIB, encoding="utf-8")
    references = load_references(path)
    plan = plan_merge(references, [
        entry("new2024", author="New, A.", year="2024", title="New", doi="10.5555/new.5"),
        entry("aero", title="X", doi="10.5555/evidence.article.1"),
    ], metadatasource="import 2026-12-01")
    plan.apply(references)
    assert references.write()
    text = path.read_text(encoding="utf-8")
    assert text.startswith(BIB)
    assert text[len(BIB):] == ("\n@article{new2024,\n  author = {New, A.},\n  title = {New},\n"
                               "  year = {2024},\n  doi = {10.5555/new.5},\n"
                               "  metadatasource = {import 2026-12-01},\n"
                               f"  fieldhashes = {{author:{value_hash('New, A.')} "
                               f"entrytype:{value_hash('article')} title:{value_hash('New')} "
                               f"year:{value_hash('2024')}}}\n}}\n")
    again = load_references(path)
    assert not plan_merge(again, [entry("new2024", title="New", doi="10.5555/NEW.5")]).added
