"""reportgen.revisions.compare: two briefing records → the changes a reader must be told of."""

from __future__ import annotations

from reportgen.revisions.compare import Change, Kind, compare, compare_figures, unexplained
from reportgen.revisions.wording import box_context, sentence


def figure(figure_id="accounts", printed="nearly 25,000 accounts", value=25000, status="alleged", **more) -> dict:
    return {"id": figure_id, "label": figure_id.capitalize(), "value": value, "interval": None, "printed": printed,
            "headline": printed.split(" accounts")[0], "status": status, "sources": ["a"], "as_of": "2026-11",
            "inputs": [], **more}


def record(*figures, sources=("a",), tlp="TLP:CLEAR", revisions=()) -> dict:
    return {"bundle": {"id": "b", "title": "T", "tlp": tlp, "status": "draft", "as_of": "2026-11-26"},
            "figures": list(figures), "sources": [{"id": s, "publisher": s.upper(), "title": f"On {s}"} for s in sources],
            "revisions": list(revisions)}


def test_the_same_figure_is_no_change():
    assert compare_figures(figure(), figure()) == []


def test_a_figure_printed_differently_is_revised_old_to_new():
    [change] = compare_figures(figure(), figure(printed="about 30,000 accounts", value=30000))
    assert change == Change(Kind.REVISED, "accounts", "Accounts", "nearly 25,000 accounts", "about 30,000 accounts")
    assert sentence(change) == "Accounts: revised from nearly 25,000 accounts to about 30,000 accounts."


def test_a_value_changed_under_the_same_words_is_still_revised():
    assert [c.kind for c in compare_figures(figure(), figure(value=24990))] == [Kind.REVISED]


def test_status_up_is_a_change_and_down_is_a_downgrade():
    [up] = compare_figures(figure(), figure(status="confirmed"))
    [down] = compare_figures(figure(status="confirmed"), figure(status="disputed"))
    assert (up.kind, up.old, up.new, up.downgraded) == (Kind.STATUS, "alleged", "confirmed", False)
    assert (down.old, down.new, down.downgraded) == ("confirmed", "disputed", True)
    assert sentence(up) == "Accounts: now confirmed (was alleged)."
    assert sentence(down) == "Accounts: downgraded to disputed (was confirmed)."


def test_withdrawn_and_added_figures_are_said_not_dropped():
    changes = compare(record(figure(), figure("gone", "12 accounts", 12)), record(figure(), figure("new", "3 accounts", 3)))
    assert [(c.kind, c.subject) for c in changes] == [(Kind.WITHDRAWN, "gone"), (Kind.ADDED, "new")]
    assert sentence(changes[0]) == "Gone: withdrawn (was 12 accounts)."
    assert sentence(changes[1]) == "New: new figure, 3 accounts."


def test_sources_and_tlp():
    changes = compare(record(figure(), sources=("a", "b")), record(figure(), sources=("a", "c"), tlp="TLP:AMBER"))
    assert [(c.kind, c.subject) for c in changes] == [(Kind.SOURCE_ADDED, "c"), (Kind.SOURCE_REMOVED, "b"),
                                                      (Kind.TLP, "tlp")]
    assert [sentence(c) for c in changes] == ["New source: C, “On c”.", "Source no longer cited: B, “On b”.",
                                              "Handling changed from TLP:CLEAR to TLP:AMBER."]


def test_the_latest_revision_naming_a_figure_gives_the_reason():
    notes = [{"date": "2026-12-01", "change": "First.", "reason": None, "metrics": ["accounts"]},
             {"date": "2026-12-03", "change": "Second.", "reason": "A new filing", "metrics": ["accounts"]}]
    [change] = compare(record(figure()), record(figure(printed="about 30,000 accounts", value=30000), revisions=notes))
    assert change.reason == "A new filing"
    assert sentence(change).endswith("Why: A new filing.")
    assert unexplained([change]) == []


def test_a_derived_figure_follows_the_revision_of_its_input():
    old = record(figure(), figure("rate", "about 1,200 accounts", 1200, inputs=["accounts"]))
    new = record(figure(printed="about 30,000 accounts", value=30000),
                 figure("rate", "about 960 accounts", 960, inputs=["accounts"]))
    revised, rate = compare(old, new)
    assert rate.reason == "it is computed from Accounts, which was revised"
    assert unexplained([revised, rate]) == [revised]  # the input itself still needs a note


def test_unexplained_counts_revisions_withdrawals_and_downgrades_not_upgrades_or_additions():
    changes = compare(record(figure(), figure("gone", "1 accounts", 1), figure("up", status="alleged"),
                             figure("down", status="confirmed")),
                      record(figure(value=1), figure("up", status="confirmed"), figure("down", status="disputed"),
                             figure("new")))
    assert sorted(c.subject for c in unexplained(changes)) == ["accounts", "down", "gone"]


def test_the_box_says_since_when_and_marks_revised_key_figures():
    old = record(figure())
    changes = compare(old, record(figure(printed="about 30,000 accounts", value=30000)))
    box = box_context(changes, old)
    assert box["since"] == "Nov. 26, 2026"
    assert box["revised_from"] == {"accounts": "nearly 25,000"}
    assert [item["kind"] for item in box["items"]] == ["revised"]
