"""Tenure pipelines: ingestion, warehouse, models and the read API (no Streamlit here)."""
