"""vl-convert measures chart text with the bundled fonts, even where the system has the same family."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from reportgen.assets import FONTS
from reportgen.charts.fonts import _reads_fontconfig, fontdb_configuration

pytestmark = pytest.mark.skipif(not _reads_fontconfig(), reason="fontdb reads fontconfig files only on Linux and the BSDs")

PROBE = "RG Probe"
# A bar chart whose left margin is as wide as its longest label, measured in the probe family.
SPEC = {"data": {"values": [{"x": "An evidently long category label", "y": 3}, {"x": "Short", "y": 5}]},
        "mark": "bar", "config": {"font": PROBE, "axis": {"labelFont": PROBE, "titleFont": PROBE}},
        "encoding": {"y": {"field": "x", "type": "nominal"}, "x": {"field": "y", "type": "quantitative"}}}


def _probe_font(source: Path, target: Path) -> None:
    """``source`` renamed into the probe family: two of them differ only in their glyphs' widths."""
    font = TTFont(source)
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = PROBE
        elif record.nameID == 6:
            record.string = PROBE.replace(" ", "")
    target.parent.mkdir(parents=True, exist_ok=True)
    font.save(target)


def _config(path: Path, folder: Path) -> Path:
    path.write_text(f'<?xml version="1.0"?>\n<fontconfig><dir>{folder}</dir></fontconfig>\n')
    return path


def _svg(code: str, fontconfig_file: Path) -> dict:
    """Run ``code`` (which sets ``svg``) in a fresh interpreter: fontdb loads once per process."""
    env = {**os.environ, "FONTCONFIG_FILE": str(fontconfig_file)}
    script = (f"import json, os, vl_convert\nspec = {json.dumps(SPEC)}\n{code}\n"
              "print(json.dumps({'svg': svg, 'env': os.environ.get('FONTCONFIG_FILE')}))")
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_bundled_fonts_win_over_a_system_font_of_the_same_family(tmp_path):
    system, bundled = tmp_path / "system", tmp_path / "bundled"
    _probe_font(FONTS / "NotoSans-Regular.ttf", system / "probe.ttf")
    _probe_font(FONTS / "NotoSerif-Regular.ttf", bundled / "probe.ttf")
    system_conf = _config(tmp_path / "system.conf", system)

    plain = _svg(f"vl_convert.register_font_directory({str(bundled)!r})\n"
                 "svg = vl_convert.vegalite_to_svg(spec)", system_conf)
    engine = _svg("from reportgen.charts.engines import load_svg_engine\n"
                  f"svg = load_svg_engine({str(bundled)!r})(spec)", system_conf)
    only_bundled = _svg("svg = vl_convert.vegalite_to_svg(spec)", _config(tmp_path / "bundled.conf", bundled))
    only_system = _svg("svg = vl_convert.vegalite_to_svg(spec)", system_conf)

    assert plain["svg"] == only_system["svg"], "without reportgen's configuration the system's face is measured"
    assert only_bundled["svg"] != only_system["svg"], "the two probe fonts must lay the chart out differently"
    assert engine["svg"] == only_bundled["svg"]
    assert engine["env"] == str(system_conf), "the environment is restored once the fonts are loaded"


def test_configuration_lists_the_bundled_folder_before_the_configuration_fontdb_reads(tmp_path):
    own = tmp_path / "own.conf"
    own.write_text("<fontconfig/>")
    text = fontdb_configuration("/fonts/a&b", {"FONTCONFIG_FILE": str(own)})
    assert text.index("<dir>/fonts/a&amp;b</dir>") < text.index(f'<include ignore_missing="yes">{own}</include>')
    assert "/usr/share/fonts/" not in text  # the included file names the folders


def test_configuration_follows_fontdbs_own_search(tmp_path):
    user = tmp_path / "config" / "fontconfig" / "fonts.conf"
    user.parent.mkdir(parents=True)
    user.write_text("<fontconfig/>")
    text = fontdb_configuration("/fonts", {"XDG_CONFIG_HOME": str(tmp_path / "config")})
    assert f"<include ignore_missing=\"yes\">{user}</include>" in text
    assert "/etc/fonts/fonts.conf" in text and "/etc/fonts/local.conf" not in text

    text = fontdb_configuration("/fonts", {"HOME": str(tmp_path / "nobody")})
    assert "/etc/fonts/local.conf" in text and "/etc/fonts/fonts.conf" in text


def test_configuration_falls_back_to_fontdbs_folders_when_no_file_exists(tmp_path):
    text = fontdb_configuration("/fonts", {"FONTCONFIG_FILE": str(tmp_path / "missing.conf")})
    folders = [line.strip()[5:-6] for line in text.splitlines() if line.strip().startswith("<dir>")]
    assert folders == ["/fonts", "/usr/share/fonts/", "/usr/local/share/fonts/", "~/.fonts", "~/.local/share/fonts"]


def test_without_a_writable_temporary_folder_the_environment_is_left_alone(monkeypatch):
    from reportgen.charts.fonts import bundled_fonts_first

    def refused(**_):  # tempfile falls back to /tmp, /var/tmp… and root writes anywhere: refuse here
        raise PermissionError("read-only file system")

    monkeypatch.setattr("tempfile.mkdtemp", refused)
    monkeypatch.delenv("FONTCONFIG_FILE", raising=False)
    with bundled_fonts_first(str(FONTS)):
        assert "FONTCONFIG_FILE" not in os.environ


def test_the_configuration_is_in_place_inside_the_block_and_gone_after(monkeypatch):
    from reportgen.charts.fonts import bundled_fonts_first

    monkeypatch.setenv("FONTCONFIG_FILE", "/etc/fonts/fonts.conf")
    with bundled_fonts_first(str(FONTS)):
        config = Path(os.environ["FONTCONFIG_FILE"])
        assert config.read_text().index(str(FONTS)) < config.read_text().index("/etc/fonts/fonts.conf")
    assert os.environ["FONTCONFIG_FILE"] == "/etc/fonts/fonts.conf"
    assert not config.parent.exists()
