"""Streamlit pages and widgets: the only package that imports streamlit. Pages are thin:
widgets call domain functions (codes, cases, scoring, progress, lessons) and show results."""

__all__ = ["case_workspace", "instructor", "labels", "resources", "results_views", "session", "study", "widgets"]
