"""capture: pty-backed serial port -> WAV segments + manifest; clear errors; Ctrl-C keeps the data."""

import json
import os
import threading
import time
import wave

import numpy as np
import pytest

from firmware_datalogger import protocol
from firmware_datalogger.__main__ import main
from firmware_datalogger.capture import CaptureError, capture

RATE = 2000  # a slow stream keeps the test short; the header carries the rate


def _stream(frames, channels=4, samples=50, damaged=(), seed=0):
    rng = np.random.default_rng(seed)
    data = [rng.integers(-30000, 30000, (samples, channels)).astype(np.int16) for _ in range(frames)]
    out = bytearray()
    for i, d in enumerate(data):
        w = bytearray(protocol.encode_frame(d, sample_rate_hz=RATE, sequence=i))
        if i in damaged:
            w[20] ^= 0x04
        out += w
    return data, bytes(out)


def _read_wav(path):
    with wave.open(str(path), "rb") as w:
        assert w.getsampwidth() == 2 and w.getframerate() == RATE
        return np.frombuffer(w.readframes(w.getnframes()), "<i2").reshape(-1, w.getnchannels())


class _Pty:
    """A pty pair: the test writes the 'board' side, capture opens the slave path like /dev/ttyUSB1."""

    def __init__(self):
        import tty

        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        self.path = os.ttyname(self.slave)

    def write_later(self, data, delay=0.2, chunk=4096):
        def run():
            time.sleep(delay)
            for i in range(0, len(data), chunk):
                try:
                    os.write(self.master, data[i:i + chunk])
                except OSError:  # the test already finished and closed the pty: nobody is listening
                    return
                time.sleep(0.001)
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread

    def close(self):
        os.close(self.master)
        os.close(self.slave)


@pytest.fixture
def pty():
    p = _Pty()
    yield p
    p.close()


def test_cli_capture_over_pty_writes_wav_and_manifest(pty, tmp_path, capsys):
    data, stream = _stream(30, damaged={12})
    pty.write_later(stream)
    out = tmp_path / "take1"
    seconds = 20 * 50 / RATE  # 20 of the 29 good frames
    assert main(["capture", "--port", pty.path, "--seconds", str(seconds), "--out", str(out),
                 "--channels", "core,sine,square,ramp", "--timeout", "5"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["format"] == "waveshaper-recording/1"
    assert manifest["sample_rate_hz"] == RATE and manifest["volts_full_scale"] == 8.192
    assert manifest["dropped_frames"] == 1
    assert manifest["files"] == [
        {"path": "take1.wav", "segment": "take1", "channels": ["core", "sine", "square", "ramp"]},
        {"path": "take1_part2.wav", "segment": "take1", "channels": ["core", "sine", "square", "ramp"],
         "gap_before": {"sequence": 13, "lost_frames": 1, "overrun_samples": 0, "lost_samples": 50, "restart": False,
                        "discarded_bytes": protocol.frame_bytes(4, 50)}}]
    assert manifest["calibration"]["counts_per_volt"] == 4000
    # The damaged frame 12 is in neither file and the audio is not spliced across it.
    assert np.array_equal(_read_wav(out / "take1.wav"), np.concatenate(data[:12]))
    assert np.array_equal(_read_wav(out / "take1_part2.wav"), np.concatenate(data[13:21]))
    log = json.loads((out / "capture_log.json").read_text())["take1"]
    assert log["lost_frames"] == 1 and log["crc_errors"] >= 1


def test_keyboard_interrupt_saves_what_arrived(tmp_path):
    data, stream = _stream(10)

    class InterruptingPort:
        def __init__(self):
            self.chunks = [stream[i:i + 500] for i in range(0, 6 * len(stream) // 10, 500)]
            self.in_waiting = 500

        def read(self, n):
            if not self.chunks:
                raise KeyboardInterrupt
            return self.chunks.pop(0)

    result = capture("fake", 100.0, tmp_path / "cut", serial_port=InterruptingPort(), progress=False)
    assert result.interrupted
    got = _read_wav(tmp_path / "cut" / "cut.wav")
    assert len(got) > 0 and len(got) % 50 == 0
    assert np.array_equal(got, np.concatenate(data[: len(got) // 50]))
    assert json.loads((tmp_path / "cut" / "manifest.json").read_text())["dropped_frames"] == 0


def test_missing_port_is_a_clear_error(tmp_path):
    with pytest.raises(CaptureError, match="cannot open serial port"):
        capture("/dev/does-not-exist-ttyUSB9", 1.0, tmp_path / "x", progress=False)


def test_no_data_times_out(pty, tmp_path):
    with pytest.raises(CaptureError, match="no data"):
        capture(pty.path, 1.0, tmp_path / "x", timeout=0.5, progress=False)


def test_garbage_stream_is_rejected(pty, tmp_path):
    pty.write_later(bytes(np.random.default_rng(0).integers(0, 256, 20000).astype(np.uint8)), delay=0.0)
    with pytest.raises(CaptureError, match="no valid datalogger frame"):
        capture(pty.path, 1.0, tmp_path / "x", timeout=0.8, progress=False)


def test_channel_roles_must_match_stream(pty, tmp_path):
    _, stream = _stream(4, channels=2)
    pty.write_later(stream)
    assert main(["capture", "--port", pty.path, "--seconds", "0.05", "--out", str(tmp_path / "y"),
                 "--channels", "core,sine,square", "--timeout", "3"]) == 2


def test_bad_roles_rejected_before_opening_the_port(tmp_path):
    assert main(["capture", "--port", "/dev/nonexistent", "--out", str(tmp_path / "z"),
                 "--channels", "core,triangle"]) == 2


class _ListPort:
    """A serial port that hands out ``data`` in fixed chunks, then reports the end with Ctrl-C."""

    def __init__(self, data, chunk=333):
        self.chunks = [data[i:i + chunk] for i in range(0, len(data), chunk)]
        self.in_waiting = chunk

    def read(self, n):
        if not self.chunks:
            raise KeyboardInterrupt
        return self.chunks.pop(0)


def test_every_gap_and_restart_starts_a_new_file_recorded_in_the_manifest(tmp_path):
    """Boot 1: frames 0..9 with frame 4 damaged. Then the board restarts (sequence back to 0) and sends
    frames 0..5. Nothing is refused or spliced: three contiguous WAVs of one take, and the manifest says
    what lies before the second and third file (1 lost frame = 50 samples; a restart, length unknown)."""
    first, wire1 = _stream(10, damaged={4}, seed=1)
    second, wire2 = _stream(6, seed=2)
    result = capture("fake", 100.0, tmp_path / "t", serial_port=_ListPort(wire1 + wire2), progress=False)
    assert result.interrupted
    manifest = json.loads((tmp_path / "t" / "manifest.json").read_text())
    files = manifest["files"]
    assert [f["path"] for f in files] == ["t.wav", "t_part2.wav", "t_part3.wav"]
    assert {f["segment"] for f in files} == {"t"}
    assert np.array_equal(_read_wav(tmp_path / "t" / "t.wav"), np.concatenate(first[:4]))
    assert np.array_equal(_read_wav(tmp_path / "t" / "t_part2.wav"), np.concatenate(first[5:]))
    assert np.array_equal(_read_wav(tmp_path / "t" / "t_part3.wav"), np.concatenate(second))
    assert "gap_before" not in files[0]
    assert files[1]["gap_before"] == {"sequence": 5, "lost_frames": 1, "overrun_samples": 0, "lost_samples": 50,
                                      "restart": False, "discarded_bytes": protocol.frame_bytes(4, 50)}
    assert files[2]["gap_before"] == {"sequence": 0, "lost_frames": None, "overrun_samples": 0,
                                      "lost_samples": None, "restart": True, "discarded_bytes": 0}
    assert manifest["dropped_frames"] == 1
    log = json.loads((tmp_path / "t" / "capture_log.json").read_text())["t"]
    assert log["restarts"] == 1 and log["lost_frames"] == 1
