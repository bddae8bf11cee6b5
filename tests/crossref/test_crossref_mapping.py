"""Crossref record → BibTeX fields: unit tests on our fixtures, and a conformance
test replaying every real recorded work in ../shared/crossref/ (skipped when absent)."""

from __future__ import annotations

import copy
import html
import json
import re

import pytest
from bibtexparser.model import Entry, Field

from evidence.bib.references import References, load_references
from evidence.crossref.mapping import (
    ENTRY_TYPES,
    bibtex_text,
    clean_text,
    map_work,
    publication_date,
)
from tests.crossref_support import RECORDED, fixture


def roundtrip(tmp_path, work, key="k"):
    """Write the mapped fields as an entry of a real references.bib and read it back."""
    path = tmp_path / f"{key}.bib"
    refs = References.empty(path)
    refs.add(Entry(work.entry_type, key, [Field(k, v) for k, v in work.fields.items()]))
    refs.write()
    return load_references(path).get(key)


def test_clean_text_strips_tags_entities_and_layout():
    assert clean_text(["A <i>b</i>\n   c &amp; d  "]) == "A b c & d"
    assert clean_text("x\n      <i>KRAS</i>\n      /\n      <i>NRAS</i>\n   y") == "x KRAS/NRAS y"
    assert clean_text([]) == "" and clean_text(None) == ""
    assert clean_text("<mml:math><mml:mi>α</mml:mi></mml:math>-helix") == "α-helix"


def test_bibtex_text_escapes_and_balances():
    assert bibtex_text("50% & #1 $5 a_b") == r"50\% \& \#1 \$5 a\_b"
    assert bibtex_text(r"already \& escaped") == r"already \& escaped"
    assert bibtex_text("a {b} c} {d") == "a {b} c d"
    assert bibtex_text("Ærø Søren") == "Ærø Søren"


def test_journal_article_with_orcids(tmp_path):
    work = map_work(fixture("article_orcid"))
    assert work.entry_type == "article"
    source = roundtrip(tmp_path, work)
    assert [(a.family, a.given, a.orcid) for a in source.authors] == [
        ("Ærø", "Søren", "0000-0002-1825-0097"),
        ("van der Berg", "Marie-Louise", None),
        ("Müller, Jr.", "Jürgen", "0000-0001-5109-370X"),
        ("Nordic Tendon Study Group", None, None),
    ]
    assert source.text("title") == ("Eccentric loading of the semimembranosus tendon & pain: "
                                    "a randomised trial")
    assert source.raw("journal") == "Journal of Tendon Research"
    assert source.raw("shortjournal") == "J Tendon Res"
    # print date wins over the earlier online date: the issue is cited
    assert (source.raw("year"), source.raw("month")) == ("2021", "5")
    assert source.raw("issn") == "1234-5679"  # the print ISSN
    assert source.raw("publisher") is None  # not for journal articles


def test_proceedings_paper(tmp_path):
    work = map_work(fixture("proceedings"))
    source = roundtrip(tmp_path, work)
    assert source.entry_type == "inproceedings"
    assert source.raw("booktitle") == "Proceedings of the 3rd Workshop on Running Injuries"
    assert source.text("title") == "Gait sensors for hamstring load % estimates: a pilot"
    assert source.raw("pages") == "77--84"  # en dash in the record
    assert (source.raw("publisher"), source.raw("isbn")) == ("ACM", "978-1-4503-0000-1")


def test_chapter_and_preprint_types():
    chapter = map_work(fixture("chapter"))
    assert chapter.entry_type == "incollection"
    assert chapter.fields["booktitle"] == "Handbook of Knee Pain"
    assert chapter.fields["editor"] == "Dahl, Eva"
    preprint = map_work(fixture("preprint_v2"))
    assert preprint.entry_type == "misc"
    assert preprint.aliases == ["10.5555/evidence.preprint.4"]
    assert preprint.fields["year"] == "2024"
    assert map_work({"DOI": "10.5555/t", "type": "dissertation", "title": ["T"],
                     "institution": [{"name": "Aarhus University"}]}).fields["school"] == \
        "Aarhus University"
    assert map_work({"DOI": "10.5555/u", "type": "something-new"}).entry_type == "misc"


def test_corrections_and_retractions_from_both_sources():
    corrected = map_work(fixture("corrected"))
    assert corrected.fields["updates"] == (
        "correction 10.5555/evidence.corrected.2.correction 2022-03-01 publisher")
    assert corrected.fields["pages"] == "e1234"  # article number
    retracted = map_work(fixture("retracted"))
    assert [(u.update_type, u.notice_doi, u.updated, u.origin) for u in retracted.updates] == [
        ("retraction", "10.5555/evidence.retraction-notice.3", "2023-02-10", "publisher"),
        ("expression_of_concern", "10.5555/evidence.eoc.3", "2022-08-01", "retraction-watch"),
    ]
    # Retraction Watch alone: its item is kept, with its date-time
    only_rw = copy.deepcopy(fixture("retracted"))
    only_rw["updated-by"] = [only_rw["updated-by"][1]]
    [update] = map_work(only_rw).updates
    assert (update.origin, update.updated) == ("retraction-watch", "2023-02-11")
    # a notice DOI with ';' (old SICI DOIs) stays one item of the field
    sici = copy.deepcopy(fixture("corrected"))
    sici["updated-by"][0]["DOI"] = "10.1002/(SICI)1097-4636(199706)35:4<1::AID-X>3.0.CO;2-X"
    assert map_work(sici).fields["updates"].count(";") == 0


def test_dates():
    assert publication_date({"issued": {"date-parts": [[None]]}}) == []
    assert publication_date({"issued": {"date-parts": [[2020]]}}) == [2020]
    assert publication_date({"published-online": {"date-parts": [[2020, 8, 17]]},
                             "journal-issue": {"published-print": {"date-parts": [[2021, 5]]}},
                             "issued": {"date-parts": [[2020, 8, 17]]}}) == [2021, 5]
    assert publication_date({"created": {"date-parts": [[2004, 6, 22]]}}) == []


def test_not_a_work_record():
    with pytest.raises(ValueError, match="not a Crossref work record"):
        map_work({"items": []})


# -- conformance with the recorded responses -------------------------------------------


def recorded_works():
    if not RECORDED.is_dir():
        return []
    found = []
    for path in sorted(RECORDED.glob("*.json")):
        if path.name.endswith(".meta.json"):
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        if path.name.startswith("item_"):
            found.append(pytest.param(data, id=path.stem))
        elif data.get("message-type") == "work":
            found.append(pytest.param(data["message"], id=path.stem))
    return found


WORKS = recorded_works()


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def _plain(value) -> str:
    value = value[0] if isinstance(value, list) and value else value
    return html.unescape(re.sub(r"<[^>]*>", " ", value or ""))


@pytest.mark.skipif(not RECORDED.is_dir(), reason="../shared/crossref is not present")
def test_every_recorded_work_is_replayed():
    # the README lists 9 full work records (7 /works/{doi} responses, 2 list items)
    assert len(WORKS) >= 9


@pytest.mark.parametrize("message", WORKS)
def test_recorded_work_maps_faithfully(message, tmp_path):
    work = map_work(message)
    source = roundtrip(tmp_path, work)  # valid BibTeX that reads back as written
    assert work.doi == message["DOI"].lower() == source.doi
    assert source.entry_type == ENTRY_TYPES[message["type"]]

    expected_title = _plain(message["title"])
    if message.get("subtitle"):
        expected_title += " " + _plain(message["subtitle"])
    assert _words(source.text("title")) == _words(expected_title)
    for value in work.fields.values():
        assert "\n" not in value and "<" not in value and "  " not in value

    authors = message.get("author", [])
    assert len(source.authors) == len(authors)
    for mine, theirs in zip(source.authors, authors, strict=True):
        if "family" in theirs:
            suffix = theirs.get("suffix")
            assert mine.family == theirs["family"] + (f", {suffix}" if suffix else "")
            assert mine.given == theirs.get("given")
        else:
            assert mine.family == theirs["name"] and mine.given is None
        orcid = theirs.get("ORCID")
        assert mine.orcid == (orcid.rsplit("/", 1)[-1] if orcid else None)

    container = _plain(message.get("container-title") or [""]).strip()
    short = _plain(message.get("short-container-title") or [""]).strip()
    if source.entry_type == "article":
        assert source.text("journal") == container
        assert source.text("shortjournal") == (short if short != container else None)
    elif source.entry_type == "inproceedings":
        assert source.text("booktitle") == container

    assert source.raw("volume") == message.get("volume")
    assert source.raw("number") == (message.get("issue")
                                    or (message.get("journal-issue") or {}).get("issue"))
    page = message.get("page") or message.get("article-number")
    assert (source.raw("pages") or "").replace("--", "-") == (page or "")

    print_date = (message.get("published-print")
                  or (message.get("journal-issue") or {}).get("published-print"))
    issued = (message.get("issued") or {}).get("date-parts", [[None]])[0][0]
    if print_date:
        assert source.raw("year") == str(print_date["date-parts"][0][0])
    elif issued:
        assert source.raw("year") == str(issued)
    else:  # e.g. the IEEE proceedings paper with issued [[null]]: no year, not a guess
        assert source.raw("year") is None

    expected_updates = {(u["type"], u["DOI"].lower()) for u in message.get("updated-by", [])
                        if u["type"] not in ("new_version", "new_edition")
                        and u["DOI"].lower() != work.doi}
    assert {(u.update_type, u.notice_doi) for u in source.updates} == expected_updates


@pytest.mark.skipif(not RECORDED.is_dir(), reason="../shared/crossref is not present")
def test_recorded_specifics():
    def load(name):
        data = json.loads((RECORDED / name).read_text(encoding="utf-8"))
        return data.get("message", data)

    jcp = map_work(load("works_10.1136_jclinpath-2020-206745.json"))
    assert jcp.fields["year"] == "2021"  # issued 2020-08-17 online; cited as the May 2021 issue
    assert "KRAS/NRAS/EGFR/BRAF/MET mutations" in jcp.fields["title"]
    esmo = map_work(load("works_10.1136_esmoopen-2020-000776.json"))
    assert esmo.fields["pages"] == "e000776"
    pone = map_work(load("works_10.1371_journal.pone.0033693.json"))
    assert pone.fields["updates"] == (
        "correction 10.1371/annotation/c76da2c1-ccb8-4797-94c1-359d3ceceeda 2012-05-08 publisher")
    pgen = map_work(load("item_10.1371_journal.pgen.1011490_new_version.json"))
    assert pgen.updates == []  # a new version of itself is not a notice
    notice = map_work(load("item_10.1371_journal.pone.0101381_correction_notice.json"))
    assert notice.fields["author"] == "{The PLOS ONE Staff}"
    chem = map_work(load("works_10.26434_chemrxiv.5406907.v5.json"))
    assert chem.entry_type == "misc" and "10.26434/chemrxiv.5406907" in chem.aliases


@pytest.mark.skipif(not RECORDED.is_dir(), reason="../shared/crossref is not present")
def test_recorded_retraction_arrays_grafted_onto_a_full_record():
    examples = json.loads((RECORDED / "retraction_updated_by_partial_examples.json")
                          .read_text(encoding="utf-8"))["examples"]
    base = json.loads((RECORDED / "works_10.1371_journal.pone.0033693.json")
                      .read_text(encoding="utf-8"))["message"]
    first, second = examples
    work = map_work({**base, "updated-by": first["updated-by"]})
    assert work.fields["updates"] == ("retraction 10.1021/acsami.9b11759 2019-07-26 "
                                      "retraction-watch record=20946")
    work = map_work({**base, "updated-by": second["updated-by"]})
    assert [(u.update_type, u.updated, u.origin) for u in work.updates] == [
        ("correction", "2004-03-06", "retraction-watch"),
        ("retraction", "2010-02-06", "retraction-watch")]
    # the same notice asserted by the publisher too: recorded once
    doubled = first["updated-by"] + [{**first["updated-by"][0], "source": "publisher"}]
    [update] = map_work({**base, "updated-by": doubled}).updates
    assert update.origin == "publisher"
    assert update.record_id == "20946"  # Retraction Watch's record id is kept
