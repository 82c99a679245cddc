"""NetworkTop: the network bitstream's top level, the codec edge around the audio path and the network.

    osc --> clocks (EHXPLLL) --> sync (network, ~91 MHz)   audio (256 fs, ~49.16 MHz)      [codec edge]
    codec pins <-> EurorackPmod (audio domain TDM/I2C, calibrated 4 x int16 streams in sync)  [codec edge]
                     adc --> AudioPath (InputScaler -> network -> OutputScaler, dry FIFO) --> dac

The codec edge (clocks, driver, pins) comes from :class:`~.codec_edge.CodecEdgeTop`, as for every board
top level. Signal mapping (see ``boards/README.md``): input jack 0 = core wave, jacks 1 and 2 = embedding
CVs (0..5 V -> 0..1; an unplugged jack reads 0, the (0,0) corner), the front end derives the other
network inputs from the core; output jack
0 = network, output jack 1 = dry core wave. Jacks: :mod:`.jacks`; scaling constants: :mod:`.scaling`.

The network arrives as a finished component (:func:`make_network` builds the generated one), so what
runs it (a clock domain of its own, say) is decided outside the codec edge and the audio path.

With ``board=None`` the top is built for simulation (see :class:`~.codec_edge.CodecEdgeTop`): its
``pads`` are the codec pins for the bus models, and the testbench drives the ``sync`` and ``audio`` clocks.
"""

from __future__ import annotations

from amaranth.lib import wiring

from common.config import ModelConfig

from .audio_path import AudioPath
from .codec_edge import CodecEdgeTop

__all__ = ["NetworkTop", "make_network"]


def make_network(network, plan):
    """The generated signal path (front end and network, :class:`rtl.waveshaper.Waveshaper`) for a
    :class:`~quantize.weights.QuantizedNetwork` and its plan."""
    from rtl.waveshaper import Waveshaper  # imported late: elaborating the network is the slow part

    return Waveshaper(network, plan)


class NetworkTop(CodecEdgeTop):
    """``board``: a :class:`~boards.registry.BoardSpec` (None: simulation). ``network``: the network
    component (ports ``i``/``o``). ``pmod``, ``io_registers``: see :class:`~.codec_edge.CodecEdgeTop`.
    ``dry_depth``: the dry-sample FIFO depth (``plan.latency_samples + 2``)."""

    def __init__(self, config: ModelConfig, network: wiring.Component, *, board=None, pmod=None,
                 dry_depth: int = 4, io_registers: bool | None = None):
        super().__init__(board, pmod=pmod, io_registers=io_registers)
        self.config = config
        self.network = network
        self.audio_path = AudioPath(config, network, dry_depth=dry_depth)

    def elaborate(self, platform):
        m = super().elaborate(platform)
        m.submodules.audio_path = path = self.audio_path
        wiring.connect(m, self.pmod.adc, path.adc)
        wiring.connect(m, path.dac, self.pmod.dac)
        return m
