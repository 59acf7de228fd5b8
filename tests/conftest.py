"""Shared fixtures: real builds of the sample bundles, made once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EVIDENCE = ROOT / "evidence"
SAMPLES = sorted(p for p in EVIDENCE.iterdir() if (p / "bundle.yaml").is_file())
REAL_SAMPLE = EVIDENCE / "claude-distillation-2026"
FIXED_EPOCH = "1764115200"  # 2025-11-26T00:00:00Z, for reproducible builds


def sample_with(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of the real sample bundle with one edit to its bundle.yaml (the first match)."""
    import shutil

    bundle = tmp_path / "b"
    shutil.copytree(REAL_SAMPLE, bundle)
    manifest = bundle / "bundle.yaml"
    manifest.write_text(manifest.read_text().replace(old, new, 1))
    return bundle


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """``built(bundle_dir, template)`` → output folder; each combination is built once."""
    import reportgen

    cache: dict[tuple[str, str], Path] = {}

    def build(bundle: Path, template: str = "brief") -> Path:
        key = (bundle.name, template)
        if key not in cache:
            out = tmp_path_factory.mktemp(f"{bundle.name}-{template}")
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
                result = reportgen.build(bundle, out=out, template=template)
            cache[key] = result.out_dir
        return cache[key]

    return build


@pytest.fixture
def make_bundle(tmp_path, monkeypatch):
    """make_bundle(yaml_text, files={...}) -> bundle folder; cwd is tmp_path so paths display short."""
    from bundle.builders import VALID_YAML, write_bundle

    monkeypatch.chdir(tmp_path)
    counter = iter(range(1_000_000))

    def make(yaml_text: str | bytes | None = VALID_YAML, files: dict[str, str | bytes] | None = None,
             name: str | None = None) -> Path:
        return write_bundle(tmp_path / (name or f"b{next(counter)}"), yaml_text, files)

    return make
