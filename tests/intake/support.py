"""A references.bib and a guide for the intake tests."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "intake"

BIB = """\
% Sources of the test guide. Comments, macros and layout stay as they are.
@string{jtr = {Journal of Tendon Research}}

@Article{aero2021,
  author = {Ær{\\o}, S. and van der Berg, M.},
  title = {Eccentric loading of the semimembranosus tendon and pain},
  journal = jtr,
  year = {2021},
  pages = {241-7},
  doi = {10.5555/EVIDENCE.article.1},
  studydesign = {randomised-trial},
  metadatasource = {manual}
}

% Resolved before: its DOI is the canonical one, the printed one an alias.
@article{holm2022,
    author = {Holm, L. and Holm, P.},
    title = {Hamstring strength in runners with knee pain},
    journal = {Sports Med Open Res},
    year = {2022},
    doi = {10.5555/evidence.corrected.2.v2},
    doialias = {10.5555/evidence.corrected.2},
    metadatasource = {crossref 2026-11-01}
}

@article{lund2019,
  author = {Lund, A. and Kim, B.},
  title = {Gait sensors},
  journal = {Proc Workshop Running Injuries},
  year = {2019},
  doi = {10.5555/evidence.proc.7},
  metadatasource = {manual}
}

@article{storm2019,
  author = {Storm, K.},
  title = {Platelet-rich plasma cures all tendinopathies},
  journal = {J Tendon Res},
  year = {2019},
  doi = {10.5555/evidence.retracted.3},
  metadatasource = {manual}
}

@book{gray1918,
  author = {Gray, Henry},
  title = {Anatomy of the {Human} Body},
  year = {1918},
  studydesign = {other},
  metadatasource = {manual}
}
"""


def project(tmp_path: Path, bib: str = BIB) -> Path:
    (tmp_path / "references.bib").write_text(bib, encoding="utf-8")
    return tmp_path
