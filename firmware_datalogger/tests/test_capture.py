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


def _listing(out):
    manifest = json.loads((out / "manifest.json").read_text())
    log = json.loads((out / "capture_log.json").read_text())
    return manifest, log


def test_a_stream_that_stops_keeps_its_take_and_the_next_capture_appends(tmp_path, capsys):
    """Frames, then silence (the cable pulled, the board power-cycled): the capture ends after --timeout with
    an error, but the take is saved and listed with why it stopped. A second capture into the same folder
    adds a second take beside it; both survive, each listed once."""
    out = tmp_path / "osc"
    first, wire1 = _stream(8, seed=3)
    second, wire2 = _stream(5, seed=4)
    for wire in (wire1, wire2):
        pty = _Pty()
        try:
            pty.write_later(wire, delay=0.1)
            assert main(["capture", "--port", pty.path, "--seconds", "100", "--out", str(out), "--timeout",
                         "0.5"]) == 1
        finally:
            pty.close()
        err = capsys.readouterr().err
        assert "the capture stopped before 100 s" in err and "stream from" in err and "stopped" in err
    assert np.array_equal(_read_wav(out / "osc.wav"), np.concatenate(first))
    assert np.array_equal(_read_wav(out / "osc_2.wav"), np.concatenate(second))
    manifest, log = _listing(out)
    assert [(f["path"], f["segment"]) for f in manifest["files"]] == [("osc.wav", "osc"), ("osc_2.wav", "osc_2")]
    assert sorted(log) == ["osc", "osc_2"]
    for take, data in (("osc", first), ("osc_2", second)):
        assert log[take]["interrupted"] and "stopped: no data for 0.5 s" in log[take]["stopped_by"]
        assert log[take]["segment_samples"] == [sum(len(d) for d in data)]


def test_a_serial_error_keeps_the_take(tmp_path):
    """The port fails mid-take (pyserial raises SerialException when the adapter disappears)."""
    import serial

    data, wire = _stream(6, seed=5)

    class FailingPort(_ListPort):
        def read(self, n):
            if not self.chunks:
                raise serial.SerialException("device reports readiness to read but returned no data")
            return self.chunks.pop(0)

    result = capture("/dev/ttyUSB1", 100.0, tmp_path / "t", serial_port=FailingPort(wire), progress=False)
    assert result.interrupted and result.stopped_by.startswith("reading /dev/ttyUSB1 failed: device reports")
    assert np.array_equal(_read_wav(tmp_path / "t" / "t.wav"), np.concatenate(data))
    manifest, log = _listing(tmp_path / "t")
    assert [f["path"] for f in manifest["files"]] == ["t.wav"] and log["t"]["stopped_by"] == result.stopped_by


def test_ctrl_c_before_the_first_frame_saves_nothing_and_says_so(tmp_path):
    with pytest.raises(CaptureError, match=r"interrupted \(Ctrl-C\) before the first valid frame arrived"):
        capture("fake", 1.0, tmp_path / "t", serial_port=_ListPort(b""), progress=False)
    assert not (tmp_path / "t").exists()


_FULL_DISK = """
import json, resource, sys
import numpy as np
from firmware_datalogger.capture import capture
from firmware_datalogger.tests.test_capture import _ListPort, _stream

_, wire = _stream(20, seed=6)
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[2]), resource.RLIM_INFINITY))
result = capture("fake", 100.0, sys.argv[1], serial_port=_ListPort(wire), progress=False)
print(json.dumps({"stopped_by": result.stopped_by, "samples": result.samples}))
"""


def test_a_full_disk_keeps_what_reached_it(tmp_path):
    """No file may grow beyond 2144 bytes (RLIMIT_FSIZE, in a child process): the WAV's writes fail part way
    through a frame, as on a full disk. The capture stops there; the WAV holds exactly the whole sample
    vectors that reached the disk, with a header that says so, and the (small) manifest and log list it."""
    import subprocess
    import sys

    limit = 2144  # the 44-byte header, 5 frames of 50 x 4 channels (400 bytes each) and 100 bytes of the 6th
    run = subprocess.run([sys.executable, "-c", _FULL_DISK, str(tmp_path / "t"), str(limit)], capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    reported = json.loads(run.stdout.splitlines()[-1])
    assert reported["stopped_by"].startswith(f"writing {tmp_path / 't' / 't.wav'} failed: [Errno 27]")
    data, _ = _stream(20, seed=6)
    kept = (limit - 44) // 8  # whole 4-channel int16 vectors: 262 = 5 frames and 12 samples of the 6th
    assert reported["samples"] == kept == 262
    assert (tmp_path / "t" / "t.wav").stat().st_size == 44 + 8 * kept
    assert np.array_equal(_read_wav(tmp_path / "t" / "t.wav"), np.concatenate(data)[:kept])
    manifest, log = _listing(tmp_path / "t")
    assert [f["path"] for f in manifest["files"]] == ["t.wav"] and log["t"]["segment_samples"] == [kept]


def test_a_capture_never_overwrites_a_file(tmp_path):
    """A WAV left without a manifest (a capture that ended before this version listed its takes) keeps its
    bytes: the new take is named past it. A --segment whose file exists is refused, naming the file."""
    out = tmp_path / "osc"
    out.mkdir()
    (out / "osc.wav").write_bytes(b"an earlier take")
    (out / "osc_2_part2.wav").write_bytes(b"part of another")
    data, wire = _stream(4, seed=7)
    result = capture("fake", 100.0, out, serial_port=_ListPort(wire), progress=False)
    assert result.take == "osc_3"
    assert (out / "osc.wav").read_bytes() == b"an earlier take"
    assert (out / "osc_2_part2.wav").read_bytes() == b"part of another"
    assert np.array_equal(_read_wav(out / "osc_3.wav"), np.concatenate(data))
    with pytest.raises(CaptureError, match=r"osc\.wav already exists and a capture never overwrites a file"):
        capture("fake", 1.0, out, segment="osc", serial_port=_ListPort(wire), progress=False)
    with pytest.raises(CaptureError, match=r"segment 'osc_3' already exists in .*manifest\.json"):
        capture("fake", 1.0, out, segment="osc_3", serial_port=_ListPort(wire), progress=False)
    assert [f["path"] for f in _listing(out)[0]["files"]] == ["osc_3.wav"]
