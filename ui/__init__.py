"""Streamlit pages and widgets: the only package that imports streamlit. Pages are thin:
widgets call domain functions (codes, cases, scoring, progress, lessons) and show results."""
