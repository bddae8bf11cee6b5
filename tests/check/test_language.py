"""language/: one lexicon per language, found by code with the English fallback."""

from __future__ import annotations

from evidence.language import DOSE, LEXICONS, MARKERS, NOTE_LABELS, base_language, lexicon


def test_lexicon_by_code_falls_back_to_english():
    assert set(LEXICONS) == {"da", "en"}
    assert [lexicon(c).language for c in ("da", "DA-dk", "da_DK", "en-GB", "sv", None, "")] == [
        "da", "da", "da", "en", "en", "en", "en"]
    assert base_language("da_DK") == base_language("da-DK") == "da"


def test_doses_read_every_language_units():
    found = [m.group(0) for m in DOSE.finditer("3 sæt af 10-15 reps, 30 til 45 sekunder; week 6")]
    assert found == ["3 sæt", "10-15 reps", "30 til 45 sekunder", "week 6"]
    assert not DOSE.search("i 2025 og 2026")


def test_labels_and_markers_of_every_language_count():
    assert {"vigtigt", "important"} <= NOTE_LABELS
    assert {"ja", "yes", "", "todo"} <= MARKERS
