"""Streamlit-only helpers: cached access to pipelines.metrics, shared widgets, chart builders."""
