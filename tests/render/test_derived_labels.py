"""Derived and unpivoted columns are headed by their label in every table, as on chart axes,
and a share in a table is worded as the text words it."""

from __future__ import annotations

from bs4 import BeautifulSoup

import reportgen
from bundle.builders import edit
from bundle.test_derive import INCIDENTS_CSV, only_day_quarter

VIEWS = """\
views:
  - id: by-size
    table: inc
    group_by: [size]
    columns: {n: {function: count, label: Incidents}, hacked: {function: share, match: {kind: Hacking or IT incident}, label: Share hacked}}
  - id: by-action
    table: inc
    group_by: [action]
    columns: {n: {function: count, label: Incidents}}
"""


def test_view_tables_head_derived_columns_with_their_labels(make_bundle, tmp_path):
    text = edit(only_day_quarter(), "{name: size, from: individuals,", "{name: size, label: Size of breach, from: individuals,")
    text = edit(text, '{name: action, prefix: "kind."}', '{name: action, label: What happened, prefix: "kind."}') + VIEWS
    folder = make_bundle(text, {"inc.csv": INCIDENTS_CSV})
    result = reportgen.build(folder, out=tmp_path / "out", template="report", formats=("html",))
    soup = BeautifulSoup((result.out_dir / "brief.html").read_text(encoding="utf-8"), "html.parser")
    headings = {th.get_text(strip=True) for th in soup.select("th[scope=col]")}
    assert {"Size of breach", "What happened"} <= headings
    assert not {"size", "action"} & headings
    by_size = next(t for t in soup.select("table") if "Share hacked" in t.get_text())
    rows = {tr.select_one("th").get_text(strip=True): [td.get_text(strip=True) for td in tr.select("td")]
            for tr in by_size.select("tbody tr")}
    # Both breaches under 500 were hacks; the one of 5,000–49,999 was not. Worded as the text
    # words a share ("100%"), not "100.0%".
    assert rows["<500"] == ["2", "100%"] and rows["5,000–49,999"] == ["1", "0%"]
