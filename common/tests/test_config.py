"""ModelConfig: the default loads with the expected derived figures, and every invalid field is rejected
with a ConfigError whose message names that field."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from common.config import ConfigError, FixedFormat, LayerConfig, ModelConfig, ReceptiveFieldGapWarning, load_config
from common.roles import INPUT_ROLES

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "configs" / "default.toml"

LAYERS = """
[[layers]]
filters = {f0}
kernel_size = {k0}
dilation = {d0}

[[layers]]
filters = 16
kernel_size = 4
dilation = {d1}

[[layers]]
filters = 1
kernel_size = 4
dilation = 16
"""


def write_config(tmp_path: Path, top: str = "", *, f0=16, k0=4, d0=1, d1=4, tables: str = "") -> Path:
    text = (f'name = "t"\nsample_rate_hz = 192000\n{top}\n{tables}\n'
            + LAYERS.format(f0=f0, k0=k0, d0=d0, d1=d1))
    path = tmp_path / "c.toml"
    path.write_text(text)
    return path


def test_default_config_figures():
    config = load_config(DEFAULT)
    # Hand count: conv0 4 taps x 7 inputs x 16 + 16 biases, conv1 4 x 16 x 16 + 16, conv2 4 x 16 x 1 + 1.
    assert config.params == (4 * 7 * 16 + 16) + (4 * 16 * 16 + 16) + (4 * 16 + 1) == 1569
    # 1 + (K-1) * (1 + 4 + 16) samples of history.
    assert config.receptive_field == 1 + 3 * 21 == 64
    assert config.inputs == ("core", "e0", "e1", "direction", "slope", "level", "rate")
    assert config.sample_rate_hz == 192_000
    assert config.n_inputs == 7 and config.n_outputs == 1
    assert config.weight_format == FixedFormat(16, 12) and config.data_format == FixedFormat(16, 12)
    assert config.rounding == "half_up"


def test_default_train_table_is_separate():
    """The [train] table belongs to train/ and must not leak into the model config."""
    config = load_config(DEFAULT)
    assert "train" not in config.to_dict()


def test_json_round_trip(tmp_path):
    config = load_config(DEFAULT)
    config.to_json(tmp_path / "c.json")
    assert load_config(tmp_path / "c.json") == config
    summary = json.loads((tmp_path / "c.json").read_text())
    assert summary["params"] == 1569 and summary["receptive_field"] == 64


def test_valid_custom_config(tmp_path):
    config = load_config(write_config(tmp_path, f0=8, d1=4))
    assert config.layers[0] == LayerConfig(8, 4, 1)
    assert config.params == (4 * 7 * 8 + 8) + (4 * 8 * 16 + 16) + (4 * 16 + 1)  # 7 inputs: the default roles


@pytest.mark.parametrize("kwargs, top, field", [
    (dict(f0=0), "", "layers[0].filters"),
    (dict(k0=0), "", "layers[0].kernel_size"),
    (dict(d0=0), "", "layers[0].dilation"),
    (dict(k0=1, d0=2), "", "layers[0].dilation"),
    ({}, "[weight_format]\nwidth = 20\nfrac_bits = 12", "weight_format.width"),
    ({}, "[data_format]\nwidth = 19\nfrac_bits = 12", "data_format.width"),
    ({}, "[data_format]\nwidth = 16\nfrac_bits = 16", "data_format.frac_bits"),
    ({}, "[weight_format]\nwidth = 16\nfrac_bits = 12\nsign = 1", "weight_format"),
    ({}, 'rounding = "nearest"', "rounding"),
    ({}, 'overflow = "wrap"', "overflow"),
    ({}, 'activation = "tanh"', "activation"),
    ({}, 'inputs = ["e0", "e1"]', "inputs"),
    ({}, 'inputs = ["core", "core"]', "inputs"),
    ({}, 'inputs = ["core", "e0", "e1", "e2"]', "inputs"),
    ({}, "volts_per_unit = 0", "volts_per_unit"),
    ({}, "learning_rate = 0.1", "learning_rate"),  # unknown top-level field
])
def test_invalid_config_names_field(tmp_path, kwargs, top, field):
    # Tables ([weight_format]) must come after the top-level keys: put them last.
    is_table = top.startswith("[")
    path = write_config(tmp_path, "" if is_table else top, tables=top if is_table else "", **kwargs)
    with pytest.raises(ConfigError, match=rf"^{re.escape(field)}"):
        load_config(path)


def test_input_roles_come_from_one_table():
    """Every role of common/roles.py is accepted, in any order; anything else (e2 included) is refused
    with the list of roles."""
    layers = (LayerConfig(1),)
    assert ModelConfig(layers=layers, inputs=tuple(reversed(INPUT_ROLES))).n_inputs == len(INPUT_ROLES)
    for bad in ("e2", "mystery", "Core"):
        with pytest.raises(ConfigError, match=rf"^inputs: unknown role '{bad}'; the input roles are core, e0, "):
            ModelConfig(layers=layers, inputs=("core", bad))
    with pytest.raises(ConfigError, match=r"^inputs: a 'core' \(core wave\) channel is required"):
        ModelConfig(layers=layers, inputs=("e0",))


@pytest.mark.parametrize("layers, message, receptive_field", [
    # kernel 5 covers 5 consecutive samples; a dilation of 6 then skips every 6th: 1 + 4 + 3 * 6 = 23
    ((LayerConfig(4, 5, 1), LayerConfig(2, 4, 6)), r"^layers\[1\]\.dilation: 6 leaves gaps in the receptive field: "
     r"the layers before it cover 5 consecutive sample\(s\)", 23),
    # one layer alone: 7 taps 3 apart read samples 0, 3, ..., 18 of the last 19
    ((LayerConfig(1, 7, 3),), r"^layers\[0\]\.dilation: 3 leaves gaps .* only some of the last 19 input samples",
     19),
])
def test_dilation_with_gaps_is_accepted_with_a_warning(layers, message, receptive_field):
    """Keras builds these networks and the hardware computes them exactly: accept, but say so."""
    with pytest.warns(ReceptiveFieldGapWarning, match=message):
        config = ModelConfig(layers=layers)
    assert config.receptive_field == receptive_field


def test_dilation_with_gaps_from_toml(tmp_path):
    with pytest.warns(ReceptiveFieldGapWarning, match=r"^layers\[1\]\.dilation: 8"):
        config = load_config(write_config(tmp_path, d1=8))  # layer 0 covers 4 samples, a dilation of 8 skips some
    assert config.layers[1].dilation == 8


def test_no_warning_without_gaps(recwarn):
    load_config(DEFAULT)
    assert not [w for w in recwarn if issubclass(w.category, ReceptiveFieldGapWarning)]


def test_sample_rate_must_be_positive():
    with pytest.raises(ConfigError, match=r"^sample_rate_hz"):
        ModelConfig(layers=(LayerConfig(1),), sample_rate_hz=0)


def test_unknown_layer_field(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[[layers]]\nfilters = 1\nstride = 2\n")
    with pytest.raises(ConfigError, match=r"^layers\[0\]\.stride"):
        load_config(path)


def test_no_layers(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('name = "x"\n')
    with pytest.raises(ConfigError, match=r"^layers"):
        load_config(path)


def test_missing_file_and_bad_toml(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("name = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)


@pytest.mark.parametrize("config, bits", [
    # The default (FP4.12 x FP4.12): a product lies in [-2**15 * (2**15 - 1), 2**30]; the aligned bias in
    # [-2**15 << 12, (2**15 - 1) << 12]; R = 2**11. Layer 0 sums K*C = 16 products: at most
    # 2**34 + 2**27 - 2**12 + 2**11 < 2**35 -> 36 bits; layers 1 and 2 sum 64: 2**36 + 2**27 - 2**11 < 2**37
    # -> 38 bits.
    (load_config(DEFAULT), [36, 38, 38]),
    # One product (K = C = 1): 2**30 + (2**15 - 1) * 2**12 + 2**11 = 1 207 957 504, above 2**30 - 1 (31 bits)
    # and below 2**31 - 1 -> 32 bits.
    (ModelConfig(layers=(LayerConfig(1, 1, 1),), inputs=("core",)), [32]),
    # K=2 over 2 inputs: 4 * 2**30 + (2**15 - 1) * 2**12 + 2**11 = 4 429 182 976, above 2**32 - 1 -> 34 bits.
    (ModelConfig(layers=(LayerConfig(2, 2, 1),), inputs=("core", "e0")), [34]),
    # Weights FP2.6 (8 bits, shift 6, R = 32), data FP4.4 (8 bits): products in [-16256, 16384]; 3 of them plus
    # the bias 127 << 4 = 2032 plus R: 51 216, above 2**15 - 1 -> 17 bits (the low end, -48 768 - 2048,
    # fits too).
    (ModelConfig(layers=(LayerConfig(1, 3, 1),), inputs=("core",), weight_format=FixedFormat(8, 6),
                 data_format=FixedFormat(8, 4)), [17]),
])
def test_accumulator_widths_by_hand(config, bits):
    assert [config.accumulator_bits(i) for i in range(len(config.layers))] == bits


@pytest.mark.parametrize("kwargs, top, field", [
    ({}, "sample_rate_hz = true", "sample_rate_hz"),       # TOML true: Python's True is an int (1)
    (dict(f0="true"), "", "layers[0].filters"),
    (dict(k0="true"), "", "layers[0].kernel_size"),
    (dict(d0="true"), "", "layers[0].dilation"),
    ({}, "multiplier_width = true", "multiplier_width"),
    ({}, "[weight_format]\nwidth = 16\nfrac_bits = true", "weight_format.frac_bits"),
    ({}, "[data_format]\nwidth = true\nfrac_bits = 0", "data_format.width"),
    ({}, 'sample_rate_hz = "192000"', "sample_rate_hz"),
    ({}, "[data_format]\nwidth = 16.0\nfrac_bits = 12", "data_format.width"),
    ({}, "volts_per_unit = inf", "volts_per_unit"),           # passed, then crashed in the board scaling
    ({}, "volts_per_unit = nan", "volts_per_unit"),
    ({}, "volts_per_unit = true", "volts_per_unit"),
    ({}, 'volts_per_unit = "5"', "volts_per_unit"),
])
def test_booleans_strings_and_non_finite_numbers_are_refused(tmp_path, kwargs, top, field):
    is_table = top.startswith("[")
    path = write_config(tmp_path, "" if is_table else top, tables=top if is_table else "", **kwargs)
    if top.startswith("sample_rate_hz"):  # replaces the template's own line
        path.write_text(path.read_text().replace("sample_rate_hz = 192000\n", "", 1))
    with pytest.raises(ConfigError, match=rf"^{re.escape(field)}: must be a (positive|finite|non-negative)"):
        load_config(path)


def test_json_config_with_a_boolean_is_refused(tmp_path):
    data = load_config(DEFAULT).to_dict()
    data["layers"][1]["dilation"] = True
    (tmp_path / "c.json").write_text(json.dumps(data))
    with pytest.raises(ConfigError, match=r"^layers\[1\]\.dilation: must be a positive integer, got True"):
        load_config(tmp_path / "c.json")


@pytest.mark.parametrize("top, tables, pattern", [
    # a number where a list of tables belongs (was a TypeError from iterating it)
    ("layers = 3", "", r"^layers: must be a list of \[\[layers\]\] tables, got 3"),
    # one string where a list of role names belongs (was "unknown role 'c'": the string's first letter)
    ('inputs = "core"', "", r"^inputs: must be a list of role names such as \[\"core\", \"e0\"\], got 'core'"),
    ("inputs = [1, 2]", "", r"^inputs: must be a list of role names"),
    ("name = 5", "", r"^name: must be a non-empty string, got 5"),
    # the golden model would allocate a 1e8-sample history and the RTL elaborate 3e8 registers
    ("", "[front_end]\ndirection_lag = 100000000",
     r"^front_end\.direction_lag: must be an integer from 1 to 64 \(the core samples the front end's history "
     r"holds\), got 100000000"),
    ("", "[front_end]\ndirection_lag = 65", r"^front_end\.direction_lag: must be an integer from 1 to 64"),
    ("", "[front_end]\ndirection_threshold = 65536",
     r"^front_end\.direction_threshold: must be an integer from 1 to 65535 \(the largest difference of two "
     r"FP4\.12 codes\), got 65536"),
])
def test_wrong_shapes_are_named_before_any_work(tmp_path, top, tables, pattern):
    path = write_config(tmp_path, top, tables=tables)
    if top.startswith(("layers", "name")):  # replaces the template's own [[layers]] tables or name
        path.write_text(f"{top}\n" if top.startswith("layers") else path.read_text().replace('name = "t"\n', "", 1))
    with pytest.raises(ConfigError, match=pattern):
        load_config(path)


def test_front_end_history_bound_is_the_hardware_history():
    """The longest lag the config accepts is the history the front end holds (FrontEndConfig.MAX_HISTORY);
    the hardware and the golden model size their history from the lag, so they never hold more."""
    from common.config import FrontEndConfig
    from common.front_end import history_depth, reset_state

    longest = ModelConfig(layers=(LayerConfig(1),), front_end=FrontEndConfig(direction_lag=64))
    assert FrontEndConfig.MAX_HISTORY == 64
    assert history_depth(longest) == 64 and len(reset_state(longest).history) == 64
    with pytest.raises(ConfigError, match=r"^front_end\.direction_lag: must be an integer from 1 to 64"):
        ModelConfig(layers=(LayerConfig(1),), front_end=FrontEndConfig(direction_lag=65))
    # the threshold's bound follows the data format: two 8-bit codes differ by at most 255
    with pytest.raises(ConfigError, match=r"^front_end\.direction_threshold: must be an integer from 1 to 255 "):
        ModelConfig(layers=(LayerConfig(1),), data_format=FixedFormat(8, 4), weight_format=FixedFormat(8, 4),
                    front_end=FrontEndConfig(direction_threshold=256))


def test_inputs_and_layers_given_directly_must_be_lists():
    with pytest.raises(ConfigError, match=r"^inputs: must be a list of role names .* got 'core'"):
        ModelConfig(layers=(LayerConfig(1),), inputs="core")
    with pytest.raises(ConfigError, match=r"^layers: must be a list of layers"):
        ModelConfig(layers=LayerConfig(1))
    with pytest.raises(ConfigError, match=r"^layers\[0\]: must be a LayerConfig"):
        ModelConfig(layers=(16,))


@pytest.mark.parametrize("text, pattern", [
    ("{not json", r"c\.json: not valid JSON: "),
    ("", r"c\.json: not valid JSON: "),
    ("[1, 2]", r"^a config must be a table \(a JSON object\) of fields, got list"),
    ('{"name": "x", "layers": 3}', r"^layers: must be a list of \[\[layers\]\] tables, got 3"),
])
def test_json_config_that_does_not_parse_is_named(tmp_path, text, pattern):
    (tmp_path / "c.json").write_text(text)
    with pytest.raises(ConfigError, match=pattern):
        load_config(tmp_path / "c.json")


def test_a_directory_is_not_a_config(tmp_path):
    (tmp_path / "d.toml").mkdir()
    with pytest.raises(ConfigError, match=r"d\.toml: not a file"):
        load_config(tmp_path / "d.toml")


def test_real_values_to_codes():
    """FP4.12 worked by hand: 1.0 -> 4096; 2**-13 (half a step) -> 0 and 3 x 2**-13 -> 2 (ties to even);
    -1.5 -> -6144; 8.0 and beyond saturate at 32767, -9.0 at -32768. FP4.4: 0.03125 (half a step) -> 0."""
    fmt = FixedFormat(16, 12)
    values = [1.0, 2**-13, 3 * 2**-13, -1.5, 8.0, 100.0, -9.0]
    codes = fmt.to_codes(values)
    assert codes.dtype == np.int64 and codes.tolist() == [4096, 0, 2, -6144, 32767, 32767, -32768]
    assert fmt.to_codes(np.full((2, 3), 0.25)).tolist() == [[1024] * 3] * 2
    assert FixedFormat(8, 4).to_codes([0.03125, 0.09375, 7.96875]).tolist() == [0, 2, 127]
