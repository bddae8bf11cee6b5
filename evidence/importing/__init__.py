"""Importing a guide: a document or pasted text becomes guide.md, and its
statements become claim stubs in claims.yaml (``evidence import``, ``evidence draft``)."""
