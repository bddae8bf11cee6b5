"""BibTeX and biblatex entry types as CSL types: a table, apart from the LaTeX-decoding
mapping (:mod:`evidence.bib.csl`), for readers of the database that parse nothing."""

# The key, in a CSL item's ``custom`` object (CSL-JSON 1.0.2's place for data
# no style reads), of the name variables whose BibTeX list ends with ``and
# others``: CSL has no name for "and more", so it is kept beside the names.
AND_OTHERS = "and-others"

# BibTeX / biblatex entry type -> CSL type (CSL 1.0.2 vocabulary).
TYPES = {
    "article": "article-journal",
    "book": "book",
    "mvbook": "book",
    "bookinbook": "chapter",
    "booklet": "pamphlet",
    "collection": "book",
    "mvcollection": "book",
    "proceedings": "book",
    "mvproceedings": "book",
    "reference": "book",
    "mvreference": "book",
    "inbook": "chapter",
    "incollection": "chapter",
    "suppbook": "chapter",
    "suppcollection": "chapter",
    "inreference": "entry-encyclopedia",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "manual": "book",
    "misc": "document",
    "online": "webpage",
    "electronic": "webpage",
    "www": "webpage",
    "patent": "patent",
    "periodical": "periodical",
    "suppperiodical": "article-journal",
    "report": "report",
    "techreport": "report",
    "thesis": "thesis",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "unpublished": "manuscript",
    "dataset": "dataset",
    "software": "software",
    "standard": "standard",
    "artwork": "graphic",
    "image": "graphic",
    "audio": "song",
    "music": "song",
    "video": "motion_picture",
    "movie": "motion_picture",
    "letter": "personal_communication",
    "review": "review",
    "jurisdiction": "legal_case",
    "legislation": "legislation",
    "legal": "legislation",
    "performance": "performance",
}
