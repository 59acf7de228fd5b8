"""Many bundles: discovery, sharding, incremental skips and parallel builds.

Each bundle builds in isolation: one failure is recorded and the others go on. Workers are
processes (WeasyPrint and vl-convert are not thread-safe); each keeps its warm state — imported
libraries, the vl-convert engine, fonts — across the bundles it is given.

The pipeline, YAML and the theme code are imported inside the functions that need them: the
CLI imports this module before its helper processes fork (see reportgen.pipeline), and a fully
skipped run (nothing changed) should not pay for them.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from pathlib import Path
from typing import Callable, Iterable

from reportgen import __version__
from reportgen.assets import PACKAGE
from reportgen.bundle import MANIFEST
from reportgen.collection import COLLECTION
from reportgen.contained import real_path
from reportgen.config import BuildConfig
from reportgen.problems import Problem, Severity, display_path, failure_problem

BUNDLES_PER_WORKER = 4


@dataclass
class Outcome:
    path: str
    bundle_id: str | None
    status: str  # built | skipped | invalid | failed
    seconds: float = 0.0
    outputs: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # objects until the CLI prints them
    errors: list[Problem] = field(default_factory=list)
    pages: int | None = None


def discover(paths: Iterable[Path]) -> list[Path]:
    """Bundle folders named directly, or every subfolder holding a bundle.yaml; de-duplicated,
    sorted. Any other path (a file not named bundle.yaml) is kept, for the loader to report."""
    found: dict[Path, None] = {}
    for path in paths:
        if path.name in (MANIFEST, COLLECTION) and path.is_file():
            found[path.parent.resolve()] = None
        elif (path / MANIFEST).is_file() or (path / COLLECTION).is_file():
            found[path.resolve()] = None
        elif path.is_dir():
            for folder in _bundles_under(path):
                found[folder.resolve()] = None
        else:
            found[real_path(path) or path] = None  # the loader reports it as missing, or a loop
    return sorted(found, key=lambda p: p.as_posix())


def _bundles_under(root: Path) -> Iterable[Path]:
    """Bundle folders under ``root``. A link to a folder counts when that folder is a bundle, but
    is not walked into: a link to / or to the home folder must not make every bundle.yaml on the
    machine part of the run. Hidden folders are skipped."""
    def unreadable(error: OSError) -> None:  # a bundle skipped unseen would look deleted to --prune
        raise error

    for folder, subfolders, files in os.walk(root, onerror=unreadable):
        here = Path(folder)
        if MANIFEST in files or COLLECTION in files:
            yield here
        if COLLECTION in files and MANIFEST not in files:
            subfolders[:] = []  # a collection's own bundles are built as part of it
            continue
        linked = [name for name in subfolders if (here / name).is_symlink()]
        yield from (here / name for name in linked if not name.startswith(".") and (here / name / MANIFEST).is_file())
        subfolders[:] = sorted(name for name in subfolders if not name.startswith(".") and name not in linked)


def shard(bundles: list[Path], spec: str | None) -> list[Path]:
    """``I/N``: the bundles whose name hashes to slot I of N. Adding a bundle moves no other."""
    if not spec:
        return bundles
    index, count = parse_shard(spec)
    return [b for b in bundles if int(hashlib.sha256(b.name.encode()).hexdigest(), 16) % count == index - 1]


def parse_shard(spec: str) -> tuple[int, int]:
    try:
        index, count = (int(part) for part in spec.split("/"))
    except ValueError:
        raise ValueError(f"--shard takes I/N, e.g. 1/4, not '{spec}'") from None
    if not 1 <= index <= count:
        raise ValueError(f"--shard {spec}: I must be between 1 and N")
    return index, count


def _tree_digest(root: Path, leave_out: Path | None = None) -> list[tuple[str, str]]:
    """sha256 of every file under ``root`` (hidden ones too: a table may live in .data/), except
    links that lead outside it, which a bundle may not read anyway, and files under ``leave_out``
    when that is a folder inside ``root`` (an output folder kept in a bundle)."""
    real_root = root.resolve()
    inside = leave_out if leave_out and leave_out != real_root and leave_out.is_relative_to(real_root) else None
    items = []
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        real = path.resolve()
        if real.is_relative_to(real_root) and not (inside and real.is_relative_to(inside)):
            items.append((path.relative_to(root).as_posix(), _content_digest(path)))
    return items


def _content_digest(path: Path) -> str:
    """sha256 of a file; a file that cannot be read counts as such, rather than stopping the run
    (the build reports it if it needs it), and counts again once it can be read."""
    from reportgen.outputs import sha256_file

    try:
        return sha256_file(path)
    except OSError as exc:
        return f"unreadable: {exc.strerror or exc}"


def _bundle_digest(bundle: Path, leave_out: Path) -> list[tuple[str, str]]:
    """Every file of a bundle folder (hidden ones too: a table may live in .data/) by what
    _bundle_file_digest says of it, but files under ``leave_out`` when that is a folder
    inside the bundle (an output folder kept in it). Links to folders are not walked into,
    and a link leading out of the bundle is left out: the bundle may not read it."""
    root = bundle.resolve()
    inside = leave_out if leave_out != root and leave_out.is_relative_to(root) else None
    items = []
    for here, subfolders, names in os.walk(bundle):
        subfolders.sort()
        for name in sorted(names):
            path = Path(here) / name
            real = real_path(path)
            if real is None:
                items.append((path.relative_to(bundle).as_posix(), "a loop of symbolic links"))
            elif real.is_relative_to(root) and not (inside and real.is_relative_to(inside)):
                items.append((path.relative_to(bundle).as_posix(), _bundle_file_digest(path)))
    return items


def manifest_of(folder: Path) -> Path:
    """The file that makes ``folder`` a bundle (bundle.yaml) or a collection (collection.yaml)."""
    if not (folder / MANIFEST).exists() and (folder / COLLECTION).is_file():
        return folder / COLLECTION
    return folder / MANIFEST


def _members_digest(folder: Path, out: Path) -> list:
    """A collection's bundles, each by every file in it: a change to any rebuilds the collection."""
    manifest = manifest_of(folder)
    if manifest.name != COLLECTION:
        return []
    from reportgen.collection.load import listed_members  # pandas and pydantic: for collections only

    return [(os.path.relpath(member, folder), _bundle_digest(member, out), _bundle_file_digest(member / MANIFEST))
            for member in listed_members(manifest)]


def _bundle_file_digest(path: Path) -> str:
    """sha256 of a bundle file read as the build reads it (bundle.paths.open_bundle_file): a
    FIFO, a device or a file over the size limit is never read, and counts by what it is."""
    from reportgen.bundle.paths import FileTooLarge, UnreadableFile, open_bundle_file
    from reportgen.limits import Limits

    limit = max(Limits().max_table_bytes, Limits().max_manifest_bytes)
    digest = hashlib.sha256()
    try:
        with open_bundle_file(path, limit) as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except FileTooLarge as exc:  # not read by a build either: its size and time tell a change
        return f"too large: {exc.size} bytes, changed {_changed_ns(path)}"
    except (UnreadableFile, OSError) as exc:  # the build reports it if it needs it
        return f"unreadable: {getattr(exc, 'message', None) or exc}"
    return digest.hexdigest()


def _changed_ns(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


@cache
def _package_digest() -> str:
    """Templates, themes and fonts shipped with this reportgen: a change to any rebuilds everything."""
    parts = [(name, _tree_digest(PACKAGE / name)) for name in ("templates", "themes")]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def options_material(config: BuildConfig) -> dict:
    """What an incremental build compares of the config: its fingerprint, plus limits (they decide
    validity). The user's template and theme count by which template is used and by their content
    (see appearance_digest), not by how their paths are spelled from the working directory."""
    from reportgen.render.appearance import theme_file

    theme = theme_file(config.theme)  # which file of its folder, and whether given as the folder (its logo)
    limits = config.limits
    return {**config.fingerprint(), "template": [config.template.name, config.template.folder is not None],
            "theme": [theme.name, Path(str(config.theme)).is_dir()] if theme else None,
            "limits": [limits.max_rows, limits.max_table_bytes, limits.max_manifest_bytes, limits.max_yaml_nodes]}


def appearance_digest(config: BuildConfig, out: Path) -> list:
    """The user's template and theme folders (see appearance.user_folders), by the content of
    every file a build may read there, leaving out ``out``, whose briefings change every build.
    Read as a build reads them (reportgen.contained): a link leading out of the folder, a file
    that is not regular (a FIFO, a device) or one over the size limit counts by why it is
    refused, without being opened, and links to folders are not followed. Computed once per
    run: every bundle shares it."""
    from reportgen.render.appearance import may_be_read, user_folders
    from reportgen.contained import files_inside

    digests = []
    for folder in user_folders(config.template, config.theme):
        real_root, leave_out = folder.resolve(), out.resolve()
        inside = leave_out if leave_out != real_root and leave_out.is_relative_to(real_root) else None
        files = [(relative.as_posix(), _contained_digest(folder, relative)) for relative in files_inside(folder)
                 if may_be_read(relative) and not (inside and (folder / relative).resolve().is_relative_to(inside))]
        digests.append(files)  # not the folder's path: how it is spelled depends on where the run starts
    return digests


def _contained_digest(folder: Path, relative: Path) -> str:
    """sha256 of a file of a template or theme folder, or why a build would refuse to read it."""
    from reportgen.contained import MAX_THEME_FILE_BYTES, ContainedFileError, read_inside

    try:
        return hashlib.sha256(read_inside(folder, relative, MAX_THEME_FILE_BYTES)).hexdigest()
    except ContainedFileError as exc:
        return f"refused: {exc.reason}"


def cache_key(bundle: Path, config: BuildConfig, material: dict, appearance: list, out: Path) -> str:
    """Everything a build depends on: every file in the bundle folder (but the output folder,
    should it be inside), the template and theme (the package's, and the user's: see
    appearance_digest), the options, reportgen's and its dependencies' versions and
    SOURCE_DATE_EPOCH."""
    from reportgen.versions import dependency_versions  # importlib.metadata: after the helpers fork

    # bundle.yaml counts by what it says even when it is a link leading out of the folder
    material = {"bundle": _bundle_digest(bundle, out.resolve()), "manifest": _bundle_file_digest(manifest_of(bundle)),
                "members": _members_digest(bundle, out.resolve()),
                "package": _package_digest(), "extra": appearance,
                "options": material, "reportgen": __version__, "dependencies": dependency_versions(),
                "source_date_epoch": config.source_date_epoch}
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def bundle_id_of(bundle: Path) -> str | None:
    """The id from bundle.yaml, read cheaply (no schema, no tables) for the incremental check.
    Anything odd (too large, too deep, unreadable) gives None: the build then reports it.

    A run asks for each bundle's id several times (shared ids, the skip decision, stale
    outputs): the file is read once for as long as its size and change times stay."""
    manifest = real_path(manifest_of(bundle))
    if manifest is None:  # a loop of links
        return None
    try:
        stat = manifest.stat()
    except OSError:
        return None
    return _id_in(manifest, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


@lru_cache(maxsize=4096)
def _id_in(manifest: Path, _size: int, _mtime_ns: int, _ctime_ns: int) -> str | None:
    import yaml

    from reportgen.bundle.yamlsource import nesting_too_deep

    text = _manifest_text(manifest)
    if text is None:
        return None
    try:
        if nesting_too_deep(text):
            return None
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (yaml.YAMLError, RecursionError):
        return None
    value = data.get("id") if isinstance(data, dict) else None
    return value if isinstance(value, str) and value and "/" not in value and not value.startswith(".") else None


def _manifest_text(manifest: Path) -> str | None:
    """The text of a bundle.yaml read as the build reads it (see bundle.paths.open_bundle_file),
    or None when it cannot be: the build reports why."""
    from reportgen.bundle.paths import UnreadableFile, read_bundle_file
    from reportgen.limits import Limits

    try:
        return read_bundle_file(manifest, Limits().max_manifest_bytes).decode("utf-8")
    except (UnreadableFile, UnicodeDecodeError):
        return None


def up_to_date(bundle: Path, out: Path, key: str) -> Outcome | None:
    """An Outcome 'skipped' when the previous build in ``out`` has the same key and intact outputs,
    and was built from this folder (a moved bundle is built again, so its manifest says where
    it now is, which --prune goes by). A manifest of another schema version (an older
    reportgen's, whose warnings are lines of text) does not count: building again rewrites it."""
    from reportgen.outputs import bundle_from_output
    from reportgen.pipeline import MANIFEST_SCHEMA_VERSION

    bundle_id = bundle_id_of(bundle)
    if bundle_id is None:
        return None
    manifest_path = out / bundle_id / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        built_from = manifest["bundle"].get("from_output")
        recorded = [Problem.from_dict(w) for w in manifest.get("warnings", [])]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if manifest.get("schema_version") != MANIFEST_SCHEMA_VERSION or manifest.get("cache_key") != key or \
            built_from != bundle_from_output(bundle, manifest_path.parent):
        return None
    folder = manifest_path.parent
    for record in manifest.get("outputs", []):
        path = folder / record["path"]
        if not path.is_file() or path.stat().st_size != record["bytes"]:
            return None
    records = manifest.get("outputs", [])
    then, now = manifest["bundle"].get("path", ""), display_path(bundle)
    warnings = [_said_from_here(w, then, now) for w in recorded]
    return Outcome(display_path(bundle), bundle_id, "skipped",
                   outputs=sorted(Path(display_path(p)).as_posix() for p in [*(folder / r["path"] for r in records), manifest_path]),
                   warnings=warnings,
                   pages=next((r.get("pages") for r in records if r["path"] == "brief.pdf"), None))


def _said_from_here(problem: Problem, then: str, now: str) -> Problem:
    """A problem recorded by a build that named the bundle ``then`` (relative to its working
    directory), with its path as this run, which names the bundle ``now``, says it."""
    path = problem.path
    if not then or path is None or Path(path).is_absolute():
        return problem  # a message of the PDF engine (no file in it), or a file named the same from anywhere
    if then == ".":
        rest = path
    elif path.startswith(then + "/"):
        rest = path[len(then) + 1:]
    else:
        return problem
    return replace(problem, path=rest if now == "." else f"{now}/{rest}")


def build_one(bundle: Path, out: Path, config: BuildConfig, key: str) -> Outcome:
    """Build one bundle; never raises (the batch goes on), the outcome says what happened."""
    return start_one(bundle, out, config, key)()


def start_one(bundle: Path, out: Path, config: BuildConfig, key: str) -> Callable[[], Outcome]:
    """Start building one bundle (see reportgen.pipeline.start_build); the function returned
    finishes it. Neither raises: the outcome says what happened."""
    from reportgen.pipeline import start_build
    from reportgen.problems import BundleInvalid

    started = time.perf_counter()

    def failed(exc: Exception) -> Outcome:  # a renderer failure must not stop the other bundles
        return _failed(bundle, failure_problem(bundle, exc), time.perf_counter() - started)

    try:
        finish = start_build(bundle, out, config, cache_key=key)
    except BundleInvalid as exc:
        errors, warnings = rejection(exc.problems)
        invalid = Outcome(display_path(bundle), bundle_id_of(bundle), "invalid", time.perf_counter() - started,
                          errors=errors, warnings=warnings)
        return lambda: invalid
    except Exception as exc:
        outcome = failed(exc)
        return lambda: outcome

    def collect() -> Outcome:
        try:
            result = finish()
        except Exception as exc:
            return failed(exc)
        return Outcome(display_path(bundle), result.bundle_id, "built", result.seconds,
                       outputs=[Path(display_path(p)).as_posix() for p in result.outputs], warnings=result.warnings,
                       pages=result.pages)

    return collect


def _failed(bundle: Path, error: Problem, seconds: float = 0.0) -> Outcome:
    return Outcome(display_path(bundle), bundle_id_of(bundle), "failed", seconds, errors=[error])


def rejection(problems: list[Problem]) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) of a bundle refused: with no error it was refused under --strict for
    its warnings, which are then its errors."""
    errors = [p for p in problems if p.severity is Severity.ERROR]
    warnings = [p for p in problems if p.severity is Severity.WARNING]
    if errors:
        return errors, warnings
    strict = "an error under --strict"
    return [replace(p, severity=Severity.ERROR, hint=f"{p.hint}; {strict}" if p.hint else strict)
            for p in warnings], []


@dataclass
class StaleOutput:
    folder: Path  # out/<id>, a folder reportgen wrote (it holds our manifest.json)
    bundle: str  # the folder it was built from, as the log shows paths
    reason: str

    def describe(self) -> str:
        return f"{display_path(self.folder)}, the briefing of {self.bundle}, {self.reason}"


def stale_outputs(roots: list[Path], building: list[Path], out: Path) -> list[StaleOutput]:
    """Output folders whose bundle is gone: built from a folder under one of ``roots`` (the
    paths this run was given) that holds no bundle any more, or one with another id. Only
    folders holding a reportgen manifest count, and never a link or a bundle.

    Never stale: the folder of an id a bundle of ``building`` (this run's slice, which writes to
    ``out``) has, and the folder of a bundle whose id cannot be read just now (its next valid
    build decides). The folder a bundle was built from is taken relative to its output folder
    (manifest ``bundle.from_output``), so it is found wherever this run starts; a manifest
    without it, from an older reportgen, is left alone (the bundle's next build adds it)."""
    live = {bundle_id_of(b) for b in building}
    given = [r.resolve() for r in roots]
    stale = []
    for manifest_path in sorted(out.glob("*/manifest.json")) if out.is_dir() else []:
        folder = manifest_path.parent
        try:
            recorded = json.loads(manifest_path.read_text(encoding="utf-8"))["bundle"]
            bundle_id, source = recorded["id"], (folder / recorded["from_output"]).resolve()
        except (OSError, ValueError, KeyError, TypeError):
            continue  # not a manifest of ours, or one too old to say where it was built from
        if bundle_id != folder.name or bundle_id in live or folder.is_symlink() or (folder / MANIFEST).exists():
            continue  # a link (the briefing lives elsewhere) or a bundle is never ours to remove
        if not any(source == root or source.is_relative_to(root) for root in given):
            continue  # built from elsewhere: not this run's to judge
        manifest = manifest_of(source)
        if not (manifest.exists() or manifest.is_symlink()):  # a bundle in a hidden folder, or
            # one whose bundle.yaml is a link broken for now, still is one
            stale.append(StaleOutput(folder, display_path(source), "which is no longer a bundle"))
        elif (current := bundle_id_of(source)) not in (None, bundle_id):  # None: unreadable now
            stale.append(StaleOutput(folder, display_path(source), f"which now has the id '{current}'"))
    return stale


def shared_ids(bundles: list[Path]) -> dict[Path, Path]:
    """Bundles whose id another bundle in this run already has (bundle → the first holder)."""
    first: dict[str, Path] = {}
    clashes: dict[Path, Path] = {}
    for bundle in bundles:
        bundle_id = bundle_id_of(bundle)
        if bundle_id is None:
            continue
        if bundle_id in first:
            clashes[bundle] = first[bundle_id]
        else:
            first[bundle_id] = bundle
    return clashes


def _id_position(manifest: Path) -> tuple[int, int]:
    """(line, col) of the manifest's top-level ``id`` value, or (1, 1)."""
    import yaml

    text = _manifest_text(manifest)
    try:
        root = yaml.compose(text or "", Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return 1, 1
    marks = [value.start_mark for key, value in (root.value if isinstance(root, yaml.MappingNode) else ())
             if key.value == "id"]
    return (marks[-1].line + 1, marks[-1].column + 1) if marks else (1, 1)  # YAML keeps the last


def worker_count(bundles: int, jobs: int) -> int:
    """A worker costs about as much to start as a few briefings take to build: parallelise only
    when each worker gets several bundles."""
    return min(jobs, bundles // BUNDLES_PER_WORKER)


def run(bundles: list[Path], out: Path, config: BuildConfig, *, jobs: int = 1, force: bool = False,
        clashes: dict[Path, Path] | None = None,
        on_done: Callable[[Outcome], None] | None = None,
        on_start: Callable[[str], None] | None = None,
        on_plan: Callable[[int, int], None] | None = None) -> list[Outcome]:
    """Build (or skip) every bundle; outcomes come back in the bundles' order. ``clashes``
    (see shared_ids; by default found among ``bundles``) are refused: a shard passes those of
    every bundle, so two shards never write one folder. ``on_plan`` hears how many bundles need
    building, and on how many workers, before the first starts."""
    material = options_material(config)
    appearance = appearance_digest(config, out)
    keys = {b: cache_key(b, config, material, appearance, out) for b in bundles}
    outcomes: dict[Path, Outcome] = {}
    todo = []
    clashes = shared_ids(bundles) if clashes is None else clashes
    for bundle, other in ((b, clashes[b]) for b in bundles if b in clashes):
        line, col = _id_position(manifest_of(bundle))
        outcomes[bundle] = Outcome(display_path(bundle), bundle_id_of(bundle), "invalid", errors=[Problem(
            display_path(manifest_of(bundle)), line, col, Severity.ERROR,
            f"bundle id '{bundle_id_of(bundle)}' is also used by {display_path(other)}; "
            "both would write to the same output folder", kind="shared bundle id")])
    for bundle in (b for b in bundles if b not in outcomes):
        skipped = None if force else up_to_date(bundle, out, keys[bundle])
        if skipped:
            outcomes[bundle] = skipped
        else:
            todo.append(bundle)
    workers = worker_count(len(todo), jobs)
    if on_plan:
        on_plan(len(todo), workers)
    if on_done:
        for outcome in outcomes.values():
            on_done(outcome)
    if workers <= 1:
        # One after another, overlapped: the next bundle is checked and its charts drawn while
        # the PDF helper lays out the previous bundle's PDF.
        def finish(bundle: Path, collect: Callable[[], Outcome]) -> None:
            outcomes[bundle] = collect()
            if on_done:
                on_done(outcomes[bundle])

        previous: tuple[Path, Callable[[], Outcome]] | None = None
        for bundle in todo:
            if on_start:
                on_start(bundle.name)
            started = start_one(bundle, out, config, keys[bundle])
            if previous:
                finish(*previous)
            previous = (bundle, started)
        if previous:
            finish(*previous)
    else:
        if on_start:
            on_start(f"{len(todo)} bundles on {workers} workers")

        def record(bundle: Path, outcome: Outcome) -> None:
            outcomes[bundle] = outcome
            if on_done:
                on_done(outcome)

        _build_in_workers(todo, workers, out, config, keys, record)
    return [outcomes[b] for b in bundles]


def _build_in_workers(todo: list[Path], workers: int, out: Path, config: BuildConfig, keys: dict[Path, str],
                      record: Callable[[Path, Outcome], None]) -> None:
    """Build ``todo`` in a pool of worker processes, recording each outcome as it comes.

    A worker that dies (killed, out of memory) breaks the pool and fails every bundle it still
    held, started or not. Those are built again in a fresh pool; any that break that one too
    are built alone, one pool each, so a bundle that kills its worker fails by itself.
    """
    import gc
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    # Workers fork from a fork server that imported the renderers once: each starts warm,
    # and no worker inherits the parent's threads (the progress bar) or vl-convert engine.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["reportgen.pipeline", "reportgen.charts.draw", "reportgen.pdf.write", "reportgen.render.html"])
    pending, died = list(todo), {}
    for attempt in range(3):
        alone = attempt == 2
        broken: set[Path] = set()
        for group in ([b] for b in pending) if alone else [pending]:
            # Workers come from the fork server, a fresh interpreter: hand them this process's
            # collector settings (see reportgen.cli.main.entry).
            with ProcessPoolExecutor(max_workers=min(workers, len(group)), mp_context=context,
                                     initializer=gc.set_threshold, initargs=gc.get_threshold()) as pool:
                futures = {pool.submit(build_one, b, out, config, keys[b]): b for b in group}
                for future in as_completed(futures):
                    bundle = futures[future]
                    try:
                        outcome = future.result()
                    except BrokenProcessPool as exc:
                        died[bundle] = exc
                        if not alone:
                            broken.add(bundle)
                            continue
                        outcome = _failed(bundle, Problem(display_path(bundle), None, None, Severity.ERROR,
                                                          f"its worker died: {exc}", kind="worker died"))
                    except Exception as exc:  # the outcome could not come back
                        outcome = _failed(bundle, failure_problem(bundle, exc))
                    if bundle in died and outcome.status != "failed":
                        outcome.warnings.append(Problem(
                            None, None, None, Severity.WARNING, "built again: a worker died while this bundle "
                            f"waited or was being built ({died[bundle]})", kind="worker died"))
                    record(bundle, outcome)
        pending = [b for b in pending if b in broken]
        if not pending:
            return
