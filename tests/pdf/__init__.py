"""Tests of reportgen/pdf/."""
