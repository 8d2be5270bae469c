"""Model backends: openai (any OpenAI-compatible endpoint), offline (no model), mock (tests)."""
