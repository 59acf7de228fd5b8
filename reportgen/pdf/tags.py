"""Finish WeasyPrint's tagged PDF for PDF/UA: running headers/footers as artifacts, table scopes.

WeasyPrint 70 tags margin-box text (the running title, "Page N of M", the TLP label) with MCIDs
whose structure elements never join the structure tree, so a screen reader meets orphan content;
and it drops the HTML ``scope`` of table headers. Both are repaired here with pikepdf, keeping
the output deterministic.
"""

from __future__ import annotations

import io
import re

import pikepdf
from pikepdf import Array, Dictionary, Name


def _reachable(root: pikepdf.Object) -> set[tuple[int, int]]:
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, Array):
            stack.extend(node)
            continue
        if not isinstance(node, Dictionary):
            continue
        if node.is_indirect:
            if node.objgen in seen:
                continue
            seen.add(node.objgen)
        kids = node.get("/K")
        if kids is not None:
            stack.append(kids)
    return seen


def _parent_tree_arrays(tree: pikepdf.Object) -> dict[int, Array]:
    """Flatten the ParentTree number tree: StructParents key → array of elements by MCID."""
    found: dict[int, Array] = {}
    stack = [tree]
    while stack:
        node = stack.pop()
        nums = node.get("/Nums")
        if nums is not None:
            for i in range(0, len(nums), 2):
                found[int(nums[i])] = nums[i + 1]
        stack.extend(node.get("/Kids", []))
    return found


def finish(pdf_bytes: bytes) -> bytes:
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        root = pdf.Root.get("/StructTreeRoot")
        if root is None:
            return pdf_bytes
        reachable = _reachable(root)
        parents = _parent_tree_arrays(root.ParentTree) if "/ParentTree" in root else {}
        for page in pdf.pages:
            key = page.obj.get("/StructParents")
            elements = parents.get(int(key)) if key is not None else None
            if not isinstance(elements, Array):
                continue
            orphans = {mcid for mcid, element in enumerate(elements)
                       if isinstance(element, Dictionary) and element.is_indirect and element.objgen not in reachable}
            if orphans:
                _mark_artifacts(pdf, page, orphans)
                for mcid in orphans:
                    elements[mcid] = pikepdf.Object.parse(b"null")
        _scope_table_headers(pdf, reachable)
        out = io.BytesIO()
        # Leave WeasyPrint's compressed streams as they are; only the rewritten ones are new.
        pdf.save(out, deterministic_id=True, stream_decode_level=pikepdf.StreamDecodeLevel.none,
                 compress_streams=True)
        return out.getvalue()


_MARKED = re.compile(rb"/[A-Za-z0-9]+\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC")


def _mark_artifacts(pdf: pikepdf.Pdf, page: pikepdf.Page, orphans: set[int]) -> None:
    """Rewrite ``/Span <</MCID n>> BDC`` as ``/Artifact <</Type /Pagination>> BDC`` for orphans.

    A byte-level substitution: parsing and re-serialising every operator of the page costs
    several times more, and only these marked-content openers change.
    """
    contents = page.obj.Contents
    streams = list(contents) if isinstance(contents, Array) else [contents]
    data = b"\n".join(stream.read_bytes() for stream in streams)

    def replace(match: re.Match) -> bytes:
        return b"/Artifact <</Type /Pagination>> BDC" if int(match.group(1)) in orphans else match.group(0)

    page.obj.Contents = pdf.make_stream(_MARKED.sub(replace, data))


def _scope_table_headers(pdf: pikepdf.Pdf, reachable: set[tuple[int, int]]) -> None:
    for objgen in reachable:
        element = pdf.get_object(objgen)
        if element.get("/S") != Name.TH:
            continue
        attributes = element.get("/A")
        if isinstance(attributes, Array) or (isinstance(attributes, Dictionary) and "/Scope" in attributes):
            continue  # already says how the header applies
        row = element.get("/P")
        section = row.get("/P") if isinstance(row, Dictionary) else None
        scope = Name.Column if isinstance(section, Dictionary) and section.get("/S") == Name.THead else Name.Row
        if isinstance(attributes, Dictionary) and attributes.get("/O") == Name.Table:
            attributes.Scope = scope
        else:
            element.A = Dictionary(O=Name.Table, Scope=scope)
