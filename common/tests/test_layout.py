"""The repository's shape: imports only go forward between the top-level folders, and every document a
file cites is in the repository.

Folder order (a folder may import only from folders of a lower level):

    common (0) < train (1) < quantize (2) < rtl, mcu (3) < sim, boards (4) < bitstream, firmware_datalogger (5)
        < bench, gatesim (6)

(``mcu`` turns the quantized network into C for a microcontroller: it needs the weights and the golden
model, never the RTL or the boards. ``boards`` is the platform any design runs on; ``bitstream`` and
``firmware_datalogger`` are the two designs on it.)

The platform is held to more than the order: ``boards/`` imports nothing from ``rtl/``, ``quantize/`` or
``bitstream/`` (nor from any other design), so that a board can be added, and a design built on it, without
the waveshaper.

Every import counts: module level or inside a function, absolute or relative, and
``importlib.import_module("...")`` with a literal name. Each check is also run on a small made-up file
that breaks it, so a check that cannot fail fails here.
"""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LEVEL = {"common": 0, "train": 1, "quantize": 2, "rtl": 3, "mcu": 3, "sim": 4, "boards": 4,
         "bitstream": 5, "firmware_datalogger": 5, "bench": 6, "gatesim": 6}
#: The only folders the platform (``boards/``, its tests included) may import from.
PLATFORM_MAY_IMPORT = {"common", "boards"}


def imported_modules(source: str, module: str) -> list[str]:
    """Absolute names of everything ``source`` (the file of dotted ``module``) imports."""
    package = module.split(".")[:-1]
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                names.append(node.module or "")
            else:
                base = package[:len(package) - node.level + 1]
                names.append(".".join([*base, *([node.module] if node.module else [])]))
        elif (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)
              and getattr(node.func, "attr", getattr(node.func, "id", None)) in ("import_module", "__import__")):
            names.append(node.args[0].value)
    return names


def backward_imports(files: dict[str, str]) -> list[str]:
    """``path: imports module`` for every import that does not go to a lower folder. ``files``: repository
    path (``rtl/plan.py``) -> source."""
    found = []
    for path, source in sorted(files.items()):
        top = path.split("/")[0]
        module = path[:-3].replace("/", ".")
        for name in imported_modules(source, module):
            target = name.split(".")[0]
            if target in LEVEL and target != top and LEVEL[target] >= LEVEL[top]:
                found.append(f"{path}: imports {name} ({top} is level {LEVEL[top]}, {target} level {LEVEL[target]})")
    return found


def python_files() -> dict[str, str]:
    return {path.relative_to(ROOT).as_posix(): path.read_text()
            for top in LEVEL for path in (ROOT / top).rglob("*.py")}


def test_every_import_goes_forward():
    files = python_files()
    assert len(files) > 100 and all(any(p.startswith(f"{top}/") for p in files) for top in LEVEL)
    assert backward_imports(files) == []


@pytest.mark.parametrize("path, source", [
    ("rtl/__main__.py", "def main():\n    from boards.registry import get_board\n"),
    ("quantize/x.py", "import rtl.plan\n"),
    ("common/x.py", "from train import dataset\n"),
    ("sim/tests/x.py", "from boards.registry import get_board\n"),   # same level: not allowed either
    ("firmware_datalogger/x.py", "from bitstream.top import NetworkTop\n"),  # the two designs: same level
    ("bitstream/x.py", "from gatesim.netlist import synthesise\n"),
    ("boards/x.py", "import importlib\nimportlib.import_module('bench.networks')\n"),
    ("mcu/x.py", "from rtl.plan import make_plan\n"),                    # same level as rtl
    ("mcu/tests/x.py", "from sim.stimulus import embedding_sweep_codes\n"),
    ("rtl/tests/x.py", "from ...boards import registry\n"),            # relative, out of the package
])
def test_the_import_check_catches_a_backward_import(path, source):
    assert len(backward_imports({path: source})) == 1


def test_forward_and_local_imports_pass():
    ok = {"bitstream/plan.py": "from rtl.plan import make_plan\nfrom boards.registry import BoardSpec\n",
          "gatesim/x.py": "from bitstream.plan import plan_for_board\n",
          "mcu/generate.py": "from quantize.golden import rounding_constant\nfrom train.dataset import jack_codes\n",
          "rtl/tests/x.py": "from ..plan import make_plan\nfrom common.config import ModelConfig\n",
          "bench/x.py": "import boards.toolchain.report\n"}
    assert backward_imports(ok) == []


def platform_imports(files: dict[str, str]) -> list[str]:
    """``path: imports module`` for every import of a ``boards/`` file from a folder of the repository other
    than :data:`PLATFORM_MAY_IMPORT` (``rtl``, ``quantize``, ``bitstream``, ...)."""
    found = []
    for path, source in sorted(files.items()):
        if path.split("/")[0] != "boards":
            continue
        for name in imported_modules(source, path[:-3].replace("/", ".")):
            target = name.split(".")[0]
            if target in LEVEL and target not in PLATFORM_MAY_IMPORT:
                found.append(f"{path}: imports {name}: the platform knows no design")
    return found


def test_the_platform_imports_no_design():
    files = python_files()
    assert sum(p.startswith("boards/") for p in files) > 40
    assert platform_imports(files) == []


@pytest.mark.parametrize("source", [
    "from rtl.types import SampleVector\n",
    "def f():\n    from quantize.weights import QuantizedNetwork\n",
    "from bitstream.jacks import input_jacks\n",
    "import importlib\nimportlib.import_module('bitstream.archive')\n",
])
def test_the_platform_check_catches_a_design_import(source):
    assert len(platform_imports({"boards/tiliqua/x.py": source})) == 1
    assert platform_imports({"bitstream/x.py": source}) == []   # a design may import the network


def _module_name(path: str) -> str:
    module = path[:-3].replace("/", ".")
    return module[: -len(".__init__")] if module.endswith(".__init__") else module


def module_imports(files: dict[str, str]) -> dict[str, set[str]]:
    """Module -> the modules of ``files`` it imports (``from package import module`` counts as the module)."""
    modules = {_module_name(path) for path in files}
    graph = {}
    for path, source in files.items():
        found = set()
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for name in imported_modules(ast.unparse(node), path[:-3].replace("/", ".")):
                members = [f"{name}.{alias.name}" for alias in node.names] if isinstance(node, ast.ImportFrom) else []
                inside = [member for member in members if member in modules]
                found.update(inside or ([name] if name in modules else []))
        graph[_module_name(path)] = found - {_module_name(path)}
    return graph


def mutual_imports(files: dict[str, str]) -> list[tuple[str, str]]:
    """Pairs of modules that import each other (at module level or inside a function)."""
    graph = module_imports(files)
    return sorted({tuple(sorted((a, b))) for a, targets in graph.items() for b in targets if a in graph.get(b, ())})


def test_no_two_modules_import_each_other():
    assert mutual_imports(python_files()) == []


def test_the_mutual_import_check_catches_a_pair():
    files = {"rtl/plan.py": "from .resources import estimate\n",
             "rtl/resources.py": "def fit():\n    from .plan import make_plan\n",
             "rtl/timing.py": "X = 1\n", "rtl/network.py": "from . import timing\nfrom .plan import Plan\n"}
    assert mutual_imports(files) == [("rtl.plan", "rtl.resources")]


# -- citations ---------------------------------------------------------------------------------------

#: Documents that were never part of the repository, and paths outside it. Spelled in pieces so that this
#: file does not match itself.
OUTSIDE = [re.escape(name + ".md") for name in ("hardware", "toolchain", "prototype")] + [
    re.escape("../" + "shared"), re.escape("/work" + "/"), re.escape("shared/" + "reference")]
OUTSIDE_RE = re.compile(r"(?<![\w-])(?:" + "|".join(OUTSIDE) + ")")
DOCS_RE = re.compile(r"\bdocs/([\w.-]+\.md)\b")
#: Wording about how the work was organised rather than about the project.
ORGANISATIONAL_RE = re.compile(r"\bteam ?mates?\b|\bthe brief\b", re.IGNORECASE)


def citation_problems(files: dict[str, str], docs: set[str]) -> list[str]:
    """Citations in ``files`` (path -> text) that point outside the repository or to a missing document,
    section signs in a file that names no document of ``docs/``, and organisational wording."""
    problems = []
    for path, text in sorted(files.items()):
        for match in OUTSIDE_RE.finditer(text):
            problems.append(f"{path}: cites {match[0]!r}, which is not in the repository")
        cited = set(DOCS_RE.findall(text))
        problems += [f"{path}: cites docs/{name}, which does not exist" for name in sorted(cited - docs)]
        if "\u00a7" in text and not cited and not path.startswith("docs/"):
            problems.append(f"{path}: cites a section (\u00a7) without naming the document in docs/")
        for match in ORGANISATIONAL_RE.finditer(text):
            problems.append(f"{path}: {match[0]!r} speaks of how the work was organised")
    return problems


def tracked_files() -> dict[str, str]:
    try:
        names = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                               check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: the tracked files are unknown")
    files = {}
    for name in names:
        path = ROOT / name
        if path.is_file() and not path.is_symlink():
            try:
                files[name] = path.read_text()
            except UnicodeDecodeError:
                continue
    return files


def test_every_citation_points_into_the_repository():
    files = tracked_files()
    docs = {p.name for p in (ROOT / "docs").glob("*.md")}
    assert {"arithmetic.md", "eurorack-pmod.md", "fpga-flow.md", "prior-work.md"} <= docs
    assert citation_problems(files, docs) == []


@pytest.mark.parametrize("text", [
    "Pin roles (" + "hardware" + ".md \u00a73)",
    "see " + "/work" + "/shared/" + "reference for the facts",
    "flow of " + "toolchain" + ".md \u00a78",
    "see docs/" + "nowhere.md",
    "the calibration of \u00a78",
    "reuses the boards " + "team" + "mate's pieces",
])
def test_the_citation_check_catches_an_outside_citation(text):
    assert len(citation_problems({"boards/x.py": text}, {"eurorack-pmod.md"})) >= 1


def test_citations_into_docs_pass():
    text = "the calibration (docs/eurorack-pmod.md \u00a78); docs/toolchain-notes.md is a file of ours"
    assert citation_problems({"boards/x.py": text}, {"eurorack-pmod.md", "toolchain-notes.md"}) == []
