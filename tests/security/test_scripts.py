"""Issue #10, class 10: text in scripts the fonts do not cover must not print as empty boxes.

A Japanese and an Arabic brief build end to end with real fonts (Debian's fonts-noto-cjk and
fonts-noto-core), read back with poppler; a Thai bundle checked against the bundled fonts alone
(the font list the check is given, not a mocked renderer) and any emoji are refused at the field.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest
from fontTools.ttLib import TTFont

import reportgen
from reportgen.assets import FONTS
from reportgen.bundle.load import load_bundle
from reportgen.render.fontcoverage import RTL_LANGUAGES, bundled_coverage, installed_coverage
from reportgen.render.scriptcheck import check_scripts
from tests.bundle.builders import write_bundle
from tests.conftest import FIXED_EPOCH, REAL_SAMPLE

ROOT = Path(__file__).resolve().parents[2]
needs_poppler = pytest.mark.skipif(not all(shutil.which(t) for t in ("pdftotext", "pdffonts")),
                                   reason="poppler-utils (pdftotext, pdffonts) not installed")

# One brief, its words in the language under test: {title}, {heading}, … filled per language.
BRIEF = """\
id: scripts-brief
title: {title}
as_of: 2026-11-26
audience: {audience}
authors: [{author}]
language: {language}
tlp: TLP:CLEAR
summary: {summary} {{accounts}}.
sources:
  - id: src-a
    publisher: {publisher}
    title: {source_title}
    accessed: 2026-11-26
    type: news
metrics:
  - id: accounts
    label: {label}
    value: 24000
    unit: {unit}
    status: alleged
    sources: [src-a]
tables:
  - id: rows
    file: rows.csv
    title: {table_title}
    sources: [src-a]
    columns:
      - {{name: region, type: string, label: {column}}}
      - {{name: code, type: string}}
      - {{name: accounts, type: integer, label: {label}}}
charts:
  - id: by-region
    type: bar
    table: rows
    x: {chart_x}
    y: accounts
    title: {chart_title}
    sources: [src-a]
sections:
  - heading: {heading}
    body: {body}
    charts: [by-region]
    tables: [rows]
"""

JAPANESE = dict(language="ja", title="不正アカウントに関する報告", audience="議会スタッフ", author="調査チーム",
                summary="運営者は約二万四千の", publisher="東京新聞", source_title="不正利用の実態",
                label="アカウント数", unit="件", table_title="地域別の件数", column="地域",
                chart_title="東京が最も多い", heading="概要", body="ひらがなとカタカナと漢字の本文です。",
                regions=("東京", "大阪", "名古屋"), chart_x="region")
ARABIC = dict(language="ar", title="تقرير عن الحسابات المزيفة", audience="موظفو الكونغرس", author="فريق البحث",
              summary="استخدم المشغلون نحو", publisher="صحيفة الشرق", source_title="حجم الاحتيال",
              label="عدد الحسابات", unit="حساب", table_title="الحسابات حسب المنطقة", column="المنطقة",
              chart_title="القاهرة في المقدمة", heading="الملخص", body="هذا نص عربي يقرأ من اليمين إلى اليسار.",
              regions=("القاهرة", "دبي", "الرياض"), chart_x="code")


def write_brief(root: Path, words: dict) -> Path:
    rows = "region,code,accounts\n" + "".join(f"{r},{c},{n}\n" for r, c, n in
                                             zip(words["regions"], ("A", "B", "C"), (900, 600, 300)))
    return write_bundle(root, BRIEF.format(**words), {"rows.csv": rows})


def build(bundle: Path, out: Path, monkeypatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
    result = reportgen.build(bundle, out=out)
    assert not [w for w in result.warnings if "glyph" in w.lower()], result.warnings
    return result.out_dir


def run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=120).stdout


def pdf_fonts(pdf: Path) -> list[str]:
    return [line.split()[0] for line in run("pdffonts", str(pdf)).splitlines()[2:]]


def has_notdef(pdf: Path) -> bool:
    """Whether any text shows glyph 0 (.notdef, the empty box): every CID font's shown codes."""
    for page in pypdf.PdfReader(pdf).pages:
        data = page.get_contents().get_data()
        # WeasyPrint writes text as hex strings of 2-byte glyph ids (Identity-H) in TJ arrays.
        for hex_string in re.findall(rb"<([0-9a-fA-F]+)>", data):
            codes = [hex_string[i:i + 4] for i in range(0, len(hex_string), 4)]
            if b"0000" in codes:
                return True
    return False


def needs_fonts(*files: str):
    missing = [f for f in files if not Path(f).is_file()]
    return pytest.mark.skipif(bool(missing), reason=f"system fonts missing ({', '.join(missing)}): "
                                                    "run tools/setup-system.sh")


CJK = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
ARABIC_FONT = "/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf"


@needs_poppler
@needs_fonts(CJK)
def test_japanese_brief_builds_with_a_font_that_draws_it(tmp_path, monkeypatch):
    out = build(write_brief(tmp_path / "ja", JAPANESE), tmp_path / "out", monkeypatch)
    text = run("pdftotext", str(out / "brief.pdf"), "-")
    for words in ("不正アカウントに関する報告", "ひらがなとカタカナと漢字の本文です", "東京が最も多い", "名古屋", "地域"):
        assert words in text
    assert any("CJK" in name for name in pdf_fonts(out / "brief.pdf"))
    assert not has_notdef(out / "brief.pdf")
    assert '<html lang="ja">' in (out / "brief.html").read_text(encoding="utf-8")


@needs_poppler
@needs_fonts(ARABIC_FONT)
def test_arabic_brief_builds_right_to_left(tmp_path, monkeypatch):
    out = build(write_brief(tmp_path / "ar", ARABIC), tmp_path / "out", monkeypatch)
    assert '<html lang="ar" dir="rtl">' in (out / "brief.html").read_text(encoding="utf-8")
    text = run("pdftotext", str(out / "brief.pdf"), "-")
    for words in ("تقرير عن الحسابات المزيفة", "الرياض", "المنطقة"):
        assert words in text
    assert any("Arabic" in name for name in pdf_fonts(out / "brief.pdf"))
    assert not has_notdef(out / "brief.pdf")
    # Right to left: the title's first word stands to the right of its last.
    boxes = run("pdftotext", "-bbox", "-f", "1", "-l", "1", str(out / "brief.pdf"), "-")
    # pdftotext writes each right-to-left word in visual order: reversed.
    x_of = {m.group(2)[::-1]: float(m.group(1)) for m in re.finditer(r'<word xMin="([\d.]+)"[^>]*>([^<]+)</word>', boxes)}
    assert x_of["تقرير"] > x_of["المزيفة"]


def test_arabic_chart_labels_are_refused_as_the_pdf_would_draw_them_unjoined(tmp_path):
    bundle = load_bundle(write_brief(tmp_path / "ar", {**ARABIC, "chart_x": "region"}))
    check_scripts(bundle, installed_coverage())
    assert [p.format() for p in bundle.problems.sorted()] == [
        f"{tmp_path / 'ar' / 'rows.csv'}:2:1: error: column 'region': chart labels are drawn letter by letter "
        "in the PDF, so right-to-left and combining letters come out wrong: U+0627 'ا' (Arabic), U+0644 'ل' "
        "(Arabic), U+0642 'ق' (Arabic), U+0647 'ه' (Arabic), U+0631 'ر' (Arabic) and 5 more (label the chart "
        "in a script without them (the data table under the chart can keep them))"]


def test_the_template_and_the_check_agree_on_right_to_left_languages():
    template = (ROOT / "reportgen" / "templates" / "base.html.j2").read_text(encoding="utf-8")
    listed = re.search(r'in \(([^)]*)\) %\} dir="rtl"', template).group(1)
    assert tuple(re.findall(r'"([a-z]+)"', listed)) == RTL_LANGUAGES


THAI_YAML = """\
id: thai
title: รายงานการทดสอบ
as_of: 2026-11-26
audience: Staff
authors: [Tester]
tlp: TLP:CLEAR
summary: A summary.
sources:
  - id: src-a
    publisher: Example News
    title: An article
    accessed: 2026-11-26
    type: news
tables:
  - id: rows
    file: rows.csv
    sources: [src-a]
    columns:
      - {name: name, type: string}
      - {name: n, type: integer}
sections:
  - heading: Rows
    body: The rows.
    tables: [rows]
"""


def test_thai_is_refused_when_no_font_draws_it(tmp_path):
    bundle = load_bundle(write_bundle(tmp_path / "th", THAI_YAML, {"rows.csv": "name,n\nalpha,1\nกรุงเทพ,2\n"}))
    check_scripts(bundle, bundled_coverage())  # the machine's fonts without fonts-noto-core's
    lines = [p.format() for p in bundle.problems.sorted()]
    manifest, table = str(tmp_path / "th" / "bundle.yaml"), str(tmp_path / "th" / "rows.csv")
    assert lines == [
        f"{manifest}:2:8: error: 'title' has characters no installed font can draw: U+0E23 'ร' (Thai), "
        "U+0E32 'า' (Thai), U+0E22 'ย' (Thai), U+0E07 'ง' (Thai), U+0E19 'น' (Thai) and 6 more "
        "(install a font that has them (on Debian/Ubuntu: apt-get install fonts-noto-core), or replace them)",
        f"{table}:3:1: error: column 'name' has characters no installed font can draw: U+0E01 'ก' (Thai), "
        "U+0E23 'ร' (Thai), U+0E38 'ุ' (Thai), U+0E07 'ง' (Thai), U+0E40 'เ' (Thai) and 2 more "
        "(install a font that has them (on Debian/Ubuntu: apt-get install fonts-noto-core), or replace them)",
    ]


@needs_fonts("/usr/share/fonts/truetype/noto/NotoSansThai-Regular.ttf")
def test_thai_passes_with_the_systems_fonts(tmp_path):
    bundle = load_bundle(write_bundle(tmp_path / "th", THAI_YAML, {"rows.csv": "name,n\nกรุงเทพ,2\n"}))
    check_scripts(bundle, installed_coverage())
    assert not bundle.problems.sorted()


def test_emoji_are_refused_with_exit_2_and_earlier_outputs_untouched(tmp_path):
    bundle = write_brief(tmp_path / "b", {**JAPANESE, "language": "en"})
    out = tmp_path / "out"
    env = {"PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": FIXED_EPOCH, "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-m", "reportgen", "build", str(bundle), "--out", str(out), "--format", "html"]
    subprocess.run(command, check=True, capture_output=True, env=env, timeout=300)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    manifest = bundle / "bundle.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("body: ひらがな", "body: 🙂 ひらがな"), encoding="utf-8")
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr + done.stdout
    assert (f"{manifest}:41:11: error: 'sections[0].body' has characters no installed font can draw: "
            "U+1F642 '🙂' (emoji) (emoji cannot be embedded in a PDF reliably: write the word instead)") in done.stdout + done.stderr
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


@needs_fonts("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf")
def test_the_pdf_draws_the_bundled_subset_though_the_system_has_its_own_noto_sans(built):
    # An embedded subset keeps its source's glyph numbering: a font drawn from the system's full
    # Noto Sans (about 3,000 glyphs) numbers past the bundled subsets' last glyph. Were it drawn,
    # the PDF's bytes would depend on whether fonts-noto-core is installed.
    bundled = max(len(TTFont(path).getGlyphOrder()) for path in FONTS.glob("*.ttf"))
    pdf = pypdf.PdfReader(built(REAL_SAMPLE) / "brief.pdf")
    for font in pdf.pages[0]["/Resources"]["/Font"].values():
        descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        embedded = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
        assert len(embedded.getGlyphOrder()) <= bundled, f"{font.get_object()['/BaseFont']} is the system's copy"
