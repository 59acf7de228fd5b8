"""Hostile-input tests: one module per class of attack in docs/security.md."""
