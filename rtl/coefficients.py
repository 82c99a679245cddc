"""What each lane's coefficient memory holds, word by word: the one definition the hardware, the bitstream
patcher and their tests share.

Every lane of every layer has one block-RAM memory of ``plan.coefficient_depth`` words of
``weight_format`` codes (``rtl/lane.py``). Lane ``p`` of a layer with ``P`` lanes, ``G`` groups,
``K`` taps and ``Cin`` inputs computes output channels ``o = g * P + p``; its memory holds:

============================  ===============================================================
address                       word
============================  ===============================================================
``(g * K + k) * Cin + c``     weight ``W[k, c, o]`` (the step order: group, tap, channel)
``G * K * Cin + g``           bias ``b[o]``, the raw ``weight_format`` code (not yet aligned)
the rest, up to the depth     0 (never read)
============================  ===============================================================

A padding channel (``o >= Cout``, when ``P`` does not divide ``Cout``) holds zero weights and a zero bias.
The bias is stored raw: the hardware aligns it to the product scale and adds the rounding constant as it
starts a group's accumulator (``(b << df) + R``, docs/arithmetic.md), exactly as the golden model does.

A *template* (:func:`template_images`) fills every word of every memory, padding included, with random
codes whose 512-word bit columns are all different: a design built with it can have any weights patched
into its routed block RAMs afterwards (``boards/toolchain/weight_swap.py``), since each column of the
template identifies one place in the bitstream.
"""

from __future__ import annotations

import numpy as np

from common.config import ModelConfig
from quantize.weights import QuantizedLayer, QuantizedNetwork

from .plan import COEFFICIENT_SLICE_WORDS, LayerPlan, Plan

__all__ = ["coefficient_image", "network_images", "template_images", "to_unsigned"]


def coefficient_image(config: ModelConfig, layer: QuantizedLayer, plan: LayerPlan, lane: int) -> list[int]:
    """The ``plan.coefficient_depth`` signed codes of ``lane``'s memory (table above)."""
    K, cin, lanes, cout = plan.kernel_size, plan.in_channels, plan.lanes, plan.out_channels
    words = []
    channels = [g * lanes + lane for g in range(plan.groups)]
    for o in channels:
        for k in range(K):
            for c in range(cin):
                words.append(int(layer.weights[k, c, o]) if o < cout else 0)
    words += [int(layer.bias[o]) if o < cout else 0 for o in channels]
    assert len(words) == plan.coefficient_words
    return words + [0] * (plan.coefficient_depth - len(words))


def network_images(net: QuantizedNetwork, plan: Plan) -> list[list[list[int]]]:
    """``[layer][lane]`` -> the memory image of that lane (signed codes)."""
    return [[coefficient_image(net.config, layer, lp, lane) for lane in range(lp.lanes)]
            for layer, lp in zip(net.layers, plan.layers, strict=True)]


def to_unsigned(words, width: int) -> list[int]:
    """Two's-complement codes as the ``width``-bit unsigned words a memory stores."""
    mask = (1 << width) - 1
    return [int(w) & mask for w in words]


def template_images(config: ModelConfig, plan: Plan, seed: int) -> list[list[list[int]]]:
    """``[layer][lane]`` -> random signed codes filling the whole memory, such that every 512-word bit
    column (one bit of words ``512 j .. 512 j + 511`` of one memory) differs from every other one in the
    design and is neither all zeros nor all ones (an unused block RAM column is one of those)."""
    width = config.weight_format.width
    rng = np.random.default_rng(seed)
    seen: set[bytes] = set()
    images = []
    for lp in plan.layers:
        lanes = []
        for _ in range(lp.lanes):
            while True:
                words = rng.integers(0, 1 << width, size=lp.coefficient_depth, dtype=np.int64)
                bits = (words[:, None] >> np.arange(width)) & 1          # (depth, width)
                columns = bits.reshape(-1, COEFFICIENT_SLICE_WORDS, width).transpose(0, 2, 1)
                keys = [np.packbits(column).tobytes() for column in columns.reshape(-1, COEFFICIENT_SLICE_WORDS)]
                constant = any(column.min() == column.max() for column in columns.reshape(-1, COEFFICIENT_SLICE_WORDS))
                if not constant and len(set(keys)) == len(keys) and seen.isdisjoint(keys):
                    break
            seen.update(keys)
            sign = 1 << (width - 1)
            lanes.append([int(w) - (1 << width) if w & sign else int(w) for w in words])
        images.append(lanes)
    return images
