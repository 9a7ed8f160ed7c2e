"""Sieve's stages and their plumbing: readers, dedup, detectors, routing, writers, provenance."""
