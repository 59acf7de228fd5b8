"""Tests of reportgen/engines/."""
