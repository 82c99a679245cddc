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
    stream = b"".join(bytes(w) for w in wire[:47])
    stream += b"\xEB\x90\x01\x02" + bytes(range(200))                  # garbage with a false sync
    stream += b"".join(bytes(w) for w in wire[47:])
    parser = FrameParser()
    frames = _feed_in_chunks(parser, stream)
    damaged = {5, 12, 20, 30, 40, 44}
    expected = [i for i in range(60) if i not in damaged]
    assert [f.sequence - 1000 for f in frames] == expected
    for f in frames:
        assert np.array_equal(f.samples, data[f.sequence - 1000])   # nothing corrupt gets through
    assert parser.stats.lost_frames == len(damaged) and parser.stats.restarts == 0
    # Each damaged frame leaves a gap of one frame. Frame 47 has the next sequence number, but it follows
    # 204 garbage bytes: a restart could hide in them, so it is not taken as a continuation either.
    gaps = [(g["sequence"] - 1000, g["lost_frames"]) for g in parser.stats.gaps]
    assert gaps == [(6, 1), (13, 1), (21, 1), (31, 1), (41, 1), (45, 1), (47, 0)]
    assert parser.stats.gaps[-1]["discarded_bytes"] == 204 and not parser.stats.gaps[-1]["restart"]
    assert all(f.discontinuity == (f.sequence - 1000 in {6, 13, 21, 31, 41, 45, 47}) for f in frames)


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


def test_frame_ending_in_the_first_sync_byte_skips_nothing():
    """A frame whose last CRC byte is 0xEB (the first sync byte) must not count -1 skipped bytes."""
    seed = next(s for s in range(10_000)
                if protocol.encode_frame(np.random.default_rng(s).integers(-32768, 32768, (16, 2)),
                                         sample_rate_hz=RATE, sequence=7)[-1] == protocol.SYNC[0])
    wire = protocol.encode_frame(np.random.default_rng(seed).integers(-32768, 32768, (16, 2)),
                                 sample_rate_hz=RATE, sequence=7)
    parser = FrameParser()
    assert len(parser.feed(wire)) == 1
    assert parser.stats.bytes_skipped == 0
    assert parser.pending_bytes == 0
    # The held-back byte is still a possible sync start: the next frame locks normally.
    _, more = _frames(2, first_seq=8, seed=seed + 1)
    assert [f.sequence for f in parser.feed(b"".join(more))] == [8, 9]
    assert parser.stats.bytes_skipped == 0


def _boots(first_boot_frames, second_boot_frames, damaged_second=()):
    """The board runs for ``first_boot_frames`` frames, restarts (its sequence starts again at 0), then
    sends ``second_boot_frames`` frames, of which ``damaged_second`` arrive with a flipped payload bit."""
    a, wire_a = _frames(first_boot_frames, first_seq=0, seed=21)
    b, wire_b = _frames(second_boot_frames, first_seq=0, seed=22)
    wire_b = [bytearray(w) for w in wire_b]
    for i in damaged_second:
        wire_b[i][30] ^= 0x01
    return a, b, b"".join(wire_a) + b"".join(bytes(w) for w in wire_b)


@pytest.mark.parametrize("last_before_restart", [0, 3, 16])
def test_restart_with_a_small_sequence_keeps_every_frame(last_before_restart):
    """A restart while the last sequence number is <= 16: every frame of the new boot is kept, the first
    one is flagged as a restart (a discontinuity), and nothing is counted as lost."""
    a, b, stream = _boots(last_before_restart + 1, 25)
    parser = FrameParser()
    frames = _feed_in_chunks(parser, stream)
    assert [f.sequence for f in frames] == list(range(len(a))) + list(range(25))
    got = [f.samples for f in frames]
    assert all(np.array_equal(g, d) for g, d in zip(got, a + b, strict=True))
    flagged = [i for i, f in enumerate(frames) if f.discontinuity]
    assert flagged == [len(a)] and frames[len(a)].restart
    assert parser.stats.restarts == 1 and parser.stats.lost_frames == 0


def test_restart_whose_first_frames_were_damaged_is_still_a_discontinuity():
    """The new boot's frames 0..11 are damaged, so its first good frame (sequence 12) carries the number the
    old boot would have sent next: it must not be spliced onto the old boot's last frame."""
    a, b, stream = _boots(12, 20, damaged_second=range(12))
    parser = FrameParser()
    frames = _feed_in_chunks(parser, stream)
    assert [f.sequence for f in frames] == list(range(12)) + list(range(12, 20))
    assert frames[12].discontinuity
    assert [i for i, f in enumerate(frames) if f.discontinuity] == [12]


def _silent_frames(count, *, boot, samples=16, channels=2):
    return [protocol.encode_frame(np.zeros((samples, channels), np.int16), sample_rate_hz=RATE, sequence=i,
                                  boot=boot) for i in range(count)]


def test_reset_right_after_frame_0_with_silent_inputs_is_flagged():
    """The board sends frame 0 while its inputs are silent, is configured again (a power cycle or a re-flash:
    the same boot identifier) and sends frames 0, 1, 2, silent too. Its new frame 0 is byte-identical to the
    old one, but the link never delivers a frame twice: it is the new boot's first frame, kept and flagged
    as a restart, so the capture starts a new file there."""
    old, new = _silent_frames(1, boot=1), _silent_frames(3, boot=1)
    assert new[0] == old[0]
    parser = FrameParser()
    frames = _feed_in_chunks(parser, b"".join(old + new))
    assert [f.sequence for f in frames] == [0, 0, 1, 2]
    assert [f.discontinuity for f in frames] == [False, True, False, False]
    assert frames[1].restart and frames[1].lost_before is None
    assert parser.stats.restarts == 1 and parser.stats.lost_frames == 0 and parser.stats.frames == 4


@pytest.mark.parametrize("old_boot,new_boot", [(0, 1), (7, 8), (0xFFFF, 0)])
def test_a_new_boot_identifier_is_a_restart_even_with_the_next_sequence_number(old_boot, new_boot):
    """A reset that keeps the FPGA configured (the reset button) advances the boot identifier. If the new
    boot's frames 0..4 were lost whole, exactly at frame boundaries, its frame 5 carries the number the old
    boot would have sent next and no byte was discarded: only the boot identifier tells the restart."""
    old = _silent_frames(5, boot=old_boot)
    new = _silent_frames(8, boot=new_boot)[5:]
    parser = FrameParser()
    frames = _feed_in_chunks(parser, b"".join(old + new))
    assert [f.sequence for f in frames] == list(range(8))
    assert [f.boot for f in frames] == [old_boot] * 5 + [new_boot] * 3
    assert [i for i, f in enumerate(frames) if f.discontinuity] == [5]
    assert frames[5].restart and frames[5].discarded_bytes == 0
    assert parser.stats.restarts == 1 and parser.stats.lost_frames == 0


def test_header_layout():
    """The header fields at the offsets protocol.py documents (little endian), the CRC over everything after
    the sync word, most significant byte first."""
    wire = protocol.encode_frame(np.array([[1, -2]]), sample_rate_hz=96_000, sequence=0x01020304, overrun=5,
                                 boot=0xA1B2)
    assert protocol.HEADER_BYTES == 18 and len(wire) == protocol.frame_bytes(2, 1) == 18 + 4 + 2
    assert wire[:2] == b"\xEB\x90" and wire[2] == 3 and wire[3] == 2
    assert wire[4:6] == b"\x01\x00" and wire[6:10] == (96_000).to_bytes(4, "little")
    assert wire[10:14] == b"\x04\x03\x02\x01" and wire[14:16] == b"\x05\x00" and wire[16:18] == b"\xB2\xA1"
    assert wire[18:22] == b"\x01\x00\xFE\xFF"
    assert wire[22:] == protocol.crc16_ccitt(wire[2:22]).to_bytes(2, "big")
