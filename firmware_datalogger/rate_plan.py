"""Build-time rate plan: can the board's serial link carry the requested channels at the requested rate?

There is no flow control on the UART (only TX is wired to the FTDI), so a plan that does not fit would
drop data for the whole capture. The plan is therefore checked before any gateware is built and an
impossible one is refused with the numbers and with what would fit instead.

Link budget: 8N1 sends 10 bit times per byte, so a link of B baud carries B/10 bytes/s. Each frame of N
samples x C channels costs ``protocol.frame_bytes(C, N)`` bytes (18 header + 2 CRC + 2 N C). The plan
keeps the link below ``max_link_use`` (default 90 %) because the FTDI chip and the host's USB polling
need slack that has not been measured on hardware.

The decimating FIR computes all C channels with one time-shared multiplier, so it also needs
C x (taps + pipeline) clocks per output sample, i.e. per R input samples.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from .protocol import frame_bytes

__all__ = ["RatePlan", "RatePlanError", "plan", "FIR_PIPELINE_CYCLES", "MIN_CLOCKS_PER_BIT"]

#: Extra clocks per channel of the FIR's multiply-accumulate pipeline (address, multiply, accumulate, round).
FIR_PIPELINE_CYCLES = 4
#: Below 4 clocks per bit the fractional baud generator's edge jitter (one clock) exceeds 25 % of a bit.
MIN_CLOCKS_PER_BIT = 4


class RatePlanError(ValueError):
    """The requested configuration cannot run; the message gives the numbers and what would fit."""


@dataclass(frozen=True)
class RatePlan:
    channels: int
    codec_rate_hz: int
    decimation: int
    samples_per_frame: int
    baud: int
    clock_hz: Fraction
    fir_taps: int
    max_link_use: float
    #: The rate the codec really runs at (the board PLL's audio clock / 256); the link and FIR budgets
    #: use it, the frame header and manifest carry the nominal ``sample_rate_hz`` the model config uses.
    codec_rate_actual_hz: float

    @property
    def sample_rate_hz(self) -> int:
        return self.codec_rate_hz // self.decimation

    @property
    def payload_bits_per_s(self) -> int:
        return self.channels * 16 * self.sample_rate_hz

    @property
    def actual_sample_rate_hz(self) -> float:
        return self.codec_rate_actual_hz / self.decimation

    @property
    def frames_per_s(self) -> float:
        return self.actual_sample_rate_hz / self.samples_per_frame

    @property
    def wire_bytes_per_s(self) -> float:
        return frame_bytes(self.channels, self.samples_per_frame) * self.frames_per_s

    @property
    def link_bytes_per_s(self) -> float:
        return self.baud / 10

    @property
    def link_use(self) -> float:
        return self.wire_bytes_per_s / self.link_bytes_per_s

    @property
    def clocks_per_bit(self) -> Fraction:
        return Fraction(self.clock_hz, self.baud)

    @property
    def fir_cycles_needed(self) -> int:
        return 0 if self.decimation == 1 else self.channels * (self.fir_taps + FIR_PIPELINE_CYCLES)

    @property
    def fir_cycles_available(self) -> int:
        return int(self.decimation * self.clock_hz / Fraction(self.codec_rate_actual_hz))

    def summary(self) -> str:
        return (f"{self.channels} ch x 16 bit x {self.sample_rate_hz / 1e3:g} kHz = "
                f"{self.payload_bits_per_s / 1e6:.3f} Mbit/s payload; with framing "
                f"{self.wire_bytes_per_s * 10 / 1e6:.3f} Mbaud of {self.baud / 1e6:g} Mbaud 8N1 "
                f"({100 * self.link_use:.1f} % of the link, limit {100 * self.max_link_use:.0f} %); "
                f"{self.samples_per_frame} samples/frame, UART {float(self.clocks_per_bit):.3f} clocks/bit at "
                f"{float(self.clock_hz) / 1e6:.3f} MHz")

    def as_dict(self) -> dict:
        return {"channels": self.channels, "codec_rate_hz": self.codec_rate_hz, "decimation": self.decimation,
                "sample_rate_hz": self.sample_rate_hz, "samples_per_frame": self.samples_per_frame,
                "baud": self.baud, "clock_hz": float(self.clock_hz),
                "codec_rate_actual_hz": self.codec_rate_actual_hz, "clocks_per_bit": float(self.clocks_per_bit),
                "fir_taps": self.fir_taps,
                "payload_bits_per_s": self.payload_bits_per_s, "wire_bytes_per_s": self.wire_bytes_per_s,
                "link_use": self.link_use, "max_link_use": self.max_link_use,
                "fir_cycles_needed": self.fir_cycles_needed, "fir_cycles_available": self.fir_cycles_available}


def _fits(channels, codec_rate_hz, decimation, samples_per_frame, baud, max_link_use) -> bool:
    wire = frame_bytes(channels, samples_per_frame) * codec_rate_hz / decimation / samples_per_frame
    return wire <= max_link_use * baud / 10


def alternatives(channels: int, codec_rate_hz: int, samples_per_frame: int, baud: int, max_link_use: float,
                 codec_rate_actual_hz: float | None = None) -> str:
    """What would fit on this link: fewer channels at the same rate, or a lower rate for these channels."""
    actual = codec_rate_hz if codec_rate_actual_hz is None else codec_rate_actual_hz
    hints, shown = [], 0
    for d in range(1, 17):
        if codec_rate_hz % d:
            continue
        best = max((c for c in range(1, 5)
                    if _fits(c, actual, d, samples_per_frame, baud, max_link_use)), default=0)
        if best > shown:  # the highest rate for each channel count
            hints.append(f"{best} ch at {codec_rate_hz // d / 1e3:g} kHz")
            shown = best
        if best >= channels:
            break
    needed = frame_bytes(channels, samples_per_frame) * actual / samples_per_frame * 10 / max_link_use
    return ("what fits on this link: " + ", ".join(hints) +
            f"; {channels} ch at {codec_rate_hz / 1e3:g} kHz would need a {needed / 1e6:.2f} Mbaud link")


def plan(*, channels: int, codec_rate_hz: int, sample_rate_hz: int, baud: int, clock_hz,
         samples_per_frame: int = 256, fir_taps: int = 0, max_link_use: float = 0.9,
         max_baud: int | None = None, codec_rate_actual_hz: float | None = None) -> RatePlan:
    """Check a configuration and return its :class:`RatePlan`, or raise :class:`RatePlanError`."""
    if not 1 <= channels <= 4:
        raise RatePlanError(f"the eurorack-pmod has 4 inputs; {channels} channels requested")
    if sample_rate_hz <= 0 or codec_rate_hz % sample_rate_hz:
        raise RatePlanError(f"sample rate {sample_rate_hz} Hz is not the codec rate {codec_rate_hz} Hz divided by "
                            f"an integer (try {', '.join(str(codec_rate_hz // d) for d in (1, 2, 4, 8))})")
    if not 1 <= samples_per_frame <= 0xFFFF:
        raise RatePlanError(f"samples per frame must be 1..65535, got {samples_per_frame}")
    if max_baud is not None and baud > max_baud:
        raise RatePlanError(f"{baud / 1e6:g} Mbaud exceeds the link's maximum of {max_baud / 1e6:g} Mbaud")
    if not 0 < max_link_use <= 1:
        raise RatePlanError(f"max link use must be in (0, 1], got {max_link_use}")
    actual = float(codec_rate_hz if codec_rate_actual_hz is None else codec_rate_actual_hz)
    p = RatePlan(channels, codec_rate_hz, codec_rate_hz // sample_rate_hz, samples_per_frame, baud,
                 Fraction(clock_hz), fir_taps, max_link_use, actual)
    if p.clocks_per_bit < MIN_CLOCKS_PER_BIT:
        raise RatePlanError(f"{baud / 1e6:g} Mbaud from a {float(clock_hz) / 1e6:.3f} MHz clock is "
                            f"{float(p.clocks_per_bit):.2f} clocks per bit; need at least {MIN_CLOCKS_PER_BIT}")
    if p.decimation > 1 and fir_taps < 1:
        raise RatePlanError("decimation needs the anti-alias FIR's tap count (fir_taps)")
    if p.link_use > max_link_use:
        raise RatePlanError(
            f"rate plan impossible: {p.channels} ch x 16 bit x {p.sample_rate_hz / 1e3:g} kHz = "
            f"{p.payload_bits_per_s / 1e6:.3f} Mbit/s payload, {p.wire_bytes_per_s * 10 / 1e6:.3f} Mbaud on the wire "
            f"with framing and 8N1 (10 bits/byte) > {max_link_use * 100:.0f} % of a {baud / 1e6:g} Mbaud link "
            f"({100 * p.link_use:.1f} % needed); "
            + alternatives(channels, codec_rate_hz, samples_per_frame, baud, max_link_use, actual))
    if p.fir_cycles_needed > p.fir_cycles_available:
        raise RatePlanError(
            f"the decimating FIR needs {p.fir_cycles_needed} clocks per output ({p.channels} ch x "
            f"({fir_taps} taps + {FIR_PIPELINE_CYCLES})) but only {p.fir_cycles_available} are available at "
            f"{float(clock_hz) / 1e6:.3f} MHz; use fewer taps or channels")
    return p
