"""The plain-text rules (docs/import.md), on texts written for them."""

from __future__ import annotations

from evidence.importing.guidefile import read_input
from evidence.importing.plaintext import is_heading_line, read_plain_text
from tests.importing.support import structure

DANISH = """\
Knæsmerter er almindelige hos løbere. Denne tekst er skrevet til dig, der løber.
Hvad er løberknæ?
Løberknæ er en irritation af vævet på ydersiden af knæet.
Symptomer
De typiske tegn er:
• Smerte på ydersiden af knæet
• Smerte, der tager til på lange ture
Behandling
1. Reducer løbemængden i to uger
2) Styrk hoftemusklerne
* Løb på blødt underlag
- Undgå lange ture ned ad bakke
Sådan gør du:
Læg dig på siden
Løft det øverste ben langsomt
Genoptræning og livsstil.
Søvn
Sov 7-9 timer hver nat.
Kilder
Jensen A, Holm B. Løberknæ. Ugeskr Laeger. 2020;182(3):V10190. DOI: 10.5555/evidence.test.plain.1
"""

ENGLISH = """\
Runner's knee is common.

What is runner's knee?

It is an irritation of the tissue on the outside of the knee.
Signs
- Pain on the outside of the knee
- Pain that builds on long runs
2.1 Reduce your load
Run less for two weeks.
## Already marked
Lines marked as Markdown headings keep their level.
Table	of	doses
References
Smith J. Runner's knee. J Test. 2020;1(2):10-20. DOI: 10.5555/evidence.test.plain.2
"""


def test_headings_are_short_standalone_lines_not_closing_a_sentence() -> None:
    assert is_heading_line("Hvad er løberknæ?")  # questions count
    assert is_heading_line("Fase 1: Symptomkontrol (Uge 1-2)")
    assert not is_heading_line("Sov 7-9 timer hver nat.")
    assert not is_heading_line("De typiske tegn er:")
    assert not is_heading_line("smerte om natten")  # no capital: the rest of a sentence
    assert not is_heading_line(" ".join(["ord"] * 16).capitalize())  # too long
    assert not is_heading_line("Wait!")


def test_danish_plain_text() -> None:
    blocks, notes = read_plain_text(DANISH)
    read = [(b.kind, b.text) for b in blocks]
    assert ("heading", "Hvad er løberknæ?") in read
    assert ("heading", "Symptomer") in read and ("heading", "Behandling") in read
    assert ("heading", "Søvn") in read and ("heading", "Kilder") in read
    assert ("paragraph", "De typiske tegn er:") in read
    # •, -, * and numbered lines are items; the numbering is kept
    assert ("item", "Smerte på ydersiden af knæet") in read
    assert ("item", "Løb på blødt underlag") in read
    assert ("item", "Undgå lange ture ned ad bakke") in read
    numbered = [b.marker for b in blocks if b.kind == "item" and b.marker != "-"]
    assert numbered == ["1.", "2)"]
    # lines that read as headings right after a lead-in are its list (bullets lost)
    assert ("item", "Læg dig på siden") in read
    assert ("item", "Løft det øverste ben langsomt") in read
    # a line that closes a sentence stays a paragraph, and the editor is told
    assert ("paragraph", "Genoptræning og livsstil.") in read
    assert not any("Genoptræning" in str(n) for n in notes)  # notes come from the file step


def test_english_plain_text_levels_and_marked_headings(tmp_path) -> None:
    source = tmp_path / "guide.txt"
    source.write_text(ENGLISH, encoding="utf-8")
    text = read_input(source)
    blocks = structure(text.markdown)
    assert ("heading", 2, "What is runner's knee?") in blocks
    assert ("heading", 2, "Signs") in blocks
    assert ("heading", 3, "2.1 Reduce your load") in blocks  # the level from the numbering
    assert ("heading", 2, "Already marked") in blocks
    assert ("item", 0, "Pain on the outside of the knee") in blocks
    # the reference list: one printed source a line, as items
    assert blocks[-1][0] == "item" and blocks[-1][2].startswith("Smith J.")
    assert any("tabs" in str(n) and n.line == 13 for n in text.notes)


def test_the_text_is_kept_verbatim(tmp_path) -> None:
    line = "Det – og “dette” … er ‘vigtigt’ — ikke sandt; 10-15 % per uge."
    source = tmp_path / "t.txt"
    source.write_text(f"Overskrift\n{line}\n", encoding="utf-8")
    markdown = read_input(source).markdown
    assert markdown == f"## Overskrift\n\n{line}\n"


def test_a_short_line_before_a_heading_that_ends_with_a_period_is_named(tmp_path) -> None:
    source = tmp_path / "t.txt"
    source.write_text(DANISH, encoding="utf-8")
    text = read_input(source)
    [note] = [n for n in text.notes if "Genoptræning og livsstil." in str(n)]
    assert note.line == 16 and "delete the period" in note.message
