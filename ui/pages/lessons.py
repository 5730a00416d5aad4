"""Placeholder: built in the app issue (#6/#7)."""
import streamlit as st

from ui import session

session.require()
st.title("lessons")
st.info("This page is being built.")
