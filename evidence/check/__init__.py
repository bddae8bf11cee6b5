"""The editorial check: finding codes (the contract), the rules, the report, coverage."""
