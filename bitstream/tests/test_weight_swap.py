"""The weight swap's pieces on text configurations laid out by hand: ecpbram's hex files, the real ecpbram
patching block RAMs used 18 and 9 bits wide, and the read-back that locates every template column and reads
the new words from the same bits. (A real routed design, packed and unpacked again: test_build.py.)"""

from __future__ import annotations

import numpy as np
import pytest

from bitstream.build import swap_tool
from boards.toolchain.runner import tool_environment
from boards.toolchain.weight_swap import WeightSwapError, bram_blocks, patch_config, read_back, write_hex


def config_text(words, width: int, mode: int) -> str:
    """A text configuration whose block RAMs hold ``words`` (unsigned, ``width`` bits) as a routed design
    would, written out from the format (weight_swap's docstring): ``mode`` 18 puts 1024 words in each
    block, bit b of address a at bit 18 a + b of its 2048 9-bit words; ``mode`` 9 puts 2048 addresses of 9
    bits in each block (bits 0-8 of a word in one block, the rest in the next), bit b at 9 a + b. A spare
    block holding zeros comes first, as an unused RAM would."""
    words = [int(w) for w in words]
    blocks = [[0] * 18432]
    if mode == 18:
        for start in range(0, len(words), 1024):
            bits = [0] * 18432
            for a, w in enumerate(words[start:start + 1024]):
                for b in range(width):
                    bits[18 * a + b] = (w >> b) & 1
            blocks.append(bits)
    else:
        for start in range(0, len(words), 2048):
            for low in range(0, width, 9):
                bits = [0] * 18432
                for a, w in enumerate(words[start:start + 2048]):
                    for b in range(low, min(low + 9, width)):
                        bits[9 * a + b - low] = (w >> b) & 1
                blocks.append(bits)
    text = ".device LFE5U-25F\n\n.variant LFE5U-25F\n\n"
    for number, bits in enumerate(blocks):
        values = [sum(bits[9 * i + j] << j for j in range(9)) for i in range(2048)]
        text += f".bram_init {number}\n" + "".join(f"{v:03x}" + ("\n" if i % 8 == 7 else " ")
                                                  for i, v in enumerate(values)) + "\n"
    return text


def signed(words, width):
    return [int(w) - (1 << width) if w >> (width - 1) else int(w) for w in words]


def test_hex_files(tmp_path):
    write_hex(tmp_path / "a.hex", np.array([0, -1, 4660, -32768]), 16)
    assert (tmp_path / "a.hex").read_text() == "0000\nffff\n1234\n8000\n"
    # 10-bit words take 3 hex digits; the two spare bits are random, the low ten are the words
    write_hex(tmp_path / "b.hex", np.array([-1] * 600 + [5] * 424), 10)
    values = [int(v, 16) for v in (tmp_path / "b.hex").read_text().split()]
    assert all(len(v) == 3 for v in (tmp_path / "b.hex").read_text().split())
    assert [v & 0x3FF for v in values] == [0x3FF] * 600 + [5] * 424
    assert len({v >> 10 for v in values}) == 4


@pytest.mark.parametrize("mode,width", [(18, 16), (9, 16), (18, 12)])
def test_ecpbram_patches_and_read_back_finds_the_new_words(tmp_path, mode, width):
    rng = np.random.default_rng(mode + width)
    template = rng.integers(0, 1 << width, size=3 * 512)
    new = rng.integers(0, 1 << width, size=3 * 512)
    (tmp_path / "template.config").write_text(config_text(template, width, mode))
    write_hex(tmp_path / "template.hex", signed(template, width), width)
    write_hex(tmp_path / "new.hex", signed(new, width), width)
    env = tool_environment()
    patch_config(tmp_path / "template.config", tmp_path / "template.hex", tmp_path / "new.hex",
                 tmp_path / "patched.config", env=env, tool=swap_tool(env, "ecpbram"))
    patched = (tmp_path / "patched.config").read_text()
    held = read_back((tmp_path / "template.config").read_text(), patched, signed(template, width), width)
    assert held.tolist() == signed(new, width)
    # the blocks are exactly those a design holding the new words would have
    assert bram_blocks(patched).keys() == bram_blocks(config_text(new, width, mode)).keys()
    for number, values in bram_blocks(config_text(new, width, mode)).items():
        assert np.array_equal(bram_blocks(patched)[number], values), f"block {number}"


def test_read_back_refuses_a_design_not_built_from_the_template():
    width = 16
    rng = np.random.default_rng(3)
    template = rng.integers(0, 1 << width, size=1024)
    other = rng.integers(0, 1 << width, size=1024)
    with pytest.raises(WeightSwapError, match=r"^32 of 32 template columns are not in the routed design"):
        read_back(config_text(other, width, 18), config_text(other, width, 18), signed(template, width), width)
    with pytest.raises(WeightSwapError, match=r"^1000 template words: not a whole number of 512-word slices$"):
        read_back("", "", signed(template[:1000], width), width)
    doubled = config_text(np.concatenate([template, template]), width, 18)
    with pytest.raises(WeightSwapError, match=r"is in the design twice"):
        read_back(doubled, doubled, signed(template, width), width)
