"""Streamlit view helpers shared by the pages; all computation lives in ``analytics``."""
