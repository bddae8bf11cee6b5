"""references.bib: sources, DOIs, names, LaTeX, update notices, the printed reference list."""
