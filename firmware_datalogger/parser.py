"""Host-side frame parser: checks every frame, resynchronises after corruption, accounts for every loss.

Guarantees (tested by fault injection in ``tests/test_parser.py``):
- only frames whose CRC-16 matches reach the caller; a damaged frame is dropped and *counted*;
- after flipped, dropped or duplicated bytes or a truncated frame, the parser hunts for the next sync
  word (retrying one byte further after every false candidate) and locks again;
- a gap in the sequence counter is reported as ``lost`` frames (exact, as long as a later frame arrives)
  together with where it happened, so the capture starts a new WAV segment instead of splicing audio
  across the gap; repeated frames are discarded and counted.
"""

from __future__ import annotations

import binascii
from dataclasses import dataclass, field

import numpy as np

from . import protocol

__all__ = ["Frame", "FrameParser", "ParserStats"]

#: A backwards sequence jump of at most this many frames is a repeated frame; further back is a restart.
_DUPLICATE_WINDOW = 16


@dataclass
class Frame:
    sequence: int
    sample_rate_hz: int
    samples: np.ndarray          # (N, C) int16
    overrun: int                 # sample vectors the gateware dropped before this frame (rate plan broken)
    lost_before: int = 0         # frames missing between the previous accepted frame and this one
    discontinuity: bool = False  # True when this frame does not continue the previous one


@dataclass
class ParserStats:
    frames: int = 0              # accepted frames
    lost_frames: int = 0         # frames missing from the sequence (damaged or never received)
    crc_errors: int = 0          # frame candidates with a valid header whose CRC failed
    bad_headers: int = 0         # sync words followed by an impossible header
    bytes_skipped: int = 0       # bytes discarded while hunting for sync
    duplicates: int = 0          # repeated frames discarded
    restarts: int = 0            # sequence counter went backwards (board reset / re-flash)
    overrun_samples: int = 0     # sample vectors the gateware reported as dropped
    gaps: list = field(default_factory=list)  # (sequence of the frame after the gap, frames lost)

    @property
    def damaged_or_lost(self) -> int:
        return self.lost_frames

    def as_dict(self) -> dict:
        return {"frames": self.frames, "lost_frames": self.lost_frames, "crc_errors": self.crc_errors,
                "bad_headers": self.bad_headers, "bytes_skipped": self.bytes_skipped,
                "duplicates": self.duplicates, "restarts": self.restarts,
                "overrun_samples": self.overrun_samples, "gaps": [list(g) for g in self.gaps]}


class FrameParser:
    """Incremental parser: ``feed(bytes)`` returns the good frames completed by those bytes, in order.

    The first good frame fixes the stream's shape (channels, samples per frame, sample rate); later
    candidates with another shape are treated as false syncs, so a corrupted length field can never make
    the parser swallow good frames.
    """

    def __init__(self):
        self._buf = bytearray()
        self.stats = ParserStats()
        self.shape: tuple[int, int, int] | None = None  # (channels, samples, rate) once locked
        self._last_seq: int | None = None
        self.bytes_seen = 0

    @property
    def locked(self) -> bool:
        return self.shape is not None

    def _header_ok(self, version, channels, samples, rate) -> bool:
        if version != protocol.VERSION or not 1 <= channels <= 4 or samples < 1 or rate < 1:
            return False
        if self.shape is not None:
            return (channels, samples, rate) == self.shape
        return True

    def feed(self, data: bytes) -> list[Frame]:
        self.bytes_seen += len(data)
        self._buf += data
        buf = self._buf
        frames: list[Frame] = []
        pos = 0
        while True:
            start = buf.find(protocol.SYNC, pos)
            if start < 0:
                # Keep a trailing first sync byte: the second may arrive in the next read.
                keep = 1 if buf[-1:] == protocol.SYNC[:1] else 0
                self.stats.bytes_skipped += len(buf) - pos - keep
                pos = len(buf) - keep
                break
            self.stats.bytes_skipped += start - pos
            pos = start
            if len(buf) - pos < protocol.HEADER_BYTES:
                break
            version, channels, samples, rate, seq, overrun = protocol.parse_header(bytes(buf[pos:pos + 16]))
            if not self._header_ok(version, channels, samples, rate):
                self.stats.bad_headers += 1
                self.stats.bytes_skipped += 1
                pos += 1
                continue
            length = protocol.frame_bytes(channels, samples)
            if len(buf) - pos < length:
                break
            body = bytes(buf[pos + len(protocol.SYNC):pos + length - protocol.CRC_BYTES])
            crc = int.from_bytes(buf[pos + length - protocol.CRC_BYTES:pos + length], "big")
            if binascii.crc_hqx(body, 0xFFFF) != crc:  # CRC-16/CCITT-FALSE in C
                self.stats.crc_errors += 1
                self.stats.bytes_skipped += 1
                pos += 1
                continue
            payload = np.frombuffer(body[protocol.HEADER_BYTES - len(protocol.SYNC):], dtype="<i2")
            frame = Frame(seq, rate, payload.reshape(samples, channels).astype(np.int16), overrun)
            pos += length
            if self._accept(frame, (channels, samples, rate)):
                frames.append(frame)
        del buf[:pos]
        return frames

    def _accept(self, frame: Frame, shape) -> bool:
        if self.shape is None:
            self.shape = shape
        if self._last_seq is not None:
            step = (frame.sequence - self._last_seq) & 0xFFFFFFFF
            if step == 0 or step > 0xFFFFFFFF - _DUPLICATE_WINDOW:
                self.stats.duplicates += 1
                return False
            if step > 0x7FFFFFFF:
                self.stats.restarts += 1
                frame.discontinuity = True
            elif step > 1:
                frame.lost_before = step - 1
                frame.discontinuity = True
                self.stats.lost_frames += step - 1
                self.stats.gaps.append((frame.sequence, step - 1))
        if frame.overrun:
            frame.discontinuity = True
            self.stats.overrun_samples += frame.overrun
        self._last_seq = frame.sequence
        self.stats.frames += 1
        return True

    @property
    def pending_bytes(self) -> int:
        """Bytes held back as the start of an incomplete frame (a truncated tail when the stream ends)."""
        return len(self._buf)
