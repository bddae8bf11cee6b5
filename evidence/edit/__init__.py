"""The editor's verbs on the validated project: review (and, next, reanchor, retire, draft).

Each verb reads the project, decides, and writes claims.yaml through the
round-trip edits of :mod:`evidence.claims`; the CLI and the editor's desk
call the same functions.
"""
