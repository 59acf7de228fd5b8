"""Revisions: what a briefing stated (records), how two briefings differ (compare), in words (wording)."""
