"""evidence.db's full-text indexes (FTS5): what the build runs to fill them.

Kept apart from the models (schema.py) so that the build, which writes
through sqlite3 alone, needs no SQLAlchemy for them.
"""

from __future__ import annotations

# Full-text search (FTS5). Datasette detects an FTS table only when it is
# declared with content="<table>" in double quotes. remove_diacritics 0 keeps
# å distinct from a (Danish); prefix indexes make compound-word prefix search fast.
FTS_TABLES = {
    "claims": ("quote", "consensus", "review_note", "note"),
    "sources": ("title", "container_title", "authors", "doi"),
}


# Search that forgives spelling (a second index per table): SQLite's tokenizers never fold
# æ or ø, and Python cannot register an FTS5 tokenizer, so the text is folded in SQL as it
# is indexed, two ways: "digraphs" (æ ae, ø oe, å aa: knæ = knae, årsag = aarsag) and
# "letters" (æ ae, ø o, å a: løb = lob, årsag = arsag); the tokenizer's remove_diacritics 2
# takes the other accents off (é = e). The publication folds a query the same two ways
# (evidence.publish.pages.folded_query) and matches either column; it keeps the exact
# index above for highlighting, and Datasette's own _search stays exact.
FOLDED_TABLES = {"claims": "claims_fold_fts", "sources": "sources_fold_fts"}
FOLDS = {
    "digraphs": (("æ", "ae"), ("Æ", "ae"), ("ø", "oe"), ("Ø", "oe"), ("å", "aa"), ("Å", "aa")),
    "letters": (("æ", "ae"), ("Æ", "ae"), ("ø", "o"), ("Ø", "o"), ("å", "a"), ("Å", "a")),
}


def fold_sql(expression: str, fold: str) -> str:
    for letter, replacement in FOLDS[fold]:
        expression = f"replace({expression}, '{letter}', '{replacement}')"
    return expression


def folded_statements(table: str, where: str = "") -> list[str]:
    """Fill the folded index of ``table`` from its rows (``where``: only some of them)."""
    text = " || ' ' || ".join(f"coalesce([{c}], '')" for c in FTS_TABLES[table])
    folded = FOLDED_TABLES[table]
    return [f"INSERT INTO [{folded}] (rowid, digraphs, letters) "
            f"SELECT rowid, {fold_sql(text, 'digraphs')}, {fold_sql(text, 'letters')} "
            f"FROM [{table}]{(' WHERE ' + where) if where else ''}"]


def fts_statements() -> list[str]:
    statements = []
    for table, columns in FTS_TABLES.items():
        cols = ", ".join(f"[{c}]" for c in columns)
        statements.append(
            f'CREATE VIRTUAL TABLE [{table}_fts] USING FTS5 ({cols}, '
            f"tokenize='unicode61 remove_diacritics 0', prefix='2 3 4', "
            f'content="{table}")'
        )
        statements.append(
            f"INSERT INTO [{table}_fts] (rowid, {cols}) SELECT rowid, {cols} FROM [{table}]"
        )
        statements.append(
            f"CREATE VIRTUAL TABLE [{FOLDED_TABLES[table]}] USING FTS5 (digraphs, letters, "
            f"tokenize='unicode61 remove_diacritics 2', prefix='2 3 4')")
        statements += folded_statements(table)
    return statements
