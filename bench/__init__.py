"""Benchmarks: each module is a script printing one JSON object (see bench/README.md)."""
