"""Parquet snapshots: the schema (schema.py), the atomic writer (writer.py), listing and loading (store.py)."""
