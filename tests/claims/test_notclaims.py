"""A non-claim recorded in claims.yaml: the entry added, the file as tidy as it was."""

from __future__ import annotations

import pytest

from evidence.claims.notclaims import not_claim_in_text

CLAIMS = '''\
claims:
  - id: a
    quote: "A b c."
    type: anatomy
'''
RETIRED = '''\
retired:
  - id: old
    quote: "Old words."
    reason: "Gone."
    on: 2025-01-01
'''
NEW = '''\
  - quote: "New one."
    reason: "Because."
'''


@pytest.mark.parametrize(("text", "expected"), [
    # the blank line before retired: stays before it, not between the entries
    (CLAIMS + '\nnot_claims:\n  - quote: "X y."\n    reason: "No."  # why\n\n' + RETIRED,
     CLAIMS + '\nnot_claims:\n  - quote: "X y."\n    reason: "No."  # why\n' + NEW + "\n"
     + RETIRED),
    (CLAIMS + '\nnot_claims:\n  - quote: "X y."\n    reason: "No."\n# Taken out\n' + RETIRED,
     CLAIMS + '\nnot_claims:\n  - quote: "X y."\n    reason: "No."\n' + NEW + "# Taken out\n"
     + RETIRED),
    # a new list goes before retired:, in the file's spacing
    (CLAIMS + "\n# Claims taken out\n" + RETIRED,
     CLAIMS + "\nnot_claims:\n" + NEW + "\n# Claims taken out\n" + RETIRED),
    (CLAIMS + RETIRED, CLAIMS + "not_claims:\n" + NEW + RETIRED),
    (CLAIMS, CLAIMS + "not_claims:\n" + NEW),
    (CLAIMS + '\nnot_claims:\n  - quote: "X y."\n    reason: "No."\n',
     CLAIMS + '\nnot_claims:\n  - quote: "X y."\n    reason: "No."\n' + NEW),
])
def test_the_entry_is_added_and_every_blank_line_stays_where_it_was(text, expected):
    assert not_claim_in_text(text, "claims.yaml", "New one.", "Because.") == expected
