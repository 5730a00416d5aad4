"""Deployment defaults (issue 15, item 8): `make run` binds 127.0.0.1 unless CHARTLAB_HOST opens
it, Streamlit shows no error details outside development, and the page icon is shipped."""
from __future__ import annotations

import ast
import os
import subprocess
import tomllib
from pathlib import Path

from streamlit.config import ShowErrorDetailsConfigOptions

ROOT = Path(__file__).resolve().parent.parent


def _make_run(**env) -> str:
    """The streamlit command `make run` would execute (dry run: nothing is started)."""
    environment = {k: v for k, v in os.environ.items() if k not in ("CHARTLAB_HOST", "CHARTLAB_DEV", "CHARTLAB_DEMO")}
    out = subprocess.run(["make", "-n", "run"], cwd=ROOT, env={**environment, **env}, capture_output=True,
                         text=True, timeout=60, check=True).stdout
    return next(line for line in out.splitlines() if "streamlit run" in line)


def test_make_run_listens_on_this_machine_unless_told_otherwise():
    assert '--server.address "127.0.0.1"' in _make_run()
    assert '--server.address "0.0.0.0"' in _make_run(CHARTLAB_HOST="0.0.0.0")
    assert "showErrorDetails" not in _make_run()
    assert "--client.showErrorDetails full" in _make_run(CHARTLAB_DEV="1")


def test_streamlit_config_hides_error_details_and_binds_locally():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    details = config["client"]["showErrorDetails"]
    assert details == ShowErrorDetailsConfigOptions.NONE.value   # "false" would still mean "stacktrace"
    assert config["client"]["showErrorLinks"] is False
    assert config["server"]["address"] == "127.0.0.1"
    assert config["browser"]["gatherUsageStats"] is False


def test_the_page_icon_is_a_shipped_file_not_a_font_cdn_icon():
    """Streamlit 1.67 turns a ':material/...:' page icon into a favicon URL on fonts.gstatic.com;
    an image file is served by the app itself."""
    tree = ast.parse((ROOT / "streamlit_app.py").read_text())
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "set_page_config"]
    icon = next(k.value for c in calls for k in c.keywords if k.arg == "page_icon")
    assert not (isinstance(icon, ast.Constant) and str(icon.value).startswith(":material"))
    assert "chartlab-icon.png" in ast.unparse(icon)
    shipped = ROOT / "assets" / "chartlab-icon.png"
    assert shipped.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
