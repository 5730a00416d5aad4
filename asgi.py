"""ChartLab's server entry point: `streamlit run asgi.py` (what `make run` does).

It serves the router `streamlit_app.py` exactly as `streamlit run streamlit_app.py` would, plus
the sign-in cookie route of `ui.session_cookie` (an HttpOnly cookie needs a real HTTP response;
`st.App` is Streamlit's way to add one), and, at startup with `CHARTLAB_DEMO=1`, seeds the demo
cohort once (`progress.demo.seed_if_requested`; the sign-in details are printed on this
console). Nothing else belongs here.
"""
import asyncio
import contextlib

import streamlit as st

from progress.demo import seed_if_requested
from ui import session_cookie


@contextlib.asynccontextmanager
async def startup(app):
    await asyncio.to_thread(seed_if_requested, say=lambda text: print(text, flush=True))
    yield


app = st.App("streamlit_app.py", routes=session_cookie.routes(), lifespan=startup)
