"""Printable reports built from the read API: no Streamlit here, so they can run from the CLI too."""
