"""The datalogger's wire format: one definition shared by the framer gateware, its tests and the host parser.

A frame is::

    offset  size  field
    0       2     sync word 0xEB 0x90 (a classic telemetry sync; no header field can start with 0xEB 0x90
                  followed by a valid version byte and CRC by chance more than once per ~2^24 bytes)
    2       1     format version (VERSION)
    3       1     channels C
    4       2     samples per channel in this frame N, little endian
    6       4     sample rate in Hz of the samples in this frame, little endian
    10      4     sequence counter, little endian, +1 per frame, wraps at 2^32
    14      2     overrun count: sample vectors the gateware had to drop since the previous frame
                  (saturates at 0xFFFF; 0 whenever the rate plan holds)
    16      2*N*C samples, int16 little endian, interleaved (sample 0 ch 0, sample 0 ch 1, ...)
    16+2NC  2     CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no xorout) of bytes
                  2 .. 16+2NC-1 (everything after the sync word), most significant byte first

Carrying C, N and the sample rate in every frame lets the host check that it is talking to a datalogger
bitstream with the configuration it expects, and resynchronise without knowing the build options.
"""

from __future__ import annotations

import struct

import numpy as np

__all__ = ["SYNC", "VERSION", "HEADER_BYTES", "CRC_BYTES", "crc16_ccitt", "frame_bytes", "encode_frame",
           "header_bytes"]

SYNC = bytes((0xEB, 0x90))
VERSION = 0x01
HEADER_BYTES = 16
CRC_BYTES = 2
_HEADER = struct.Struct("<2sBBHIIH")
assert _HEADER.size == HEADER_BYTES


def _crc_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
        table.append(crc & 0xFFFF)
    return table


_TABLE = _crc_table()


def crc16_ccitt(data: bytes, crc: int = 0xFFFF) -> int:
    """CRC-16/CCITT-FALSE (check value of b"123456789" is 0x29B1), the bit-serial reference of the framer."""
    for byte in data:
        crc = ((crc << 8) & 0xFFFF) ^ _TABLE[((crc >> 8) ^ byte) & 0xFF]
    return crc


def frame_bytes(channels: int, samples: int) -> int:
    """Length on the wire of one frame."""
    return HEADER_BYTES + 2 * channels * samples + CRC_BYTES


def header_bytes(*, channels: int, samples: int, sample_rate_hz: int, sequence: int, overrun: int = 0) -> bytes:
    return _HEADER.pack(SYNC, VERSION, channels, samples, sample_rate_hz, sequence & 0xFFFFFFFF,
                        min(overrun, 0xFFFF))


def encode_frame(samples: np.ndarray, *, sample_rate_hz: int, sequence: int, overrun: int = 0) -> bytes:
    """Python reference of one frame; ``samples`` is (N, C) int16-range integers."""
    samples = np.asarray(samples)
    if samples.ndim != 2:
        raise ValueError(f"samples must be (N, C), got shape {samples.shape}")
    n, c = samples.shape
    head = header_bytes(channels=c, samples=n, sample_rate_hz=sample_rate_hz, sequence=sequence,
                        overrun=overrun)
    body = head + samples.astype("<i2").tobytes()
    return body + crc16_ccitt(body[len(SYNC):]).to_bytes(2, "big")


def parse_header(data: bytes) -> tuple[int, int, int, int, int, int]:
    """(version, channels, samples, sample_rate_hz, sequence, overrun) of a header (sync not checked)."""
    _, version, channels, samples, rate, seq, overrun = _HEADER.unpack_from(data)
    return version, channels, samples, rate, seq, overrun
