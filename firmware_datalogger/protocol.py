"""The datalogger's wire format: one definition shared by the framer gateware, its tests and the host parser.

A frame is::

    offset  size  field
    0       2     sync word 0xEB 0x90 (a classic telemetry sync; no header field can start with 0xEB 0x90
                  followed by a valid version byte and CRC by chance more than once per ~2^24 bytes)
    2       1     format version (VERSION)
    3       1     channels C
    4       2     samples per channel in this frame N, little endian
    6       4     sample rate in Hz of the samples in this frame, little endian
    10      4     sequence counter, little endian: 0 for the first frame after a reset, +1 per frame,
                  wraps at 2^32
    14      2     overrun count: sample vectors (at this frame's rate) the gateware had to discard
                  immediately before this frame's first sample; 0 whenever the rate plan holds.
                  0xFFFF means 65535 or more, or a number the gateware could not count
    16      2     boot identifier, little endian: the same in every frame of one boot, different after a
                  reset that leaves the FPGA configured (``gateware/boot_counter.py``: the releases of the
                  reset since configuration, modulo 2^16)
    18      2*N*C samples, int16 little endian, interleaved (sample 0 ch 0, sample 0 ch 1, ...)
    18+2NC  2     CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no xorout) of bytes
                  2 .. 18+2NC-1 (everything after the sync word), most significant byte first

Carrying C, N and the sample rate in every frame lets the host check that it is talking to a datalogger
bitstream with the configuration it expects, and resynchronise without knowing the build options.

Continuity, which the host relies on to never splice audio across missing samples:

* the N samples of a frame are always consecutive codec (or decimated) samples: the gateware assembles a
  whole frame before sending its header, and a frame that cannot be completed is discarded whole and
  counted in the next frame's overrun field;
* frame k + 1 continues frame k exactly when its sequence number is k + 1 and its overrun count is 0;
* a reset (power cycle, reset button, re-flash) starts the sequence again at 0. A frame starts a new boot
  when its boot identifier differs from the previous frame's, or when its sequence number does not advance.
  The link (a UART with no retransmission) never delivers a frame twice, so even a frame byte-identical to
  the previous one (a reset right after frame 0 while the inputs are silent, after a reconfiguration that
  gives the same boot identifier again) is a new boot, never a repeat to drop. If the new boot's first
  frames are damaged, its first good frame may carry any number, so a frame that follows damaged or
  discarded bytes is never taken as a continuation either.

What only the boot identifier catches: a reset that keeps the FPGA configured (the reset button, a loss
of PLL lock), after which every frame up to the old boot's last sequence number vanished without one byte
of it arriving (whole frames lost exactly at frame boundaries). A power cycle or a re-flash configures
the FPGA again, which gives the same identifier as the previous configuration; then the sequence number
and the discarded bytes are what flag the restart, as described above.

VERSION 2: the overrun count belongs to the gap immediately before the frame (version 1 counted the
drops since the previous header, which is not where the gap was). VERSION 3: the boot identifier
(the header grew from 16 to 18 bytes).
"""

from __future__ import annotations

import struct

import numpy as np
from amaranth.lib import crc

__all__ = ["SYNC", "VERSION", "HEADER_BYTES", "CRC16", "CRC_BYTES", "OVERRUN_UNKNOWN", "crc16_ccitt", "frame_bytes",
           "encode_frame", "header_bytes"]

SYNC = bytes((0xEB, 0x90))
VERSION = 0x03
HEADER_BYTES = 18
CRC_BYTES = 2
#: The overrun field's largest value: 65535 or more samples lost, or a number the gateware could not count.
OVERRUN_UNKNOWN = 0xFFFF
_HEADER = struct.Struct("<2sBBHIIHH")
assert _HEADER.size == HEADER_BYTES


#: The frame check: CRC-16/CCITT-FALSE over bytes (Amaranth's CRC catalogue; the framer's hardware
#: processor is made from the same parameters).
CRC16 = crc.catalog.CRC16_CCITT_FALSE(data_width=8)


def crc16_ccitt(data: bytes) -> int:
    """CRC-16/CCITT-FALSE of ``data`` (check value of b"123456789": 0x29B1), what the framer appends."""
    return CRC16.compute(data)


def frame_bytes(channels: int, samples: int) -> int:
    """Length on the wire of one frame."""
    return HEADER_BYTES + 2 * channels * samples + CRC_BYTES


def header_bytes(*, channels: int, samples: int, sample_rate_hz: int, sequence: int, overrun: int = 0,
                 boot: int = 0) -> bytes:
    return _HEADER.pack(SYNC, VERSION, channels, samples, sample_rate_hz, sequence & 0xFFFFFFFF,
                        min(overrun, OVERRUN_UNKNOWN), boot & 0xFFFF)


def encode_frame(samples: np.ndarray, *, sample_rate_hz: int, sequence: int, overrun: int = 0,
                 boot: int = 0) -> bytes:
    """Python reference of one frame; ``samples`` is (N, C) int16-range integers."""
    samples = np.asarray(samples)
    if samples.ndim != 2:
        raise ValueError(f"samples must be (N, C), got shape {samples.shape}")
    n, c = samples.shape
    head = header_bytes(channels=c, samples=n, sample_rate_hz=sample_rate_hz, sequence=sequence,
                        overrun=overrun, boot=boot)
    body = head + samples.astype("<i2").tobytes()
    return body + crc16_ccitt(body[len(SYNC):]).to_bytes(2, "big")


def parse_header(data: bytes) -> tuple[int, int, int, int, int, int, int]:
    """(version, channels, samples, sample_rate_hz, sequence, overrun, boot) of a header (sync not checked)."""
    _, version, channels, samples, rate, seq, overrun, boot = _HEADER.unpack_from(data)
    return version, channels, samples, rate, seq, overrun, boot
