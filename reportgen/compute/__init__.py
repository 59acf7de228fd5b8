"""Compute: every figure a briefing prints, its range and its words, from a loaded bundle."""
