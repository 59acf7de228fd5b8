"""``reportgen validate`` on a collection: problems at their file:line, in collection.yaml and
in the member bundles, exit code 2."""

from __future__ import annotations

from reportgen.cli.main import main
from tests.collection.helpers import COLLECTION, write_collection


def test_valid_collection_validates(tmp_path, capsys):
    assert main(["validate", str(write_collection(tmp_path))]) == 0
    assert "1 collection(s) checked, 1 valid" in capsys.readouterr().err


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


def test_figures_in_different_units_are_not_totalled(tmp_path, monkeypatch, capsys):
    root = write_collection(tmp_path)
    manifest = root / "members" / "y" / "bundle.yaml"
    manifest.write_text(manifest.read_text().replace("unit: accounts", "unit: users"))
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "."]) == 2
    said = "'accounts' is counted in different units: 'accounts' in bundle 'x'; 'users' in bundle 'y'"
    hint = "(compare or total only figures that count the same thing)"
    assert capsys.readouterr().out.splitlines() == [
        f"collection.yaml:11:39: error: {said} {hint}",  # the comparison's metric
        f"collection.yaml:13:49: error: {said} {hint}",  # each total's
        f"collection.yaml:14:51: error: {said} {hint}"]


def test_two_members_with_one_id(tmp_path, monkeypatch, capsys):
    root = write_collection(tmp_path)
    manifest = root / "members" / "y" / "bundle.yaml"
    manifest.write_text(manifest.read_text().replace("id: y\n", "id: x\n", 1))
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "."]) == 2
    assert capsys.readouterr().out.splitlines() == [
        "collection.yaml:7:28: error: no bundle 'y' in this collection (bundles here: x)",  # the summary's {y.accounts}
        "collection.yaml:9:5: error: bundles members/x and members/y have the same id 'x' "
        "(a collection names its figures {bundle_id.metric_id}: give each bundle its own id)"]


def test_a_synthetic_member_makes_the_collection_say_so(tmp_path, monkeypatch, capsys):
    root = write_collection(tmp_path)
    manifest = root / "members" / "y" / "bundle.yaml"
    manifest.write_text(manifest.read_text().replace("tlp: TLP:CLEAR\n", "tlp: TLP:CLEAR\nsynthetic: true\n"))
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "."]) == 2
    assert capsys.readouterr().out.splitlines() == [
        "collection.yaml:1:5: error: bundle 'y' is synthetic, but the collection is not marked so (add "
        "'synthetic: true' so every page of the briefing says its data is partly invented)"]


def test_deeply_nested_markdown_in_the_collection_is_refused(tmp_path, monkeypatch, capsys):
    write_collection(tmp_path, COLLECTION.replace('body: "They range', 'body: "' + ">" * 30 + ' They range'))
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "."]) == 2
    assert capsys.readouterr().out.splitlines() == [
        "collection.yaml:17:11: error: text nests Markdown 20 levels deep (quotes, lists, emphasis or links "
        "one inside another); at most 16 can be rendered"]


def test_the_collection_template_refuses_a_bundle(tmp_path, monkeypatch, capsys):
    write_collection(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["build", "members/x", "--out", "dist", "--format", "html", "--template", "collection", "-j", "1"]) == 2
    assert ("members/x/bundle.yaml:1:1: error: the collection template builds collections, not bundles"
            in capsys.readouterr().err)


def test_the_sample_collection_validates_strictly(capsys):
    from tests.conftest import EVIDENCE

    assert main(["validate", "--strict", str(EVIDENCE / "distillation-collection")]) == 0
    assert capsys.readouterr().out == ""


def test_strict_warns_of_numbers_typed_into_the_collections_text(tmp_path, monkeypatch, capsys):
    write_collection(tmp_path, COLLECTION.replace('body: "They range', 'body: "About 48,000 in all. They range'))
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "."]) == 0
    assert main(["validate", "--strict", "."]) == 2
    assert capsys.readouterr().out.splitlines() == [
        "collection.yaml:17:18: warning: number '48,000' typed into the text (write {bundle_id.metric_id} or a "
        "total, so it is sourced and written once)"]


def test_a_glob_reads_patterns_only_in_the_entry(tmp_path, monkeypatch, capsys):
    root = write_collection(tmp_path / "[draft]")  # brackets in the folder's own name are no pattern
    monkeypatch.chdir(tmp_path)
    assert main(["validate", str(root)]) == 0


def test_a_glob_may_not_name_too_many_bundles(tmp_path, monkeypatch, capsys):
    from reportgen.collection import load

    write_collection(tmp_path)
    monkeypatch.setattr(load, "MAX_MEMBERS", 1)
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "."]) == 2
    assert capsys.readouterr().out.splitlines()[-1] == (
        "collection.yaml:9:5: error: the collection names more than 1 bundles (a briefing compares a handful; "
        "name fewer, or split the collection)")


def test_number_form_and_unknown_forms_of_a_reference(tmp_path, monkeypatch, capsys):
    write_collection(tmp_path, COLLECTION.replace('"{x.accounts} and {y.accounts}', '"{x.accounts:number} and {y.accounts:nmber}'))
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "."]) == 2
    assert capsys.readouterr().out.splitlines() == [
        "collection.yaml:7:35: error: unknown form ':nmber' of a figure reference (write {bundle_id.metric_id} "
        "for the figure with its unit, {bundle_id.metric_id:number} without it)"]
