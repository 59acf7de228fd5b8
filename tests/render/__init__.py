"""Tests of reportgen/render/."""
