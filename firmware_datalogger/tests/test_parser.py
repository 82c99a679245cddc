"""Host parser under fault injection: resync, exact loss accounting, no corrupt frame ever accepted."""

import numpy as np
import pytest

from firmware_datalogger import protocol
from firmware_datalogger.parser import FrameParser

RATE = 192_000


def _frames(count, channels=2, samples=16, first_seq=1000, seed=0):
    rng = np.random.default_rng(seed)
    data = [rng.integers(-32768, 32768, (samples, channels)) for _ in range(count)]
    wire = [protocol.encode_frame(d, sample_rate_hz=RATE, sequence=first_seq + i) for i, d in enumerate(data)]
    return data, wire


def _feed_in_chunks(parser, stream, seed=1):
    rng = np.random.default_rng(seed)
    out, pos = [], 0
    while pos < len(stream):
        step = int(rng.integers(1, 200))
        out += parser.feed(stream[pos:pos + step])
        pos += step
    return out


def test_crc_reference():
    assert protocol.crc16_ccitt(b"123456789") == 0x29B1  # the published CRC-16/CCITT-FALSE check value


def test_clean_stream():
    data, wire = _frames(10)
    parser = FrameParser()
    frames = _feed_in_chunks(parser, b"\x00\xEB\x90garbage" + b"".join(wire))
    assert [f.sequence for f in frames] == list(range(1000, 1010))
    assert all(np.array_equal(f.samples, d) for f, d in zip(frames, data, strict=True))
    assert parser.stats.lost_frames == 0 and parser.stats.crc_errors == 0


def test_named_faults_exact_loss_count():
    data, wire = _frames(60)
    wire = [bytearray(w) for w in wire]
    wire[5][40] ^= 0x10                              # flipped payload bit
    del wire[12][30]                                  # dropped byte
    wire[20].insert(25, wire[20][25])                 # duplicated byte
    wire[30] = wire[30][: len(wire[30]) // 2]         # truncated frame (next frame follows at once)
    wire[40][1] ^= 0x01                               # corrupted sync word
    wire[44][len(wire[44]) - 1] ^= 0x80               # corrupted CRC byte
    stream = b"".join(bytes(w) for w in wire[:47]) + bytes(wire[46])  # frame 46 sent twice (duplicate)
    stream += b"\xEB\x90\x01\x02" + bytes(range(200))                  # garbage with a false sync
    stream += b"".join(bytes(w) for w in wire[47:])
    parser = FrameParser()
    frames = _feed_in_chunks(parser, stream)
    damaged = {5, 12, 20, 30, 40, 44}
    expected = [i for i in range(60) if i not in damaged]
    assert [f.sequence - 1000 for f in frames] == expected
    for f in frames:
        assert np.array_equal(f.samples, data[f.sequence - 1000])   # nothing corrupt gets through
    assert parser.stats.lost_frames == len(damaged)
    assert parser.stats.duplicates == 1
    assert [g[0] - 1000 for g in parser.stats.gaps] == [6, 13, 21, 31, 41, 45]
    assert all(f.discontinuity == (f.sequence - 1000 in {6, 13, 21, 31, 41, 45}) for f in frames)


@pytest.mark.parametrize("seed", range(6))
def test_random_faults_never_pass_corruption(seed):
    rng = np.random.default_rng(100 + seed)
    data, wire = _frames(80, channels=int(rng.integers(1, 5)), samples=int(rng.integers(1, 40)), seed=seed)
    damaged = set(int(i) for i in rng.choice(np.arange(1, 79), size=12, replace=False))
    out = bytearray()
    for i, w in enumerate(wire):
        w = bytearray(w)
        if i in damaged:
            kind = int(rng.integers(0, 4))
            at = int(rng.integers(0, len(w)))
            if kind == 0:
                w[at] ^= 1 << int(rng.integers(0, 8))
            elif kind == 1:
                del w[at]
            elif kind == 2:
                w.insert(at, w[at])
            else:
                w = w[: max(at, 1)]
        out += w
    parser = FrameParser()
    frames = _feed_in_chunks(parser, bytes(out), seed=seed)
    got = [f.sequence - 1000 for f in frames]
    assert got == [i for i in range(80) if i not in damaged]
    for f in frames:
        assert np.array_equal(f.samples, data[f.sequence - 1000])
    assert parser.stats.lost_frames == len(damaged)


def test_sequence_wrap_is_not_a_gap():
    _, wire = _frames(4, first_seq=0xFFFFFFFE)
    parser = FrameParser()
    frames = parser.feed(b"".join(wire))
    assert [f.sequence for f in frames] == [0xFFFFFFFE, 0xFFFFFFFF, 0, 1]
    assert parser.stats.lost_frames == 0


def test_shape_change_is_rejected_after_lock():
    _, a = _frames(3, channels=2)
    _, b = _frames(2, channels=3, first_seq=1003)
    parser = FrameParser()
    frames = parser.feed(b"".join(a + b))
    assert len(frames) == 3 and parser.stats.bad_headers >= 2
