"""One lexicon per language: the words check and coverage look for (research, doses, effects)."""
