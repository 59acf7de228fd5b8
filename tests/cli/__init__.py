"""Tests of reportgen/cli/: one module per command."""
