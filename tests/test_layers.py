"""Data flows one way: no module imports one of a later stage, and the imports form no cycle.

Every import counts, at the top of a module or inside a function (a lazy import is still a
dependency). A stage may import its own modules and those of earlier stages; the root package
``reportgen`` is the public API and nothing inside imports it but for ``__version__``.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "reportgen"

# Earliest first. A module belongs to the first entry its dotted name starts with.
STAGES = [
    ("ground", ("reportgen.problems", "reportgen.limits", "reportgen.safetext", "reportgen.assets",
                "reportgen.versions", "reportgen.trace", "reportgen.contained")),
    ("config", ("reportgen.template_registry", "reportgen.config")),
    ("engines", ("reportgen.engines",)),
    ("bundle", ("reportgen.bundle",)),
    ("checks", ("reportgen.checks",)),
    ("compute", ("reportgen.compute",)),
    ("collection", ("reportgen.collection",)),
    ("charts", ("reportgen.charts",)),
    ("render", ("reportgen.render",)),
    ("pdf", ("reportgen.pdf",)),
    ("outputs", ("reportgen.outputs",)),
    ("pipeline", ("reportgen.validation", "reportgen.revisions", "reportgen.pipeline")),
    ("batch", ("reportgen.batch",)),
    ("api", ("reportgen.api",)),
    ("cli", ("reportgen.cli", "reportgen.__main__")),
]
# Levels of imports from the command line (reportgen.cli.main) down to the ground, each module one
# level: issue #12 asks for about 8. ``python -m reportgen`` adds one (reportgen.__main__).
CLI_DEPTH = 8


def _name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name(p): p for p in PACKAGE.rglob("*.py")}


def _stage(module: str) -> int:
    for index, (_, prefixes) in enumerate(STAGES):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return index
    raise AssertionError(f"{module} belongs to no stage: add it to STAGES")


def _imports(module: str) -> set[str]:
    """reportgen modules ``module`` imports (a ``from package import name`` names the submodule);
    imports for type checkers only (under ``if TYPE_CHECKING:``) are not dependencies."""
    found = set()
    tree = ast.parse(MODULES[module].read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            node.body = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("reportgen")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("reportgen"):
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in MODULES else node.module)
    return {name for name in found if name in MODULES and name != module}


GRAPH = {module: _imports(module) for module in MODULES if module != "reportgen"}


def test_every_module_has_a_stage():
    for module in GRAPH:
        _stage(module)


def test_no_module_imports_a_later_stage():
    backwards = sorted(f"{module} ({STAGES[_stage(module)][0]}) imports {target} ({STAGES[_stage(target)][0]})"
                       for module, targets in GRAPH.items() for target in targets
                       if target != "reportgen" and _stage(target) > _stage(module))
    assert not backwards, "\n".join(backwards)


def test_only_the_version_is_taken_from_the_api():
    offenders = []
    for module in GRAPH:
        for node in ast.walk(ast.parse(MODULES[module].read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "reportgen":
                offenders += [f"{module}: {a.name}" for a in node.names if a.name != "__version__"
                              and f"reportgen.{a.name}" not in MODULES]
    assert not offenders


def test_no_cycle_and_few_levels():
    depth: dict[str, int] = {}

    def walk(module: str, path: tuple[str, ...]) -> int:
        assert module not in path, "import cycle: " + " → ".join(path + (module,))
        if module not in depth:
            depth[module] = 1 + max((walk(t, path + (module,)) for t in GRAPH[module] if t in GRAPH), default=0)
        return depth[module]

    for module in GRAPH:
        walk(module, ())

    def chain(module: str) -> str:
        below = max((t for t in GRAPH[module] if t in depth), key=depth.get, default=None)
        return module if below is None else f"{module} → {chain(below)}"

    cli = "reportgen.cli.main"
    assert depth[cli] <= CLI_DEPTH, f"{depth[cli]} levels of imports, more than {CLI_DEPTH}: {chain(cli)}"
    assert max(depth.values()) <= CLI_DEPTH + 1, chain(max(depth, key=depth.get))
