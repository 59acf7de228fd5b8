"""Tests of reportgen/batch/."""
