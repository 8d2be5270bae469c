"""Offline evaluation harness and its suites."""
