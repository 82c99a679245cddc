"""DataloggerTop: the datalogger bitstream's top level, the codec edge feeding the datalogger core.

    osc -> clocks (EHXPLLL) -> sync (~91 MHz on ECPIX-5), audio (256 fs)                    [codec edge]
    codec pins <-> EurorackPmod -> calibrated 4 x int16 vectors in sync                      [codec edge]
                     adc -> Datalogger -> uart TX pin (the FTDI's UART channel)

The clocks, the codec driver and its pins come from :class:`boards.audio_edge.codec_edge.CodecEdgeTop`,
exactly as in the network bitstream. The DAC stream is left idle (outputs hold 0 V): the datalogger only
listens. With ``board=None`` the top is built for simulation: ``pads`` are the codec pins for the bus
models and ``tx`` is the UART line.
"""

from __future__ import annotations

from amaranth.lib import wiring
from amaranth.lib.wiring import Out

from boards.audio_edge.codec_edge import CodecEdgeTop

from .datalogger import Datalogger

__all__ = ["DataloggerTop"]


class DataloggerTop(CodecEdgeTop):
    """The datalogger's top level: the board's codec edge, the datalogger and the UART pin.

    Parameters
    ----------
    board : BoardSpec or None
        The board (None: simulation).
    plan, channels, coeffs
        The :class:`.datalogger.Datalogger`'s.
    pmod, io_registers
        See :class:`~boards.audio_edge.codec_edge.CodecEdgeTop`.

    Ports
    -----
    pads : Out(pads_signature)
        Simulation only: the codec pins as the FPGA sees them.
    tx : Out(1, init=1)
        Simulation only: the UART line.
    """

    def __init__(self, board, plan, channels, *, coeffs=None, pmod=None, io_registers: bool | None = None):
        super().__init__(board, pmod=pmod, io_registers=io_registers,
                         members={"tx": Out(1, init=1)} if board is None else None)
        self.logger = Datalogger(plan, channels, coeffs=coeffs)

    def elaborate(self, platform):
        m = super().elaborate(platform)
        m.submodules.logger = logger = self.logger
        wiring.connect(m, self.pmod.adc, logger.adc)
        if self.board is None:
            m.d.comb += self.tx.eq(logger.tx)
        else:
            uart = platform.request("uart", 0)
            m.d.comb += uart.tx.o.eq(logger.tx)
        return m
