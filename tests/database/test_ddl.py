"""evidence/database/ddl.py is what SQLAlchemy compiles from the models."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from evidence.database import schema
from evidence.database.ddl import INDEXES, TABLES

DDL = Path(schema.__file__).with_name("ddl.py")


def test_ddl_module_is_generated_from_the_models():
    assert DDL.read_text(encoding="utf-8") == schema.ddl_module(), (
        "the models changed: .venv/bin/python -m evidence.database.schema > "
        "evidence/database/ddl.py")


def test_every_table_and_index_of_the_models_is_in_it():
    assert [t.name for t in TABLES] == [t.name for t in schema.Base.metadata.sorted_tables]
    assert len(INDEXES) == sum(len(t.indexes) for t in schema.Base.metadata.sorted_tables)


def test_a_build_imports_no_sqlalchemy(tmp_path):
    code = ("import sys; from evidence.cli import cli\n"
            "try:\n    cli(['build', '--force', '--project', sys.argv[1]])\n"
            "except SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith('sqlalchemy'))[:3])")
    project = tmp_path / "p"
    (project / "claims" / "g").mkdir(parents=True)
    (project / "references.bib").write_text("", encoding="utf-8")
    (project / "claims" / "g" / "guide.md").write_text("# G\n\nText.\n", encoding="utf-8")
    (project / "claims" / "g" / "claims.yaml").write_text("claims: []\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-c", code, str(project)], capture_output=True,
                         text=True, check=True).stdout
    assert (project / "evidence.db").is_file()
    assert out.strip().splitlines()[-1] == "[]"
