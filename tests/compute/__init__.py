"""Tests of reportgen/compute/."""
