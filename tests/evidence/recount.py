"""An independent recount of the real-export sample bundles, and the numbers a briefing prints.

Nothing here imports reportgen: the reference figures come from each bundle's CSV read with plain
pandas (as its SOURCE.md states them), and printed numbers are read back from the built HTML and
PDF text. A printed number is right when it is a reference figure rounded to the precision it is
printed at, as a reader rounds (halves away from zero): "1,404" must be 1,404 exactly, "20.9%" a
figure from 20.85 up to (not including) 20.95, "2,363" a figure from 2,362.5 up to 2,363.5, so a
median of 2,362.5 printed "2,362" is wrong. Trailing zeros are NOT read as rounding: a label
"1,110" beside a count of 1,111 is wrong (issue #11: one number formatter for text and labels).

The report's appendix prints the first rows of each file as they are: those cells are checked
against the same cells of the CSV (``appendix_rows``), not against the figures.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

EVIDENCE = Path(__file__).resolve().parents[2] / "evidence"


# ------------------------------------------------------------------ reference figures, by bundle

def _kev(folder: Path) -> dict[str, float]:
    kev = pd.read_csv(folder / "known_exploited_vulnerabilities.csv")
    added = pd.to_datetime(kev["dateAdded"], format="%Y-%m-%d").dt.year
    figures = {"entries": len(kev)}
    figures |= {f"added {year}": n for year, n in added.value_counts().sort_index().loc[2021:2025].items()}
    figures |= {f"vendor {v}": n for v, n in kev["vendorProject"].value_counts().head(5).items()}
    ransomware = kev["knownRansomwareCampaignUse"].value_counts()
    figures |= {f"ransomware {k}": n for k, n in ransomware.items()}
    figures["ransomware known %"] = ransomware["Known"] / len(kev) * 100
    vendors = kev["vendorProject"].value_counts()
    figures |= {"vendors": len(vendors), "vendors after the top five": vendors.iloc[5:].sum(),
                "top five vendors %": vendors.head(5).sum() / len(kev) * 100}
    return figures


def _hhs(folder: Path) -> dict[str, float]:
    hhs = pd.read_csv(folder / "breach_report.csv")
    individuals = hhs["Individuals Affected"]
    figures = {"breaches": len(hhs), "individuals median": individuals.median(),
               "individuals total": individuals.sum()}
    figures |= {f"type {t}": n for t, n in hhs["Type of Breach"].value_counts().head(5).items()}
    figures |= {f"entity {t}": n for t, n in hhs["Covered Entity Type"].value_counts().head(3).items()}
    present = (hhs["Business Associate Present"] == "Yes").sum()
    figures |= {"business associate present": present, "business associate %": present / len(hhs) * 100}
    # A breach recording several types ("Loss, Theft") counts under each.
    types = hhs["Type of Breach"].str.split(", ").explode().str.strip()
    figures |= {f"recording {t}": n for t, n in types.value_counts().items()}
    submitted = pd.to_datetime(hhs["Breach Submission Date"], format="%m/%d/%Y").dt.year
    figures |= {f"submitted {year}": n for year, n in submitted.value_counts().items()}
    sizes = pd.cut(individuals, [500, 1000, 10_000, 100_000, 1_000_000, float("inf")], right=False)
    figures |= {f"size {size}": n for size, n in sizes.value_counts().items()}
    return figures


def _nhtsa(folder: Path) -> dict[str, float]:
    sgo = pd.read_csv(folder / "SGO-2021-01_Incident_Reports_ADS.csv")
    # One row per incident: the latest version of each report (see the bundle's SOURCE.md).
    latest = sgo.sort_values("Report Version").drop_duplicates("Report ID", keep="last")
    figures = {"report rows": len(sgo), "incidents": len(latest)}
    figures |= {f"make {m}": n for m, n in latest["Make"].value_counts().head(5).items()}
    figures |= {f"entity {e}": n for e, n in latest["Reporting Entity"].value_counts().head(5).items()}
    severity = latest["Highest Injury Severity"].value_counts()
    figures |= {"no injuries": severity["No Injuries Reported"], "serious": severity["Serious"]}
    clear = (latest["Weather - Clear"] == "Y").sum()
    figures |= {"clear weather": clear, "clear weather %": clear / len(latest) * 100}
    figures["report rows in CA"] = (sgo["State"].str.strip() == "CA").sum()
    makes, entities = latest["Make"].value_counts(), latest["Reporting Entity"].value_counts()
    figures |= {"other makes": makes.iloc[5:].sum(), "other entities": entities.iloc[5:].sum()}
    quarters = pd.to_datetime(latest["Incident Date"], format="%b-%Y").dt.to_period("Q")
    figures |= {f"incidents {q}": n for q, n in quarters.value_counts().items()}
    # A flag counts an incident when any version of its report sets it.
    def incidents_flagged(columns: list[str]) -> int:
        return sgo.loc[(sgo[columns] == "Y").any(axis=1), "Report ID"].nunique()
    areas = [c for c in sgo.columns if c.startswith("SV Contact Area - ")]
    figures |= {f"contact {c}": n for c in areas if (n := incidents_flagged([c]))}   # "Top" is never set
    rear_and_front = [f"SV Contact Area - {a}" for a in ("Rear", "Rear Left", "Rear Right", "Front", "Front Left", "Front Right")]
    figures["contact elsewhere"] = incidents_flagged([c for c in areas if c not in rear_and_front])
    figures |= {f"flagged {c}": n for c in sgo.columns if c.startswith(("Weather - ", "Data Availability - "))
                and (n := incidents_flagged([c]))}
    return figures


RECOUNTS = {"cisa-kev": _kev, "hhs-breaches": _hhs, "nhtsa-ads-crashes": _nhtsa}


def reference_figures(folder: Path) -> dict[str, float]:
    return {name: float(value) for name, value in RECOUNTS[folder.name](folder).items()}


def appendix_rows(folder: Path, table: int = 0) -> tuple[list[str], list[list[str]]]:
    """The file name and the cells (as written in the CSV) the report's appendix prints of a
    table: the columns and number of rows its bundle.yaml chooses."""
    spec = yaml.safe_load((folder / "bundle.yaml").read_text(encoding="utf-8"))["tables"][table]
    choice = spec["appendix"]
    raw = pd.read_csv(folder / spec["file"], dtype=str, keep_default_na=False)
    return spec["file"], raw[choice["columns"]].head(choice["rows"]).values.tolist()


# ------------------------------------------------------------------ provenance

def recorded_sha256(folder: Path) -> dict[str, str]:
    """File name → the SHA256 written in the folder's SOURCE.md."""
    text = (folder / "SOURCE.md").read_text(encoding="utf-8")
    name = re.search(r"^# Source of `([^`]+)`", text, re.M).group(1)
    return {name: re.search(r"\*\*SHA256:\*\* `([0-9a-f]{64})`", text).group(1)}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ------------------------------------------------------------------ printed numbers

_SCALES = {"million": 1e6, "billion": 1e9, "trillion": 1e12}
NUMBER = re.compile(r"(?<![\w.,/-])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w/-]|\.\d|,\d{3})(%| (?:million|billion|trillion)\b)?")


@dataclass(frozen=True)
class Printed:
    text: str
    value: float          # as printed, before scaling
    decimals: int
    scale: float
    where: str

    def matches(self, figure: float) -> bool:
        """The figure, rounded to the precision this number is printed at (halves away from
        zero), is this number."""
        half, printed, slack = 0.5 * 10 ** -self.decimals * self.scale, self.value * self.scale, 1e-9 * self.scale
        return printed - half - slack <= abs(figure) < printed + half - slack

    @property
    def is_whole(self) -> bool:
        return self.decimals == 0 and self.scale == 1


def numbers_in(text: str, where: str) -> list[Printed]:
    found = []
    for m in NUMBER.finditer(text):
        whole, fraction, suffix = m.group(1), m.group(2) or "", (m.group(3) or "").strip()
        found.append(Printed(m.group(0), float(whole.replace(",", "") + fraction), max(len(fraction) - 1, 0),
                             _SCALES.get(suffix, 1.0), where))
    return found


# Not figures: dates (their day and year), page and figure numbers, web addresses, and the
# constant of a percentage's formula in the methods note. Each is
# matched as a whole phrase, so a bare number is never let through by these.
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|June?|July?|Aug|Sept?|Oct|Nov|Dec)[a-z]*\.?"
NOT_FIGURES = [
    re.compile(rf"\b{_MONTH} \d{{1,2}}, \d{{4}}\b", re.I),     # Aug. 25, 2025, AUG. 25, 2025
    re.compile(rf"\b{_MONTH} \d{{4}}\b", re.I),                 # May 2022, MAY 2022
    re.compile(r"\b\d{4}-\d{2}(?:-\d{2})?\b"),                  # 2025-08-25, 2022-05
    re.compile(r"\bPage \d+ of \d+\b"),
    re.compile(r"\b[Ff]igure \d+\b"),
    re.compile(r"https?://\S+"),
    re.compile(r"× 100\b"),                                    # a percentage's formula, "A ÷ B × 100"
    re.compile(r"\bFirst \d+ of\b"),                           # the appendix's "First 25 of 1,404 rows"
]


def without_non_figures(text: str, phrases: list[str]) -> str:
    """The text with dates, page and figure numbers, addresses and the bundle's named
    identifiers (a directive's number, a commit) blanked out."""
    for phrase in phrases:
        text = text.replace(phrase, " ")
    for pattern in NOT_FIGURES:
        text = pattern.sub(" ", text)
    return text
