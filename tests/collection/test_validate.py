"""``reportgen validate`` on a collection: problems at their file:line, in collection.yaml and
in the member bundles, exit code 2."""

from __future__ import annotations

from reportgen.cli.main import main
from tests.collection.helpers import COLLECTION, write_collection


def test_valid_collection_validates(tmp_path, capsys):
    assert main(["validate", str(write_collection(tmp_path))]) == 0
    assert "1 bundle(s) checked, 1 valid" in capsys.readouterr().err


def test_unknown_figure_and_bundle_are_reported_where_they_stand(tmp_path, monkeypatch, capsys):
    text = COLLECTION.replace('"{x.accounts} and {y.accounts}', '"{x.acounts} and {z.accounts}')
    write_collection(tmp_path, text)
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "collection.yaml"]) == 2
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "collection.yaml:7:11: error: bundle 'x' has no metric 'acounts' (its metrics: accounts)",
        "collection.yaml:7:27: error: no bundle 'z' in this collection (bundles here: x, y)"]


def test_errors_in_a_member_bundle_point_into_that_bundle(tmp_path, monkeypatch, capsys):
    root = write_collection(tmp_path)
    manifest = root / "members" / "y" / "bundle.yaml"
    manifest.write_text(manifest.read_text().replace("status: confirmed", "status: certain"))
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "."]) == 2
    assert capsys.readouterr().out.splitlines() == [  # the collection's references to y are not blamed
        "members/y/bundle.yaml:27:13: error: metrics[0].status: 'certain' is not one of 'alleged', 'reported', "
        "'estimated', 'confirmed' or 'disputed'"]


def test_a_bundle_entry_that_names_nothing(tmp_path, monkeypatch, capsys):
    write_collection(tmp_path, COLLECTION.replace("  - members/*", "  - members/*\n  - missing"))
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "."]) == 2
    assert capsys.readouterr().out.splitlines() == [
        "collection.yaml:10:5: error: no bundle at 'missing' (no bundle.yaml there) (give a bundle folder "
        "(holding bundle.yaml) or a glob, relative to collection.yaml)"]


def test_schema_errors_in_collection_yaml_have_positions(tmp_path, monkeypatch, capsys):
    write_collection(tmp_path, COLLECTION.replace("function: range", "function: median"))
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "."]) == 2
    assert capsys.readouterr().out.splitlines() == [
        "collection.yaml:14:36: error: totals[1].function: 'median' is not one of 'sum' or 'range'"]
