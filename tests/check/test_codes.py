"""Finding codes: load problems carry theirs where they are made, and docs/findings.md is
generated from the code table."""

from __future__ import annotations

import ast
from pathlib import Path

from evidence.check.codes import CODE_BY_NAME

PACKAGE = Path(__file__).resolve().parents[2] / "evidence"


def _code_keywords():
    """(file, line, value node) of every ``code=`` keyword and ``code`` parameter default."""
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if keyword.arg == "code":
                        yield path, keyword.value.lineno, keyword.value
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                args = node.args
                positional = args.posonlyargs + args.args
                pairs = list(zip(positional[len(positional) - len(args.defaults):],
                                 args.defaults, strict=True))
                pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)
                          if d is not None]
                for arg, default in pairs:
                    if arg.arg == "code":
                        yield path, default.lineno, default


def test_every_code_given_to_a_problem_is_in_the_table():
    seen = set()
    for path, line, value in _code_keywords():
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            assert value.value in CODE_BY_NAME, f"{path}:{line}: unknown code {value.value!r}"
            seen.add(value.value)
    # The load problems that exist today (a smoke test that the scan finds them).
    assert {"claims-invalid", "bibtex-invalid", "citekey-unknown", "quote-not-found",
            "quote-ambiguous", "guide-missing", "doi-invalid"} <= seen


def test_every_problem_is_made_with_a_code():
    """Problem and AnchorFailure take ``code`` as a required keyword: every call names it."""
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in ("Problem", "AnchorFailure"):
                assert any(k.arg == "code" for k in node.keywords), f"{path}:{node.lineno}"


def test_findings_document_shows_the_generated_table():
    """docs/findings.md's table is the code table (regenerate it with
    ``python -m evidence.check.codes --write docs/findings.md``)."""
    from evidence.check.codes import markdown_table, with_table

    docs = PACKAGE.parent / "docs" / "findings.md"
    text = docs.read_text(encoding="utf-8")
    assert text == with_table(text)
    assert markdown_table() in text
