"""Prefect flows and the `sieve` CLI: wiring only; the work lives in tasks/."""
