"""AudioPath: calibrated ADC vectors -> input scaling -> network -> output scaling -> DAC vectors.

Everything here runs in the ``sync`` (network) domain, between the codec driver's calibrated streams:

    adc (4 x int16, 4000 counts/V) -> InputScaler -> network.i (n_inputs codes)
                                          |  dry core sample -> SyncFIFO (dry_depth) --.
    network.o (n_outputs codes) ---------------------------------------> OutputScaler -> dac (4 x int16)

The network may accept the next sample before it has produced the previous output (its layers pipeline
across samples), so the dry sample travels through a FIFO deep enough for the network's latency in
samples; it is written exactly when the network accepts the scaled vector, and read exactly when the
network's output is taken, so dry and wet always belong to the same input sample and each input vector
produces exactly one DAC vector. If the FIFO were ever full the network input simply waits (back-pressure,
never a dropped or misaligned sample).

The network plays the target of the core ``config.lookahead`` samples back (``common/config.py``), so the
dry sample passes a delay line of that many samples (cleared at reset) before the FIFO: the dry output
stays in step with the wet one.
"""

from __future__ import annotations

from amaranth.hdl import Module, Signal
from amaranth.lib import fifo, stream, wiring
from amaranth.lib.wiring import In, Out

from boards.eurorack_pmod.samples import sample, sample_vector
from common.config import ModelConfig

from .input_scaler import InputScaler
from .output_scaler import OutputScaler

__all__ = ["AudioPath"]


class AudioPath(wiring.Component):
    """The scalers, the dry FIFO and the network between the codec driver's streams.

    Parameters
    ----------
    config : ModelConfig
        The network's config.
    network : wiring.Component
        Any component with ``i``/``o`` sample-vector streams (``rtl.waveshaper.Waveshaper``).
    dry_depth : int
        Must cover how many samples the network holds in flight (``plan.latency_samples + 1`` is enough; a
        larger value only costs a few flip-flops).

    Ports
    -----
    adc : In(stream.Signature(sample_vector))
        Calibrated input vectors from the driver.
    dac : Out(stream.Signature(sample_vector))
        Calibrated output vectors to it."""

    def __init__(self, config: ModelConfig, network: wiring.Component, *, dry_depth: int = 4):
        if dry_depth < 1:
            raise ValueError(f"dry_depth must be at least 1, got {dry_depth}")
        self._config = config
        self._network = network
        self._dry_depth = dry_depth
        super().__init__({"adc": In(stream.Signature(sample_vector)), "dac": Out(stream.Signature(sample_vector))})

    def elaborate(self, platform):
        m = Module()
        m.submodules.input_scaler = scale_in = InputScaler(self._config)
        m.submodules.network = net = self._network
        m.submodules.output_scaler = scale_out = OutputScaler(self._config)
        m.submodules.dry_fifo = dry = fifo.SyncFIFOBuffered(width=sample.width, depth=self._dry_depth)

        wiring.connect(m, wiring.flipped(self.adc), scale_in.i)

        # Scaled vector to the network, dry sample (lookahead samples back) into the FIFO, in the same cycle.
        taken = scale_in.o.valid & net.i.ready & dry.w_rdy
        line = [Signal(sample, name=f"dry_delay{k}") for k in range(self._config.lookahead)]
        with m.If(taken):
            sources = [scale_in.dry, *line][:len(line)]
            m.d.sync += [tap.eq(source) for tap, source in zip(line, sources, strict=True)]
        m.d.comb += [
            net.i.payload.eq(scale_in.o.payload),
            net.i.valid.eq(scale_in.o.valid & dry.w_rdy),
            scale_in.o.ready.eq(net.i.ready & dry.w_rdy),
            dry.w_data.eq(line[-1] if line else scale_in.dry),
            dry.w_en.eq(taken),
        ]

        wiring.connect(m, net.o, scale_out.i)
        m.d.comb += [
            scale_out.dry.payload.eq(dry.r_data),
            scale_out.dry.valid.eq(dry.r_rdy),
            dry.r_en.eq(scale_out.dry.ready),
        ]

        wiring.connect(m, scale_out.o, wiring.flipped(self.dac))
        return m
