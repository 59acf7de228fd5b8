"""`reportgen new`: the starter bundle validates strictly, and nothing is ever overwritten."""

from __future__ import annotations

import pytest

from reportgen.cli import main as cli
from reportgen.cli.new import scaffold, slug
from reportgen.validation import validate


def test_scaffold_validates_strictly(tmp_path, capsys):
    path = tmp_path / "New Case 2026"
    manifest = scaffold(path)
    assert manifest == path / "bundle.yaml"
    assert manifest.is_file()
    assert cli.main(["validate", "--strict", str(path)]) == 0
    result = validate(path, strict=True)
    assert result.problems == []
    assert result.bundle.model.id == "new-case-2026"


def test_scaffold_comments_every_top_level_field(tmp_path):
    text = scaffold(tmp_path / "b").read_text(encoding="utf-8")
    assert text.count("#") > 20


def test_explicit_id(tmp_path):
    path = tmp_path / "folder"
    scaffold(path, "acme_2026")
    assert validate(path, strict=True).bundle.model.id == "acme_2026"


def test_cli_new_then_validate(tmp_path, capsys):
    path = tmp_path / "from-cli"
    assert cli.main(["new", str(path), "--id", "from-cli"]) == 0
    assert "bundle.yaml" in capsys.readouterr().out
    assert cli.main(["validate", "--strict", str(path)]) == 0


def test_empty_existing_folder_is_fine(tmp_path):
    path = tmp_path / "empty"
    path.mkdir()
    scaffold(path)
    assert cli.main(["validate", "--strict", str(path)]) == 0


def test_refuses_to_overwrite(tmp_path):
    path = tmp_path / "existing"
    path.mkdir()
    (path / "bundle.yaml").write_text("mine", encoding="utf-8")
    with pytest.raises(FileExistsError, match="not empty"):
        scaffold(path)
    assert (path / "bundle.yaml").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in path.iterdir()) == ["bundle.yaml"]


def test_refuses_a_file(tmp_path):
    path = tmp_path / "file.txt"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(FileExistsError):
        scaffold(path)


def test_rejects_invalid_id(tmp_path):
    with pytest.raises(ValueError, match="not a valid bundle id"):
        scaffold(tmp_path / "x", "Not Valid")
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("name, expected", [
    ("Acme Breach 2026", "acme-breach-2026"),
    ("  --Weird__Name!!  ", "weird__name"),
    ("Évidence", "evidence"),
    ("!!!", "bundle"),
])
def test_slug(name, expected):
    assert slug(name) == expected


def test_cli_new_into_a_non_empty_folder_is_a_usage_error(tmp_path, capsys):
    from reportgen.cli.main import main

    (tmp_path / "keep.txt").write_text("mine")
    assert main(["new", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("reportgen: error:") and "Traceback" not in err
    assert (tmp_path / "keep.txt").read_text() == "mine"
