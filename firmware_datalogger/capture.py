"""``capture``: read the datalogger's serial stream into int16 WAV segments plus a training manifest.

Output directory ``OUT`` (e.g. ``captures/take1``) holds:
- ``take1.wav`` (and ``take1_part2.wav``, ... after each gap): multichannel int16 WAVs. A gap (lost or
  damaged frames, a gateware overrun, a board restart) always starts a new file, so no WAV ever splices
  audio across missing samples and nothing is filled in; a capture with gaps is kept, not refused. All
  parts keep the take's ``segment`` name, so the training split never puts pieces of one take on both
  sides. The manifest entry of every file after a gap records it (``gap_before``, see :func:`gap_record`);
- ``manifest.json``: ``waveshaper-recording/1`` (the format of :mod:`train.recorded`, which reads it for
  ``train.dataset.load_splits(config, data=...)``).
  Capturing again into the same directory *appends* a new take (segment ``<dir>_2``, ``<dir>_3``, ... or
  ``--segment``): a training set needs several takes, because it is split by take;
- ``capture_log.json``: the parser's full accounting per take (CRC errors, skipped bytes, gaps, duplicates).

Ctrl-C (KeyboardInterrupt) stops the capture and still closes the WAVs and writes both JSON files.
"""

from __future__ import annotations

import json
import time
import wave
from dataclasses import dataclass, field
from pathlib import Path

from boards.eurorack_pmod.samples import CODEC_MAX, COUNTS_PER_VOLT, FULL_SCALE_VOLTS
from train.recorded import MANIFEST_FORMAT, RECORDING_ROLES, make_manifest

from .parser import Frame, FrameParser
from .protocol import OVERRUN_UNKNOWN

__all__ = ["DEFAULT_ROLES", "CaptureError", "CaptureResult", "capture", "gap_record", "open_port", "parse_roles"]

#: Roles of the recorded channels when ``--channels`` is not given.
DEFAULT_ROLES = ("core", "sine", "square", "ramp")


class CaptureError(RuntimeError):
    """A capture that cannot start or cannot continue (no port, no data, not a datalogger stream)."""


def parse_roles(text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    roles = tuple(r.strip() for r in text.split(",") if r.strip())
    bad = [r for r in roles if r not in RECORDING_ROLES]
    if bad or not 1 <= len(roles) <= 4:
        raise CaptureError(f"--channels takes 1-4 comma-separated roles from {', '.join(RECORDING_ROLES)}; "
                           f"got {text!r}")
    named = [r for r in roles if r != "unused"]
    if len(set(named)) != len(named):
        raise CaptureError(f"--channels names a role twice: {text!r}")
    return roles


def open_port(port: str, baud: int, read_timeout: float = 0.05):
    """Open a serial device or a pyserial URL (``loop://``, ``socket://``...) with a clear error."""
    import serial

    try:
        return serial.serial_for_url(port, baudrate=baud, timeout=read_timeout)
    except (serial.SerialException, OSError, ValueError) as exc:
        raise CaptureError(f"cannot open serial port {port!r}: {exc}. Is the board plugged in and the port right? "
                           "(list ports with: python -m serial.tools.list_ports; the ECPIX-5 UART is usually the "
                           "FTDI's second interface, /dev/ttyUSB1)") from exc


@dataclass
class CaptureResult:
    out_dir: Path
    manifest: Path
    files: list[Path] = field(default_factory=list)
    samples: int = 0
    sample_rate_hz: int = 0
    interrupted: bool = False
    stats: dict = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return self.samples / self.sample_rate_hz if self.sample_rate_hz else 0.0


def gap_record(frame: Frame) -> dict:
    """What lies before ``frame`` (a discontinuity), as the manifest's ``gap_before`` records it:
    ``sequence`` of the frame, ``lost_frames`` (missing sequence numbers), ``overrun_samples`` (discarded by
    the gateware just before it), ``lost_samples`` (per channel, in all: N per lost frame plus the overrun,
    since an overrun before a lost frame was in that frame's header; None when unknown: a restart or a
    saturated overrun count), ``restart`` (the board restarted) and ``discarded_bytes`` (damaged or garbage
    bytes received in between)."""
    gap = frame.gap()
    known = gap["lost_frames"] is not None and frame.overrun != OVERRUN_UNKNOWN
    gap["lost_samples"] = gap["lost_frames"] * len(frame.samples) + frame.overrun if known else None
    return gap


class _SegmentWriter:
    """One WAV per contiguous run of frames; every part belongs to the same take (segment)."""

    def __init__(self, out_dir: Path, segment: str, roles: tuple[str, ...], taken: set[str]):
        self.out_dir, self.segment, self.roles, self.taken = out_dir, segment, roles, taken
        self.entries: list[dict] = []
        self.paths: list[Path] = []
        self.frames_written: list[int] = []
        self._wav = None

    def new_segment(self, channels: int, rate: int, gap: dict | None = None) -> None:
        self.close()
        index = len(self.entries) + 1
        name = self.segment if index == 1 else f"{self.segment}_part{index}"
        path = self.out_dir / f"{name}.wav"
        if path.name in self.taken:
            raise CaptureError(f"{path} is already listed in {self.out_dir / 'manifest.json'}")
        self._wav = wave.open(str(path), "wb")
        self._wav.setnchannels(channels)
        self._wav.setsampwidth(2)
        self._wav.setframerate(rate)
        entry = {"path": path.name, "segment": self.segment, "channels": list(self.roles)}
        if gap is not None:
            entry["gap_before"] = gap
        self.entries.append(entry)
        self.paths.append(path)
        self.frames_written.append(0)

    def write(self, samples) -> None:
        self._wav.writeframes(samples.astype("<i2").tobytes())
        self.frames_written[-1] += len(samples)

    def close(self) -> None:
        if self._wav is not None:
            self._wav.close()
            self._wav = None


def _existing(out_dir: Path) -> dict | None:
    path = out_dir / "manifest.json"
    if not path.exists():
        return None
    try:
        manifest = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise CaptureError(f"{path} exists but is not valid JSON ({exc}); move it away first") from exc
    if manifest.get("format") != MANIFEST_FORMAT or not isinstance(manifest.get("files"), list):
        raise CaptureError(f"{path} exists but is not a {MANIFEST_FORMAT} manifest; move it away first")
    return manifest


def _take_name(out_dir: Path, previous: dict | None, requested: str | None) -> str:
    used = {f.get("segment") for f in previous["files"]} if previous else set()
    if requested:
        if requested in used:
            raise CaptureError(f"segment {requested!r} already exists in {out_dir / 'manifest.json'}")
        return requested
    name, k = out_dir.name, 1
    while name in used:
        k += 1
        name = f"{out_dir.name}_{k}"
    return name


def _manifest(rate: int, entries: list[dict], dropped: int) -> dict:
    """The samples are the driver's calibrated counts (``boards/eurorack_pmod/samples.py``)."""
    return make_manifest(rate, FULL_SCALE_VOLTS, entries, dropped_frames=dropped, calibration={
        "counts_per_volt": COUNTS_PER_VOLT, "full_scale_counts": CODEC_MAX,
        "source": "eurorack-pmod codec driver default calibration (not per unit; within about 50-100 mV, "
                  "see docs/eurorack-pmod.md §8)"})


def capture(port: str, seconds: float, out: str | Path, *, roles: tuple[str, ...] | None = None,
            baud: int = 12_000_000, timeout: float = 3.0, progress: bool = True, serial_port=None,
            chunk: int = 65536, segment: str | None = None) -> CaptureResult:
    """Record ``seconds`` of audio (counted in samples received, so lost frames extend the capture)."""
    from tqdm import tqdm

    if seconds <= 0:
        raise CaptureError(f"--seconds must be positive, got {seconds}")
    out_dir = Path(out)
    previous = _existing(out_dir)
    take = _take_name(out_dir, previous, segment)
    ser = serial_port if serial_port is not None else open_port(port, baud)
    parser = FrameParser()
    out_dir.mkdir(parents=True, exist_ok=True)
    writer: _SegmentWriter | None = None
    result = CaptureResult(out_dir, out_dir / "manifest.json")
    bar = None
    start = time.monotonic()
    last_data = start
    target = None
    try:
        while target is None or result.samples < target:
            data = ser.read(chunk if ser.in_waiting > chunk else max(ser.in_waiting, 1))
            now = time.monotonic()
            if data:
                last_data = now
            if not parser.locked and now - start > timeout:
                if parser.bytes_seen == 0:
                    raise CaptureError(f"no data from {port} within {timeout:g} s: is the datalogger bitstream "
                                       "loaded (make datalogger, then flash it) and is this the board's UART?")
                raise CaptureError(f"received {parser.bytes_seen} bytes from {port} in {timeout:g} s but no valid "
                                   "datalogger frame: wrong bitstream, wrong port, or a baud rate that does not "
                                   "match the bitstream's")
            if parser.locked and now - last_data > timeout:
                raise CaptureError(f"the stream from {port} stopped: no data for {timeout:g} s after "
                                   f"{result.seconds:.2f} s of audio")
            for frame in parser.feed(data):
                channels = frame.samples.shape[1]
                if writer is None:
                    if roles is None:
                        roles = DEFAULT_ROLES[:channels] if channels <= len(DEFAULT_ROLES) else None
                    if len(roles) != channels:
                        raise CaptureError(f"the stream carries {channels} channels but --channels names "
                                           f"{len(roles)} ({','.join(roles)}); name one role per recorded input")
                    if previous and previous.get("sample_rate_hz") != frame.sample_rate_hz:
                        raise CaptureError(f"the stream runs at {frame.sample_rate_hz} Hz but {out_dir} holds "
                                           f"takes at {previous.get('sample_rate_hz')} Hz; use another --out")
                    result.sample_rate_hz = frame.sample_rate_hz
                    target = round(seconds * frame.sample_rate_hz)
                    writer = _SegmentWriter(out_dir, take, roles,
                                            {f.get("path") for f in previous["files"]} if previous else set())
                    writer.new_segment(channels, frame.sample_rate_hz)
                    if progress:
                        bar = tqdm(total=round(seconds, 3), unit="s", desc=f"capture {channels} ch "
                                   f"@ {frame.sample_rate_hz / 1e3:g} kHz", bar_format="{l_bar}{bar}| "
                                   "{n:.2f}/{total:.2f} s [{elapsed}<{remaining}]{postfix}")
                elif frame.discontinuity:
                    writer.new_segment(channels, frame.sample_rate_hz, gap_record(frame))
                samples = frame.samples[: target - result.samples]
                writer.write(samples)
                result.samples += len(samples)
                if bar is not None:
                    bar.update(min(bar.total, result.samples / frame.sample_rate_hz) - bar.n)
                    s = parser.stats
                    bar.set_postfix(lost=s.lost_frames, crc=s.crc_errors, refresh=False)
                if result.samples >= target:
                    break
    except KeyboardInterrupt:
        result.interrupted = True
    finally:
        if bar is not None:
            bar.close()
        if writer is not None:
            writer.close()
        if serial_port is None:
            ser.close()
    if writer is not None:
        result.files = list(writer.paths)
        stats = parser.stats.as_dict()
        stats["trailing_bytes"] = parser.pending_bytes
        stats["segment_samples"] = writer.frames_written
        stats["interrupted"] = result.interrupted
        result.stats = stats
        entries, dropped = writer.entries, parser.stats.lost_frames
        if previous:
            entries = previous["files"] + entries
            dropped += int(previous.get("dropped_frames", 0))
        result.manifest.write_text(json.dumps(_manifest(result.sample_rate_hz, entries, dropped), indent=2) + "\n")
        log_path = out_dir / "capture_log.json"
        log = json.loads(log_path.read_text()) if previous and log_path.exists() else {}
        log[take] = stats
        log_path.write_text(json.dumps(log, indent=2) + "\n")
    elif result.interrupted:
        raise CaptureError("interrupted before the first valid frame arrived; nothing to save")
    return result
