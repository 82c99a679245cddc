"""TiliquaHousekeeping: what every Tiliqua bitstream must do besides its own job (``docs/tiliqua.md`` §5, §6).

* **Back to the bootloader.** Holding the encoder button for ``hold_s`` (3 s) asserts ``programn``: the
  FPGA's PROGRAMN pin reloads the configuration from SPI flash offset 0, the bootloader (the bitstream is
  packed with boot address 0 for that). Half a second before (``mute_s`` = 2.5 s) ``mute`` goes high and
  stays high (point of no return), so the codec's output is off before the FPGA lets go of it. Releasing
  the button before ``mute_s`` cancels.
* **The codec's PDN latch.** On Tiliqua the audio board's PDN line is not an FPGA pin but the output of a
  flip-flop on the motherboard (D = ``pdn_d``, clock = ``pdn_clk``), so that reconfiguring the FPGA does not
  glitch it. ``pdn_clk`` toggles all the time (``sync`` / 2**``pdn_clock_bits``, about 1.4 MHz at 90 MHz)
  and ``pdn_d`` changes only while ``pdn_clk`` is low, so the latch follows ``codec_pdn & ~mute`` a few
  microseconds late and never samples a changing D. On R5 (audio board R3.5) that line is the output mute;
  on R4 (R3.3) it is the codec's power-down.

The pins (encoder button, PROGRAMN, the latch, the pseudo-supply balls) are wired by the board file
(``boards/defs/tiliqua.py``); this component is pure logic, so it runs in ``amaranth.sim``. Everything is
in ``sync``; ``button`` (RC-debounced on the board) and ``codec_pdn`` (from the ``audio`` domain) come in
through 2-FF synchronisers.
"""

from __future__ import annotations

from amaranth.hdl import Module, Signal
from amaranth.lib import wiring
from amaranth.lib.cdc import FFSynchronizer
from amaranth.lib.wiring import In, Out

__all__ = ["TiliquaHousekeeping"]


class TiliquaHousekeeping(wiring.Component):
    """Tiliqua's hold-to-reboot, the codec's PDN latch and its mute before a reboot (module docstring).

    Parameters
    ----------
    sync_hz : float
        The ``sync`` clock.
    hold_s, mute_s : float
        How long the encoder is held before the reboot, and before the codec is muted.
    pdn_clock_bits : int
        The latch clock's divider.

    Ports
    -----
    button : In(1)
        1 = encoder pressed.
    codec_pdn : In(1)
        The driver's PDN, 1 = run.
    programn : Out(1)
        1 = pull PROGRAMN low: reconfigure.
    mute : Out(1)
        The codec muted ahead of a reconfiguration.
    pdn_d, pdn_clk : Out(1)
        The PDN latch's data and clock pins."""

    def __init__(self, sync_hz: float, *, hold_s: float = 3.0, mute_s: float = 2.5, pdn_clock_bits: int = 6):
        if not 0 < mute_s < hold_s:
            raise ValueError(f"need 0 < mute_s < hold_s, got mute_s={mute_s}, hold_s={hold_s}")
        if pdn_clock_bits < 2:
            raise ValueError(f"pdn_clock_bits must be at least 2, got {pdn_clock_bits}")
        self.hold_cycles = round(hold_s * sync_hz)
        self.mute_cycles = round(mute_s * sync_hz)
        if not 0 < self.mute_cycles < self.hold_cycles:
            raise ValueError(f"hold times of {mute_s} s and {hold_s} s round to no cycles at {sync_hz} Hz")
        self.pdn_clock_bits = pdn_clock_bits
        super().__init__({
            "button": In(1), "codec_pdn": In(1),
            "programn": Out(1), "mute": Out(1), "pdn_d": Out(1), "pdn_clk": Out(1),
        })

    def elaborate(self, platform):
        m = Module()

        # Hold to reboot, muting first.
        pressed = Signal()
        m.submodules.button_sync = FFSynchronizer(self.button, pressed, o_domain="sync")
        held = Signal(range(self.hold_cycles + 1))
        with m.If(held == self.hold_cycles):
            m.d.comb += self.programn.eq(1)
        with m.Elif(pressed | self.mute):
            m.d.sync += held.eq(held + 1)
        with m.Else():
            m.d.sync += held.eq(0)
        with m.If(held >= self.mute_cycles):
            m.d.sync += self.mute.eq(1)

        # The PDN latch: D changes at the start of the clock's low half, the latch takes it at the rise.
        codec_pdn = Signal()
        m.submodules.pdn_sync = FFSynchronizer(self.codec_pdn, codec_pdn, o_domain="sync")
        phase = Signal(self.pdn_clock_bits)
        m.d.sync += phase.eq(phase + 1)
        m.d.comb += self.pdn_clk.eq(phase[-1])
        with m.If(phase == 0):
            m.d.sync += self.pdn_d.eq(codec_pdn & ~self.mute)
        return m
