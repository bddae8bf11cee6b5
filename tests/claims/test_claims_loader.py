"""claims.yaml validation: every error names the file, the line and the claim."""

from evidence.claims.loader import parse_claims


def load(text):
    return parse_claims(text, "claims.yaml")


def messages(text):
    return [str(p) for p in load(text)[1]]


def test_a_valid_file_loads_with_lines():
    claims_file, problems = load(
        "guide:\n  title: T\n  language: da\nclaims:\n"
        "  - id: a\n    quote: \"Q\"\n    type: symptom\n"
        "    evidence:\n      - source: k\n        direct: false\n        locator: p. 3\n"
        "    review:\n      status: verified\n      by: Ann\n      on: 2026-01-02\n"
        "not_claims:\n  - quote: \"x\"\n    reason: instruction\n"
    )
    assert problems == []
    claim = claims_file.claims[0]
    assert (claim.id, claim.type, claim.line) == ("a", "symptom", 5)
    link = claim.evidence[0]
    assert (link.source, link.relation, link.direct, link.locator, link.line) == (
        "k", "supports", False, "p. 3", 9)
    assert (claim.review.status, claim.review.by, claim.review.on) == (
        "verified", "Ann", "2026-01-02")
    assert claims_file.meta.language == "da"
    assert claims_file.not_claims[0].reason == "instruction"


def test_malformed_yaml_names_the_line():
    found = messages("claims:\n  - id: a\n    quote: \"unclosed\n    type: x\n")
    assert len(found) == 1
    assert found[0].startswith("claims.yaml:")
    assert "malformed YAML" in found[0]
    bad_indent = messages("claims:\n  - id: a\n   quote: x\n")
    assert bad_indent[0].startswith("claims.yaml:3: malformed YAML")


def test_duplicate_key_in_one_claim_is_malformed():
    assert "malformed YAML" in messages("claims:\n  - id: a\n    id: b\n")[0]


def test_missing_fields_name_the_claim_and_line():
    found = messages("claims:\n  - id: a\n    type: symptom\n  - quote: q\n    type: symptom\n")
    assert found == [
        "claims.yaml:2: a: the claim has no 'quote' (add 'quote:')",
        "claims.yaml:4: the claim has no 'id' (add 'id:')",
    ]


def test_unknown_type_relation_and_field_suggest_fixes():
    found = messages(
        "claims:\n  - id: a\n    quote: q\n    type: symptoms\n    qoute: x\n"
        "    evidence:\n      - source: k\n        relation: support\n"
    )
    assert "claims.yaml:4: a: unknown claim type 'symptoms' (did you mean 'symptom'?)" in found
    assert "claims.yaml:5: a: unknown field 'qoute' in a claim (did you mean 'quote'?)" in found
    assert ("claims.yaml:8: a: unknown relation 'support' (did you mean 'supports'?)"
            in found)


def test_direct_must_be_boolean_and_dates_must_be_dates():
    found = messages(
        "claims:\n  - id: a\n    quote: q\n    type: symptom\n"
        "    evidence:\n      - source: k\n        direct: perhaps\n"
        "    review:\n      status: done\n      on: yesterday\n"
    )
    assert any("claims.yaml:7: a: 'direct' must be true or false" in f for f in found)
    assert any("claims.yaml:9: a: unknown review status 'done'" in f for f in found)
    assert any("claims.yaml:10: a: review date 'yesterday' is not a date" in f for f in found)


def test_empty_consensus_is_a_problem():
    found = messages("claims:\n  - id: a\n    quote: q\n    type: symptom\n    consensus: ''\n")
    assert found[0].startswith("claims.yaml:5: a: 'consensus' is empty")


def test_yaml_tags_cannot_run_code(tmp_path):
    marker = tmp_path / "ran"
    found = messages(f"claims: !!python/object/apply:os.system ['touch {marker}']\n")
    assert found  # reported as a problem...
    assert not marker.exists()  # ...and never executed


def test_a_mapping_as_a_key_is_malformed_yaml_not_a_crash():
    from evidence.claims.loader import parse_claims

    text = "guide:\n  title: T\nclaims:\n? # comment\n  - id: c-1\n    quote: x\n"
    claims_file, problems = parse_claims(text, "claims/g/claims.yaml")
    assert claims_file is None
    assert [p.code for p in problems] == ["claims-invalid"]
    assert "as a key" in problems[0].message
