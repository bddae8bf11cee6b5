"""A small project that exercises every page of the publication.

Two guides (one Danish, one English), every basis, an indirect and a
contested claim, a retracted and a corrected source, HTML in a quote and in a
title, Danish compounds for prefix search.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.conftest import write_project

SCRIPT = "<script>alert(1)</script>"

GUIDE = f"""\
Hasesenerne kan blive overbelastede hos løbere. Det er en guide om knæet.

## Hvad er det?

Tendinopati er en overbelastningsskade i senen, og den rammer ofte hasesenerne.

- Semimembranosus fæster medialt på tibia
- Biceps femoris fæster lateralt

## Behandling

Progressiv belastning er centralt i behandlingen. Excentrisk træning hjælper måske.
Massage hjælper kortvarigt. Du kan gå en tur hver dag.

### Injektioner

Kortisoninjektioner anbefales ikke rutinemæssigt. Redaktøren skrev {SCRIPT} ved en fejl.

## Prognose

De fleste bliver raske på tre til seks måneder.
"""

CLAIMS = f"""\
guide:
  title: Hasesener for løbere
  language: da
claims:
  - id: h-overload-runners
    quote: "Hasesenerne kan blive overbelastede hos løbere."
    type: epidemiology
    evidence:
      - source: cohort2019
        relation: supports
        locator: "Table 2"
  - id: h-definition
    quote: "Tendinopati er en overbelastningsskade i senen"
    type: definition
    consensus: "Standard definition."
    review:
      status: verified
      by: AB
      on: 2025-01-02
  - id: h-semimembranosus
    quote: "Semimembranosus fæster medialt på tibia"
    type: anatomy
    evidence:
      - source: review2022
        relation: supports
  - id: h-loading
    quote: "Progressiv belastning er centralt i behandlingen."
    type: treatment
    evidence:
      - source: trial2020
        relation: supports
        locator: "p. 12"
      - source: review2022
        relation: supports
  - id: h-eccentric
    quote: "Excentrisk træning hjælper måske."
    type: treatment
    evidence:
      - source: trial2020
        relation: supports
        direct: false
        note: "Trial in Achilles tendinopathy."
  - id: h-massage
    quote: "Massage hjælper kortvarigt."
    type: treatment
    evidence:
      - source: case2018
        relation: supports
      - source: cohort2019
        relation: contradicts
  - id: h-walk
    quote: "Du kan gå en tur hver dag."
    type: lifestyle
  - id: h-cortisone
    quote: "Kortisoninjektioner anbefales ikke rutinemæssigt."
    type: safety
    evidence:
      - source: retracted2015
        relation: supports
  - id: h-script
    quote: "Redaktøren skrev {SCRIPT} ved en fejl."
    type: safety
    review:
      status: needs-source
  - id: h-prognosis
    quote: "De fleste bliver raske på tre til seks måneder."
    type: prognosis
    evidence:
      - source: corrected2021
        relation: supports
"""

ENGLISH_GUIDE = """\
Runners often get knee pain.

## Treatment

Load management helps most runners.
"""

ENGLISH_CLAIMS = """\
guide:
  title: Knee pain in runners
  language: en
claims:
  - id: e-load
    quote: "Load management helps most runners."
    type: treatment
    evidence:
      - source: trial2020
        relation: supports
"""

BIB = """\
@article{trial2020,
  author = {Smith, John and Jensen, Åse},
  title = {Progressive loading for hamstring tendinopathy: a randomised trial},
  journal = {J Test},
  year = {2020},
  volume = {1},
  number = {2},
  pages = {10--20},
  doi = {10.1234/trial.2020},
  studydesign = {randomised-trial},
  metadatasource = {manual}
}

@article{cohort2019,
  author = {Nielsen, Hans},
  title = {Hamstring overload in runners: a cohort study},
  journal = {Scand J Test},
  year = {2019},
  doi = {10.1234/cohort.2019},
  studydesign = {cohort},
  metadatasource = {manual}
}

@article{case2018,
  author = {Olsen, Pia},
  title = {Massage for a runner: a case report},
  journal = {Case Rep Test},
  year = {2018},
  studydesign = {case-report},
  metadatasource = {manual}
}

@article{review2022,
  author = {Sederberg, M. and Cushman, D. M.},
  title = {Distal semimembranosus tendinopathy: <i>a</i> narrative review},
  journal = {PM R},
  year = {2022},
  doi = {10.1002/pmrj.12667},
  studydesign = {narrative-review},
  metadatasource = {manual}
}

@article{retracted2015,
  author = {Fake, Frank},
  title = {Cortisone cures everything},
  journal = {J Retract},
  year = {2015},
  doi = {10.1234/retracted.2015},
  studydesign = {randomised-trial},
  metadatasource = {manual},
  updates = {retraction 10.1234/notice.2016 2016-03-01 retraction-watch}
}

@article{corrected2021,
  author = {Berg, Lise},
  title = {Recovery times in hamstring tendinopathy},
  journal = {J Test},
  year = {2021},
  doi = {10.1234/corrected.2021},
  studydesign = {cross-sectional},
  metadatasource = {manual},
  updates = {correction 10.1234/erratum.2022 2022-02-01 publisher}
}
"""

FINDING_MESSAGE = "Check <b>this</b> claim"


def make_project(root: Path) -> Path:
    write_project(root, guide=GUIDE, claims=CLAIMS, bib=BIB, guide_id="hasesener")
    write_project(root, guide=ENGLISH_GUIDE, claims=ENGLISH_CLAIMS, bib=None,
                  guide_id="knee-pain")
    return root


def build_project(root: Path) -> Path:
    """Build the project's database, plus one finding with HTML in its message."""
    from evidence.database.build import build

    make_project(root)
    database = root / "evidence.db"
    build(root, database, force=True)
    with sqlite3.connect(database) as conn:
        conn.execute(
            "insert into findings (guide_id, claim_id, source_id, severity, code, message) "
            "values ('hasesener', 'h-script', null, 'error', 'test-finding', ?)",
            [FINDING_MESSAGE])
    return database


def build_retired_project(root: Path) -> Path:
    """The project with h-walk reviewed, then retired (`evidence review`, `evidence
    retire`; HTML in the editor's name, the note and the reason), built."""
    import pytest
    from click.testing import CliRunner

    from evidence.cli import cli
    from evidence.database.build import build

    make_project(root)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("EVIDENCE_EDITOR", f"Ada {SCRIPT}")
        env.setenv("EVIDENCE_NOW", "2026-12-01T10:00:00Z")
        for args in (["review", "h-walk", "--status", "disputed", "--note", f"No {SCRIPT}"],
                     ["retire", "h-walk", "--reason", f"Deleted from the guide {SCRIPT}",
                      "--on", "2026-12-01"]):
            result = CliRunner().invoke(cli, [*args, "--project", str(root)])
            assert result.exit_code == 0, result.output
    build(root)
    return root / "evidence.db"
