"""The network's plan on a board: ``rtl.plan.make_plan`` at the board's real clocks and spare multipliers.

This is where the board side hands ``rtl/`` its operating point (``rtl/`` itself knows no boards):

* the network clock is the board's **real** network clock (its ``network`` domain, or ``sync`` on a board
  without one; rounded down to whole Hz), and the sample rate the codec's **achieved** rate (rounded up),
  so the schedule keeps up with the real codec;
* the achieved rate must be within :data:`~boards.clocking.pll.MAX_SAMPLE_RATE_ERROR` of the rate the
  model was trained for (``config.sample_rate_hz``), else :class:`BuildError`;
* the multipliers are the part's minus those the board top level spends outside the network
  (:func:`reserved_multipliers`);
* the plan's resource estimate must fit the part together with the rest of the board's design
  (:func:`rest_of_design`: the codec driver, calibration, scaling, clock-domain crossings), else
  :class:`BuildError` with the numbers, before anything is elaborated.

``make rtl`` (``python -m bitstream rtl``) and ``make bitstream`` (``python -m bitstream build``) use the same
plan. Single figures can be overridden (``make rtl CLOCK_HZ=...``): then the sample-rate check is skipped
and the remaining figures come from the board.
"""

from __future__ import annotations

import math

from boards.clocking.pll import MAX_SAMPLE_RATE_ERROR
from boards.registry import BoardSpec
from boards.toolchain.runner import BuildError
from common.config import ModelConfig
from rtl.plan import Plan, PlanError, make_plan
from rtl.resources import Resources

from .jacks import input_jacks

__all__ = ["CALIBRATION_MULTIPLIERS", "REST_OF_DESIGN_LUTS", "REST_OF_DESIGN_FFS", "check_sample_rate",
           "plan_for_board", "reserved_multipliers", "rest_of_design"]

#: Multipliers the eurorack-pmod driver's two calibration blocks use (one shared DSP each).
CALIBRATION_MULTIPLIERS = 2
#: LUTs (TRELLIS_COMB) and flip-flops of the board top level outside the network: nextpnr's count of a full
#: ECPIX-5 build minus yosys' count of its network synthesised alone (measured, ``bitstream/README.md``).
REST_OF_DESIGN_LUTS = 1500
REST_OF_DESIGN_FFS = 1500


def reserved_multipliers(config: ModelConfig) -> int:
    """DSPs used outside the network: one per scaled input, one per network output, calibration."""
    scaled_inputs = sum(1 for jack in input_jacks(config) if jack is not None)
    return scaled_inputs + config.n_outputs + CALIBRATION_MULTIPLIERS


def rest_of_design(config: ModelConfig) -> Resources:
    """What the board's top level uses outside the network (the plan's ``reserved`` resources)."""
    return Resources(luts=REST_OF_DESIGN_LUTS, ffs=REST_OF_DESIGN_FFS, block_rams=0,
                     multipliers=reserved_multipliers(config))


def check_sample_rate(config: ModelConfig, board: BoardSpec) -> None:
    error = abs(board.sample_rate_hz - config.sample_rate_hz) / config.sample_rate_hz
    if error > MAX_SAMPLE_RATE_ERROR:
        raise BuildError(
            f"board {board.name} runs the codec at {board.sample_rate_hz:.1f} Hz, {error * 100:.2f} % away from "
            f"the {config.sample_rate_hz} Hz the model was trained for (limit {MAX_SAMPLE_RATE_ERROR * 100:g} %)")


def plan_for_board(config: ModelConfig, board: BoardSpec, *, clock_hz: int | None = None,
                   sample_rate_hz: int | None = None, multipliers: int | None = None) -> Plan:
    """The network plan on ``board``; ``clock_hz``/``sample_rate_hz``/``multipliers`` override single
    figures. Raises :class:`BuildError` (with the :class:`~rtl.plan.PlanError` text when it does not fit)."""
    available = board.device.multipliers - reserved_multipliers(config)
    if clock_hz is None and sample_rate_hz is None and multipliers is None:
        check_sample_rate(config, board)
        clock_hz, sample_rate_hz = math.floor(board.network_clock_hz), math.ceil(board.sample_rate_hz)
        multipliers = available
    else:
        # The board's codec clock may run a hair faster than the nominal rate: plan for the faster one so
        # the network always keeps up with the real codec.
        sample_rate_hz = sample_rate_hz or max(config.sample_rate_hz, math.ceil(board.sample_rate_hz))
        clock_hz = clock_hz or math.floor(board.network_clock_hz)
        multipliers = available if multipliers is None else multipliers
    try:
        return make_plan(config, clock_hz=int(clock_hz), sample_rate_hz=sample_rate_hz, multipliers=multipliers,
                         device=board.device, reserved=rest_of_design(config))
    except PlanError as exc:
        raise BuildError(f"network does not fit board {board.name}: {exc}") from exc
