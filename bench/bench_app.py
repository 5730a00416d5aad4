"""Benchmark: the app's first page cold, and resident memory after a learner opens a case.

Starts `streamlit run` on a fresh database, loads the first page in Debian's chromium (Playwright)
and times it; signs a learner in, opens the workspace and a practice case, then reads the server's
VmRSS. Budgets (DESIGN.md): first page <= 3 s cold; resident memory <= 400 MB.
Baseline in the same run: the second (warm) load of the same page.
"""
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main():
    from playwright.sync_api import sync_playwright
    tmp = tempfile.mkdtemp()
    env = dict(os.environ, CHARTLAB_DB=f"{tmp}/bench.db", CHARTLAB_CACHE_DIR=str(ROOT / "data" / "cache"))
    subprocess.run([sys.executable, "-c", "import progress; progress.provision_user('bench', 'Coding-2026-practice!', 'learner', 'Bench Learner')"],
                   env=env, check=True, cwd=ROOT)
    port = free_port()
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "asgi.py", "--server.headless", "true",
                             "--server.port", str(port)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        server_ready = time.perf_counter() - t0
        with sync_playwright() as pw:
            b = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu",
                                                                               "--disable-background-networking"])
            page = b.new_page(viewport={"width": 1280, "height": 800})
            t = time.perf_counter()
            page.goto(url)
            page.get_by_text("Sign in to ChartLab").wait_for()
            cold = time.perf_counter() - t
            t = time.perf_counter()
            page.reload()
            page.get_by_text("Sign in to ChartLab").wait_for()
            warm = time.perf_counter() - t
            page.get_by_label("Username", exact=True).fill("bench")
            page.get_by_label("Password", exact=True).fill("Coding-2026-practice!")
            page.get_by_role("button", name="Sign in").click()
            t = time.perf_counter()
            page.get_by_role("link", name="Case workspace").click()
            page.get_by_role("tab", name="Practice by topic").click()
            page.get_by_role("button", name="Open a new practice case").click()
            page.get_by_text("SYNTHETIC").first.wait_for()
            open_case = time.perf_counter() - t
            b.close()
        print(f"server ready (process start to health)   {server_ready:6.2f} s")
        print(f"first page, cold                          {cold:6.2f} s   (goal <= 3 s)")
        print(f"first page, warm reload (baseline)        {warm:6.2f} s   ratio cold/warm {cold / warm:.1f}x")
        print(f"sign in -> workspace -> open a case       {open_case:6.2f} s")
        print(f"server resident memory after that         {rss_mb(proc.pid):6.0f} MB  (goal <= 400 MB)")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
