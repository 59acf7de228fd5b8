"""A collection's figures recomputed by hand: sums carry the stated figures' rounding, the
weakest status wins, each member figure keeps its own sources and status, endnotes merge."""

from __future__ import annotations

from reportgen.pipeline import validate_input as validate
from tests.collection.helpers import COLLECTION, write_collection


def test_sum_and_range_are_worded_as_the_bundles_word_figures(tmp_path):
    checked = validate(write_collection(tmp_path))
    assert checked.ok, [p.format() for p in checked.problems]
    figures = checked.computed.metrics
    total = figures["accounts_total"]
    # "nearly 25,000" lies in (24,000, 25,000]; "about 24,000" in [23,500, 24,500].
    assert total.value == 49_000
    assert total.interval == (24_000 + 23_500, 25_000 + 24_500)
    assert total.text == "about 49,000 accounts"  # 47,500 to 49,500 lies both sides of 49,000
    assert figures["accounts_range"].text == "from about 24,000 to nearly 25,000 accounts"
    assert figures["accounts_range"].interval == (23_500, 25_000)


def test_a_total_of_an_alleged_and_a_confirmed_figure_is_alleged(tmp_path):
    figures = validate(write_collection(tmp_path, y_status="confirmed")).computed.metrics
    assert figures["accounts_total"].status.value == "alleged"
    statuses = {f.metric.label + f.phrase: f.status.value for f in figures.values() if f.id.startswith("m_")}
    assert statuses == {"Accounts usednearly 25,000": "alleged", "Accounts usedabout 24,000": "confirmed"}


def test_exact_figures_sum_to_an_exact_figure(tmp_path):
    root = write_collection(tmp_path)
    for name, stated in (("x", "25,000"), ("y", "24,000")):
        manifest = root / "members" / name / "bundle.yaml"
        text = manifest.read_text()
        manifest.write_text(text.replace('stated: "nearly 25,000"', "stated: \"25,001\"").replace(
            "value: 25000", "value: 25001").replace('stated: "about 24,000"', 'stated: "24,002"').replace(
            "value: 24000", "value: 24002"))
    total = validate(root).computed.metrics["accounts_total"]
    assert (total.value, total.interval, total.text) == (49_003, (49_003, 49_003), "49,003 accounts")


def test_each_figure_keeps_its_sources_and_shared_sources_are_one_endnote(tmp_path):
    checked = validate(write_collection(tmp_path))
    model = checked.bundle.model
    assert [s.id for s in model.sources] == ["shared", "own"]
    by_phrase = {f.phrase: f.sources for f in checked.computed.metrics.values() if f.id.startswith("m_")}
    assert by_phrase == {"nearly 25,000": ["shared"], "about 24,000": ["shared", "own"]}
    assert checked.computed.metrics["accounts_total"].sources == ["shared", "own"]


def test_one_source_id_for_two_sources_is_an_error_naming_both_files(tmp_path):
    root = write_collection(tmp_path, y_source=("shared", "https://example.org/other"))
    problems = [p.format() for p in validate(root).errors]
    # at the second bundle's source id, naming the first's file and line
    assert problems == [
        f"{root}/members/y/bundle.yaml:9:9: error: source 'shared' is not the source 'shared' of bundle 'x' "
        f"({root}/members/x/bundle.yaml:9): its URL is https://example.org/other, not https://example.org/a "
        "(in a collection one id names one source: give one of them another id, or make both the same)"]


def test_comparison_table_holds_each_bundles_figure(tmp_path):
    checked = validate(write_collection(tmp_path))
    frame = checked.computed.views["accounts-per-bundle"]
    assert frame.to_dict("list") == {"Bundle": ["Bundle x", "Bundle y"], "Accounts": [25000, 24000],
                                     "As stated": ["nearly 25,000", "about 24,000"],
                                     "Status": ["alleged", "confirmed"]}
    assert COLLECTION  # the collection the helpers write


def test_units_with_singular_and_plural_forms(tmp_path):
    root = write_collection(tmp_path)
    for name in ("x", "y"):
        manifest = root / "members" / name / "bundle.yaml"
        manifest.write_text(manifest.read_text().replace("unit: accounts", "unit: {one: account, other: accounts}"))
    checked = validate(root)
    assert checked.ok, [p.format() for p in checked.problems]
    assert checked.computed.metrics["accounts_total"].text == "about 49,000 accounts"
    assert list(checked.computed.views["accounts-per-bundle"].columns)[1] == "Accounts"
