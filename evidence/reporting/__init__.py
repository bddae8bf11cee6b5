"""What every command's report shares: long reports summarised (summarise)."""
