"""Tests of reportgen/charts/."""
