"""A per-learner progress report as one self-contained HTML page that prints well (the browser's
"Print" or "Save as PDF"): assignments with scores, mean per component, weakest topics and MDCs
with counts, quiz and exam results by domain. Pure: no Streamlit; every value is HTML-escaped.
The figures come from `progress.learner_report`."""
from __future__ import annotations

from datetime import datetime
from html import escape

import progress
from ui import labels

STYLE = """
@page { size: auto; margin: 16mm 14mm; }
body { font-family: "Helvetica Neue", Arial, sans-serif; color: #111; font-size: 11pt; line-height: 1.35;
       max-width: 48rem; margin: 1.5rem auto; padding: 0 1rem; }
h1 { font-size: 18pt; margin: 0 0 .2rem; } h2 { font-size: 13pt; margin: 1.4rem 0 .4rem; border-bottom: 1px solid #999; }
p.meta { color: #444; margin: 0 0 .8rem; }
table { border-collapse: collapse; width: 100%; margin: .3rem 0 .6rem; page-break-inside: avoid; }
th, td { border: 1px solid #bbb; padding: .25rem .45rem; text-align: left; vertical-align: top; }
th { background: #eee; } td.num { text-align: right; white-space: nowrap; }
tr.few td { color: #777; }
.note { font-size: 9.5pt; color: #444; }
@media print { body { margin: 0; max-width: none; } a { color: inherit; text-decoration: none; } }
"""


def _table(head: list[str], body: list[list[tuple[str, bool]]], few: list[bool] | None = None) -> str:
    """An HTML table; each cell is (text, numeric); `few` marks rows from fewer than MIN_N answers."""
    rows = []
    for n, row in enumerate(body):
        cls = ' class="few"' if few and few[n] else ""
        cells = "".join(f'<td class="num">{escape(t)}</td>' if num else f"<td>{escape(t)}</td>" for t, num in row)
        rows.append(f"<tr{cls}>{cells}</tr>")
    return ("<table><thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in head) + "</tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _status(a: dict) -> str:
    if a["kind"] == "cases":
        return f"{a['done']} of {a['items']} cases"
    return "handed in" if a["done"] else "not handed in"


def assignments_table(found: dict) -> str:
    body = [[(a["title"], False), (labels.ASSIGNMENT_KIND[a["kind"]], False), (labels.when(a["due_at"], "no due date"), False),
             (_status(a), False), (_score(a["score"]), True)] for a in found["assignments"]]
    return _table(["Assignment", "Kind", "Due", "Done", "Score"], body) if body else "<p>No assignments yet.</p>"


def components_table(mastery: dict) -> str:
    body = [[(labels.component_label(c), False), (_score(v["mean"]), True), (str(v["n"]), True)]
            for c, v in mastery["components"].items() if v["n"]]
    return _table(["Component", "Mean %", "Attempts"], body) if body else "<p>No cases submitted yet.</p>"


def topics_table(mastery: dict, teaching: dict, limit: int = 12) -> str:
    found = mastery["topics"][:limit]
    body = [[(labels.topic_label(t["topic"], teaching), False), (_score(t["mean"]), True), (str(t["n"]), True)]
            for t in found]
    few = [t["n"] < progress.MIN_N for t in found]
    return _table(["Topic (weakest first)", "Mean %", "Attempts"], body, few) if body else "<p>No topics practised yet.</p>"


def domains_table(domains: list[dict]) -> str:
    body = [[(labels.domain_label(d["key"]), False), (f"{d['correct']} of {d['n']}", True), (_score(d["pct"]), True)]
            for d in domains]
    few = [not d["enough"] for d in domains]
    return _table(["Domain (weakest first)", "Correct", "%"], body, few) if body else "<p>No questions answered yet.</p>"


def report_html(found: dict, teaching: dict | None = None, *, generated: datetime | None = None) -> str:
    """The whole printable page for `progress.learner_report(...)`'s figures."""
    learner, mastery = found["learner"], found["mastery"]
    stamp = labels.when(progress.iso(generated or progress.utcnow()))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>ChartLab progress report: {escape(learner['display_name'])}</title>
<style>{STYLE}</style></head><body>
<h1>Progress report: {escape(learner['display_name'])}</h1>
<p class="meta">{escape(learner['username'])} · {escape(found['cohort'])} · prepared {escape(stamp)} ·
average of scored assignments {escape(_score(found['average']))}</p>
<h2>Assignments</h2>
{assignments_table(found)}
<h2>Coding cases by component</h2>
<p class="note">{mastery['attempts']} submitted case{'s' if mastery['attempts'] != 1 else ''} (practice and assignments).</p>
{components_table(mastery)}
<h2>Topics</h2>
{topics_table(mastery, teaching or {})}
<h2>Quiz and exam questions by domain</h2>
{domains_table(found['domains'])}
<p class="note">Grey rows rest on fewer than {progress.MIN_N} answers: too few to read much into.
Every chart in ChartLab is synthetic: invented patients, written for coding practice.
Scores are ChartLab practice scores, not a credentialing body's scaled scores.</p>
</body></html>
"""
