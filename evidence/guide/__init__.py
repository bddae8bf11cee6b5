"""The guide's text: guide.md split into sections and blocks, and quotes anchored in it."""
