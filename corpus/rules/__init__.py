"""The shared detection engine: one rule catalogue for ingest and review."""
