"""An int16 WAV file written as the samples arrive, valid whatever stops the writing.

The capture writes each frame's samples straight to disk. If the disk fills up (or any write fails) half
way through a frame, the file holds a part of it; if the host is interrupted, the header has not been
finished yet. So the header's two sizes are set when the file is closed, from what the file really holds,
cut down to whole sample vectors: the WAV then holds exactly the samples that reached the disk, every one
of them complete. The file is created exclusively: an existing file is never overwritten.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

import numpy as np

__all__ = ["HEADER_BYTES", "Int16WavWriter", "wav_header"]

#: RIFF header, ``fmt `` chunk (PCM) and the ``data`` chunk's header.
HEADER_BYTES = 44
_HEADER = struct.Struct("<4sI4s4sIHHIIHH4sI")
assert _HEADER.size == HEADER_BYTES


def wav_header(channels: int, sample_rate_hz: int, data_bytes: int) -> bytes:
    """The 44-byte header of a 16-bit PCM WAV holding ``data_bytes`` bytes of samples."""
    block = 2 * channels
    return _HEADER.pack(b"RIFF", HEADER_BYTES - 8 + data_bytes, b"WAVE", b"fmt ", 16, 1, channels,
                        sample_rate_hz, sample_rate_hz * block, block, 16, b"data", data_bytes)


class Int16WavWriter:
    """``write`` (N, channels) int16 samples; ``close`` returns how many sample vectors the file holds.

    Raises ``FileExistsError`` if ``path`` exists and ``OSError`` when a write fails; unbuffered, so a
    sample handed to ``write`` without an error is on its way to the disk and not in a buffer of ours.
    """

    def __init__(self, path: str | Path, channels: int, sample_rate_hz: int):
        self.path = Path(path)
        self.channels, self.sample_rate_hz = channels, sample_rate_hz
        self.vectors = 0  # set by close()
        self._file = open(self.path, "xb", buffering=0)
        try:
            self._write(wav_header(channels, sample_rate_hz, 0))
        except OSError:
            self.close()
            raise

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = self._file.write(view)
            view = view[written:]

    def write(self, samples: np.ndarray) -> None:
        self._write(np.ascontiguousarray(samples, dtype="<i2").tobytes())

    def close(self) -> int:
        """Finish the header from the bytes on disk (whole sample vectors only); idempotent."""
        if self._file.closed:
            return self.vectors
        try:
            size = os.fstat(self._file.fileno()).st_size
            block = 2 * self.channels
            data = max(0, size - HEADER_BYTES) // block * block
            self._file.truncate(HEADER_BYTES + data)
            self._file.seek(0)
            self._write(wav_header(self.channels, self.sample_rate_hz, data))
            self.vectors = data // block
        finally:
            self._file.close()
        return self.vectors
