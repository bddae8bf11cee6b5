"""The published database: its schema, its rows, and the full and incremental builds."""
