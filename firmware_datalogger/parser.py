"""Host-side frame parser: checks every frame, resynchronises after corruption, accounts for every loss.

Guarantees (tested by fault injection in ``tests/test_parser.py``):
- only frames whose CRC-16 matches reach the caller; a damaged frame is dropped and *counted*;
- after flipped, dropped or duplicated bytes or a truncated frame, the parser hunts for the next sync
  word (retrying one byte further after every false candidate) and locks again;
- every frame that does not continue the previous one is flagged (``discontinuity``) with what lies in
  between, so the capture starts a new WAV file instead of splicing audio across the gap:

  * a gap in the sequence counter: ``lost_before`` frames (exact, as long as a later frame arrives);
  * a gateware overrun: the frame's ``overrun`` samples were discarded just before it (protocol.py);
  * a restart: the boot identifier changed, or the sequence counter did not advance (it starts at 0 after
    every reset): ``restart``, length unknown. The link never delivers a frame twice, so a frame that
    repeats the previous one byte for byte is a new boot too (a reset right after frame 0 while the inputs
    are silent), never dropped as a duplicate;
  * damaged or discarded bytes since the previous frame, even with the next sequence number: the first
    frames of a new boot may have been the damaged ones (``discarded_bytes``).
"""

from __future__ import annotations

import binascii
from dataclasses import dataclass, field

import numpy as np

from . import protocol

__all__ = ["Frame", "FrameParser", "ParserStats"]


@dataclass
class Frame:
    sequence: int
    sample_rate_hz: int
    samples: np.ndarray          # (N, C) int16
    overrun: int                 # sample vectors the gateware dropped just before this frame (rate plan broken)
    boot: int = 0                # the boot identifier: the same for every frame of one boot
    lost_before: int | None = 0  # frames missing between the previous accepted frame and this one (None: a restart)
    restart: bool = False        # a new boot identifier or a sequence that did not advance: the board restarted
    discarded_bytes: int = 0     # bytes discarded (damaged, garbage) since the previous accepted frame
    discontinuity: bool = False  # True when this frame does not continue the previous one

    def gap(self) -> dict:
        """What lies between the previous accepted frame and this one (for logs and manifests)."""
        return {"sequence": self.sequence, "lost_frames": self.lost_before, "overrun_samples": self.overrun,
                "restart": self.restart, "discarded_bytes": self.discarded_bytes}


@dataclass
class ParserStats:
    frames: int = 0              # accepted frames
    lost_frames: int = 0         # frames missing from the sequence (damaged or never received)
    crc_errors: int = 0          # frame candidates with a valid header whose CRC failed
    bad_headers: int = 0         # sync words followed by an impossible header
    bytes_skipped: int = 0       # bytes discarded while hunting for sync
    restarts: int = 0            # new boot identifier or a sequence that did not advance (reset, re-flash)
    overrun_samples: int = 0     # sample vectors the gateware reported as dropped
    gaps: list = field(default_factory=list)  # Frame.gap() of every frame that follows a discontinuity

    @property
    def damaged_or_lost(self) -> int:
        return self.lost_frames

    def as_dict(self) -> dict:
        return {"frames": self.frames, "lost_frames": self.lost_frames, "crc_errors": self.crc_errors,
                "bad_headers": self.bad_headers, "bytes_skipped": self.bytes_skipped,
                "restarts": self.restarts,
                "overrun_samples": self.overrun_samples, "gaps": [dict(g) for g in self.gaps]}


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
        self._last_boot: int | None = None
        self._discarded = 0  # bytes discarded since the last accepted frame
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

    def _skip(self, count: int) -> None:
        self.stats.bytes_skipped += count
        self._discarded += count

    def feed(self, data: bytes) -> list[Frame]:
        self.bytes_seen += len(data)
        self._buf += data
        buf = self._buf
        frames: list[Frame] = []
        pos = 0
        while True:
            start = buf.find(protocol.SYNC, pos)
            if start < 0:
                # Keep a trailing first sync byte (not yet examined): the second may arrive in the next read.
                keep = 1 if len(buf) > pos and buf[-1] == protocol.SYNC[0] else 0
                self._skip(len(buf) - pos - keep)
                pos = len(buf) - keep
                break
            self._skip(start - pos)
            pos = start
            if len(buf) - pos < protocol.HEADER_BYTES:
                break
            version, channels, samples, rate, seq, overrun, boot = protocol.parse_header(
                bytes(buf[pos:pos + protocol.HEADER_BYTES]))
            if not self._header_ok(version, channels, samples, rate):
                self.stats.bad_headers += 1
                self._skip(1)
                pos += 1
                continue
            length = protocol.frame_bytes(channels, samples)
            if len(buf) - pos < length:
                break
            body = bytes(buf[pos + len(protocol.SYNC):pos + length - protocol.CRC_BYTES])
            crc = int.from_bytes(buf[pos + length - protocol.CRC_BYTES:pos + length], "big")
            if binascii.crc_hqx(body, 0xFFFF) != crc:  # CRC-16/CCITT-FALSE in C
                self.stats.crc_errors += 1
                self._skip(1)
                pos += 1
                continue
            payload = np.frombuffer(body[protocol.HEADER_BYTES - len(protocol.SYNC):], dtype="<i2")
            frames.append(self._accept(Frame(seq, rate, payload.reshape(samples, channels).astype(np.int16),
                                             overrun, boot), (channels, samples, rate)))
            pos += length
        del buf[:pos]
        return frames

    def _accept(self, frame: Frame, shape) -> Frame:
        if self.shape is None:
            self.shape = shape
        if self._last_seq is not None:
            step = (frame.sequence - self._last_seq) & 0xFFFFFFFF
            frame.discarded_bytes = self._discarded
            if frame.boot != self._last_boot or step == 0 or step > 0x7FFFFFFF:
                frame.restart = True
                frame.lost_before = None
                self.stats.restarts += 1
            elif step > 1:
                frame.lost_before = step - 1
                self.stats.lost_frames += step - 1
            frame.discontinuity = frame.restart or step != 1 or frame.overrun > 0 or self._discarded > 0
            if frame.discontinuity:
                self.stats.gaps.append(frame.gap())
        self.stats.overrun_samples += frame.overrun
        self._last_seq = frame.sequence
        self._last_boot = frame.boot
        self._discarded = 0
        self.stats.frames += 1
        return frame

    @property
    def pending_bytes(self) -> int:
        """Bytes held back as the start of an incomplete frame (a truncated tail when the stream ends)."""
        return len(self._buf)
