"""The routed template's key covers the sources that generate the design, in every folder they live in, and
leaves out exactly the files named as not deciding it (each of which must exist: a renamed file would
otherwise fall out of the list unnoticed)."""

from __future__ import annotations

from pathlib import Path

from bitstream import template

ROOT = Path(__file__).resolve().parents[2]


def test_every_file_named_as_not_design_exists():
    missing = sorted(name for name in template._NOT_DESIGN if not (ROOT / name).is_file())
    assert missing == []


def test_design_sources_span_the_folders_of_the_design():
    sources = {path.as_posix() for path in template.design_sources()}
    for name in ("bitstream/top.py", "bitstream/scaling.py", "bitstream/audio_path.py", "bitstream/plan.py",
                 "boards/eurorack_pmod/pmod.py", "boards/audio_edge/codec_edge.py", "boards/defs/tiliqua.py",
                 "rtl/conv_layer.py", "common/config.py"):
        assert name in sources, name
    for name in ("bitstream/build.py", "bitstream/template.py", "bitstream/__main__.py", "bitstream/archive.py",
                 "boards/toolchain/weight_swap.py", "boards/__main__.py"):
        assert name not in sources, name
    assert not any("/tests/" in name or "/formal/" in name for name in sources)
