"""``python -m rtl``: a zero, negative or non-numeric --clock-hz, --sample-rate or --multipliers is refused by
argparse with the option's name, before the weights are even looked at."""

from __future__ import annotations

import pytest

from rtl.__main__ import main

GOOD = {"--clock-hz": "100000000", "--multipliers": "8"}


@pytest.mark.parametrize("option", ["--clock-hz", "--sample-rate", "--multipliers"])
@pytest.mark.parametrize("value", ["0", "-5", "abc", "1.5", "1e8", ""])
def test_bad_operating_point_is_refused_first(tmp_path, capsys, option, value):
    args = {**GOOD, option: value}
    argv = ["--weights", str(tmp_path / "no-weights"), "--out", str(tmp_path / "out")]
    for name, text in args.items():
        argv += [f"{name}={text}"]
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {option}: must be a positive integer (e.g. {option}=" in err and repr(value) in err
    assert not (tmp_path / "out").exists()
