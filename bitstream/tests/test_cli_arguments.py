"""``python -m bitstream rtl``: a zero, negative or non-numeric --clock-hz, --sample-rate or --multipliers is refused
by argparse with the option's name before any work (0 used to fall back silently to the board's figure)."""

from __future__ import annotations

import numpy as np
import pytest

from bitstream.__main__ import main
from quantize.weights import random_network

from .helpers import small_config


@pytest.mark.parametrize("option", ["--clock-hz", "--sample-rate", "--multipliers"])
@pytest.mark.parametrize("value", ["0", "-1", "fast", "2.5"])
def test_bad_operating_point_is_refused_first(tmp_path, capsys, option, value):
    random_network(small_config(), np.random.default_rng(0)).save(tmp_path / "weights")
    argv = ["rtl", "--board", "ecpix5", "--weights", str(tmp_path / "weights"), "--out", str(tmp_path / "out"),
            f"{option}={value}"]
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {option}: must be a positive integer (e.g. {option}=" in err and repr(value) in err
    assert not (tmp_path / "out").exists()
