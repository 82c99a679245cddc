"""Coefficient memories: the word layout (worked out by hand), the hardware reading weights and biases from
them, templates whose 512-word columns are all different, and a template build being the same hardware."""

from __future__ import annotations

import numpy as np
import pytest

from common.config import LayerConfig, ModelConfig
from quantize.weights import QuantizedLayer, QuantizedNetwork, random_network
from rtl.coefficients import coefficient_image, network_images, template_images
from rtl.conv_layer import ConvLayer
from rtl.generate import generate_rtlil
from rtl.plan import COEFFICIENT_SLICE_WORDS, make_plan


def test_layout_by_hand():
    """K=2 taps, Cin=2 inputs, 3 filters on 2 lanes -> 2 groups; lane 0 computes outputs 0 and 2, lane 1
    output 1 and the padding channel 3. W[k, c, o] = 100 k + 10 c + o + 1, biases -1, -2, -3."""
    cfg = ModelConfig(layers=(LayerConfig(3, 2, 1),), inputs=("core", "e0"))
    weights = np.array([[[100 * k + 10 * c + o + 1 for o in range(3)] for c in range(2)] for k in range(2)])
    layer = QuantizedLayer(weights, np.array([-1, -2, -3]))
    plan = make_plan(cfg, clock_hz=10**8, sample_rate_hz=10**5, multipliers=4, lanes=[2])
    lp = plan.layers[0]
    assert (lp.groups, lp.mac_cycles, lp.coefficient_words, lp.coefficient_depth) == (2, 8, 10, 512)
    # group 0 (k, c in step order), group 1, then one bias per group, zeros to 512 words
    assert coefficient_image(cfg, layer, lp, 0) == [1, 11, 101, 111, 3, 13, 103, 113, -1, -3] + [0] * 502
    assert coefficient_image(cfg, layer, lp, 1) == [2, 12, 102, 112, 0, 0, 0, 0, -2, 0] + [0] * 502
    net = QuantizedNetwork(cfg, (layer,))
    assert network_images(net, plan) == [[coefficient_image(cfg, layer, lp, 0), coefficient_image(cfg, layer, lp, 1)]]


def test_depth_is_whole_slices():
    cfg = ModelConfig(layers=(LayerConfig(4, 4, 1), LayerConfig(1, 4, 4)), inputs=("core",))
    for rate in (10**3, 10**4, 10**5):
        plan = make_plan(cfg, clock_hz=10**8, sample_rate_hz=rate, multipliers=8, lanes=[1, 1])
        for lp in plan.layers:
            assert lp.coefficient_depth % COEFFICIENT_SLICE_WORDS == 0
            assert lp.coefficient_words <= lp.coefficient_depth < lp.coefficient_words + COEFFICIENT_SLICE_WORDS
            assert lp.rom_bits == lp.lanes * lp.coefficient_depth * cfg.weight_format.width


def test_template_columns_are_all_different():
    cfg = ModelConfig(layers=(LayerConfig(6, 4, 1), LayerConfig(5, 3, 2), LayerConfig(1, 2, 8)),
                      inputs=("core", "e0"))
    plan = make_plan(cfg, clock_hz=10**8, sample_rate_hz=10**5, multipliers=16, lanes=[3, 2, 1])
    images = template_images(cfg, plan, 7)
    assert [len(layer) for layer in images] == plan.lanes
    width = cfg.weight_format.width
    columns = set()
    for lp, layer in zip(plan.layers, images, strict=True):
        for image in layer:
            assert len(image) == lp.coefficient_depth
            assert all(cfg.weight_format.min_int <= w <= cfg.weight_format.max_int for w in image)
            words = np.array(image) & ((1 << width) - 1)
            for start in range(0, len(words), COEFFICIENT_SLICE_WORDS):
                for bit in range(width):
                    column = tuple((words[start:start + COEFFICIENT_SLICE_WORDS] >> bit) & 1)
                    assert 0 < sum(column) < COEFFICIENT_SLICE_WORDS
                    columns.add(column)
    total = sum(lp.lanes * lp.coefficient_depth // COEFFICIENT_SLICE_WORDS * width for lp in plan.layers)
    assert len(columns) == total
    assert template_images(cfg, plan, 7) == images and template_images(cfg, plan, 8) != images


def test_template_build_is_the_same_hardware():
    """Only the memories' initial contents differ between a weights build and a template build."""
    import re

    cfg = ModelConfig(layers=(LayerConfig(3, 2, 1), LayerConfig(1, 2, 2)), inputs=("core", "e0"))
    net = random_network(cfg, np.random.default_rng(1))
    plan = make_plan(cfg, clock_hz=10**8, sample_rate_hz=10**5, multipliers=4)

    def without_contents(text):
        text = re.sub(r"attribute \\src .*\n", "", text)
        return re.sub(r"((?:parameter \\INIT|connect \\DATA) )\S+", r"\1", text)

    weights, template = generate_rtlil(net, plan), generate_rtlil(net, plan, template=3)
    assert weights != template
    assert without_contents(weights) == without_contents(template)


@pytest.mark.filterwarnings("ignore::amaranth.hdl.UnusedElaboratable")
def test_images_must_fit_the_plan():
    cfg = ModelConfig(layers=(LayerConfig(2, 2, 1),), inputs=("core",))
    net = random_network(cfg, np.random.default_rng(0))
    plan = make_plan(cfg, clock_hz=10**8, sample_rate_hz=10**5, multipliers=4, lanes=[1])
    with pytest.raises(ValueError, match=r"^layer 0: images must be 1 lists of 512 words$"):
        ConvLayer(cfg, 0, net.layers[0], plan.layers[0], images=[[0] * 511])
