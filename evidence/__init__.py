"""evidence: an evidence and citation database for health guides."""

__version__ = "0.1.0"
# The published database's schema (evidence/models.py); here so that checking
# whether evidence.db is up to date needs no SQLAlchemy import.
SCHEMA_VERSION = "6"
