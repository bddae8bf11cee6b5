"""claims.yaml: the claim model, its loading with line numbers, pins and round-trip edits."""
