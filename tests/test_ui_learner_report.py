"""ui.learner_report: the printable per-learner report is one escaped, self-contained HTML page."""
from datetime import datetime, timezone

from ui import learner_report

FOUND = {
    "learner": {"user_id": 7, "username": "ann", "display_name": "Ann <script>alert(1)</script> Lee"},
    "cohort": "HIM & 101",
    "assignments": [{"id": 1, "title": "Week 1 <b>", "kind": "cases", "due_at": "2026-03-09T09:00:00Z", "items": 2,
                     "done": 1, "score": 40.0},
                    {"id": 2, "title": "Quiz 1", "kind": "quiz", "due_at": None, "items": 1, "done": 0, "score": None}],
    "average": 40.0,
    "mastery": {"attempts": 6, "components": {"pdx": {"mean": 75.0, "n": 6}, "pcs": {"mean": None, "n": 0}},
                "topics": [{"topic": "sepsis_sequencing", "mean": 50.0, "n": 2},
                           {"topic": "aki_vs_ckd", "mean": 80.0, "n": 6}], "mdc": []},
    "domains": [{"key": "privacy", "n": 2, "correct": 1, "pct": 50.0, "enough": False},
                {"key": "coding_cm", "n": 9, "correct": 6, "pct": 66.7, "enough": True}],
}


class TP:
    title = "Sepsis is sequenced first when it is present on admission"


def test_report_is_escaped_labelled_and_prints():
    page = learner_report.report_html(FOUND, {"sepsis_sequencing": TP()},
                                      generated=datetime(2026, 3, 10, 8, 0, tzinfo=timezone.utc))
    assert page.startswith("<!DOCTYPE html>") and "@page" in page and "@media print" in page
    assert "<script>" not in page and "Ann &lt;script&gt;alert(1)&lt;/script&gt; Lee" in page
    assert "HIM &amp; 101" in page and "Week 1 &lt;b&gt;" in page
    assert "Sepsis is sequenced first" in page and "AKI vs CKD" in page, "tags in words, never ids"
    assert "sepsis_sequencing" not in page and "aki_vs_ckd" not in page
    assert "1 of 2 cases" in page and "not handed in" in page and "prepared 2026-03-10 08:00 UTC" in page
    rows = page.split("<tr")
    few = [r for r in rows if r.startswith(' class="few"')]
    assert len(few) == 2 and "Sepsis" in few[0] and "Privacy and security" in few[1], "small numbers are greyed"
    assert "Procedures" not in page, "a component never scored is not listed"
    assert "fewer than 5 answers" in page and "synthetic" in page
