"""NetworkTop: the network bitstream's top level, the codec edge around the audio path and the network.

    osc --> clocks (EHXPLLL) --> sync (~91 MHz)   audio (256 fs, ~49.16 MHz)   network (~160 MHz)
    codec pins <-> EurorackPmod (audio domain TDM/I2C, calibrated 4 x int16 streams in sync)  [codec edge]
                     adc --> AudioPath (InputScaler -> network -> OutputScaler, dry FIFO) --> dac
                                                      |
                              NetworkDomain: AsyncFIFO -> front end + network (network domain) -> AsyncFIFO

The codec edge (clocks, driver, pins) comes from :class:`~.codec_edge.CodecEdgeTop`, as for every board
top level. Signal mapping (see ``bitstream/README.md``): input jack 0 = core wave, jacks 1 and 2 = embedding
CVs (0..5 V -> 0..1; an unplugged jack reads 0, the (0,0) corner), the front end derives the other
network inputs from the core; output jack
0 = network, output jack 1 = dry core wave. Jacks: :mod:`.jacks`; scaling constants: :mod:`.scaling`.

The network arrives as a finished component (:func:`make_network` builds the generated one). On a board
whose PLL makes a ``network`` clock (``BoardSpec.has_network_clock``) it runs there, behind the stream
crossings of :class:`~.network_domain.NetworkDomain`; elsewhere it runs in ``sync`` like the audio path.

With ``board=None`` the top is built for simulation (see :class:`~.codec_edge.CodecEdgeTop`): its
``pads`` are the codec pins for the bus models, and the testbench drives the ``sync`` and ``audio`` clocks
(and ``network``, with ``network_domain=True``).
"""

from __future__ import annotations

from amaranth.hdl import ClockDomain
from amaranth.lib import wiring

from boards.audio_edge.codec_edge import CodecEdgeTop
from boards.audio_edge.network_domain import NetworkDomain
from common.config import ModelConfig

from .audio_path import AudioPath

__all__ = ["NetworkTop", "dry_fifo_depth", "make_network"]


def make_network(network, plan, *, template: int | None = None):
    """The generated signal path (front end and network, :class:`rtl.waveshaper.Waveshaper`) for a
    :class:`~quantize.weights.QuantizedNetwork` and its plan; ``template=seed``: its coefficient memories
    hold random words instead of the weights (``boards/toolchain/weight_swap.py`` patches them in)."""
    from rtl.waveshaper import Waveshaper  # imported late: elaborating the network is the slow part

    return Waveshaper(network, plan, template=template)


def dry_fifo_depth(plan, *, network_domain: bool) -> int:
    """The dry FIFO's depth: the samples the network holds in flight (``plan.latency_samples + 1``), one
    spare, and one more for the stream crossings of a network domain (a few cycles each, far below a
    sample period, but they may end a sample later)."""
    return plan.latency_samples + 2 + (1 if network_domain else 0)


class NetworkTop(CodecEdgeTop):
    """The waveshaper's top level: the board's codec edge, the audio path and the network.

    Parameters
    ----------
    config : ModelConfig
        The network's config.
    network : wiring.Component
        The network component (ports ``i``/``o``).
    board : BoardSpec or None
        The board (None: simulation).
    pmod, io_registers
        See :class:`~boards.audio_edge.codec_edge.CodecEdgeTop`.
    dry_depth : int
        The dry-sample FIFO depth (:func:`dry_fifo_depth`).
    network_domain : bool or None
        Run the network in the ``network`` domain behind
        :class:`~boards.audio_edge.network_domain.NetworkDomain` (default: when the board's PLL makes that
        clock).

    Ports
    -----
    pads : Out(pads_signature)
        Simulation only (``board`` None): the codec pins as the FPGA sees them."""

    def __init__(self, config: ModelConfig, network: wiring.Component, *, board=None, pmod=None,
                 dry_depth: int = 4, io_registers: bool | None = None, network_domain: bool | None = None):
        super().__init__(board, pmod=pmod, io_registers=io_registers)
        self.config = config
        if network_domain is None:
            network_domain = board is not None and board.has_network_clock
        self.network_domain = network_domain
        self.network = NetworkDomain(network) if network_domain else network
        self.audio_path = AudioPath(config, self.network, dry_depth=dry_depth)

    def elaborate(self, platform):
        m = super().elaborate(platform)
        if self.board is None and self.network_domain:
            m.domains.network = ClockDomain("network")
        m.submodules.audio_path = path = self.audio_path
        wiring.connect(m, self.pmod.adc, path.adc)
        wiring.connect(m, path.dac, self.pmod.dac)
        return m
