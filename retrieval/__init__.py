"""Ingestion, storage and hybrid search of article passages."""
