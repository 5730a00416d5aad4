"""ChartLab's server entry point: `streamlit run asgi.py` (what `make run` does).

It serves the router `streamlit_app.py` exactly as `streamlit run streamlit_app.py` would, plus
the sign-in cookie route of `ui.session_cookie` (an HttpOnly cookie needs a real HTTP response;
`st.App` is Streamlit's way to add one). Nothing else belongs here.
"""
import streamlit as st

from ui import session_cookie

app = st.App("streamlit_app.py", routes=session_cookie.routes())
