"""Prompt templates (Markdown files) and their loader."""
