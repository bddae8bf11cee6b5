"""Publishing evidence.db with Datasette (DESIGN §7)."""
