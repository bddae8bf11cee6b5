"""evidence: an evidence and citation database for health guides."""

__version__ = "0.1.0"
