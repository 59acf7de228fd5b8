"""Batch: many bundles — discovery, cache keys, stale outputs, parallel builds."""
