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
- ``capture_log.json``: the parser's full accounting per take (CRC errors, skipped bytes, gaps, restarts)
  and what ended it (``stopped_by``, null when it recorded all it was asked for).

Nothing recorded is lost: however a capture ends (the requested length reached, Ctrl-C, a stream that
stops because the cable was pulled or the board was power-cycled or re-flashed, a serial error, a full
disk), the WAVs hold every sample that reached the disk (:mod:`.wav_file`) and both JSON files list them.
The JSON files are replaced whole (written beside, then renamed), so a failed write leaves the previous
ones intact. And nothing is overwritten: a take never gets a name whose files exist, listed or not, and
every WAV is created exclusively.
"""

from __future__ import annotations

import json
import math
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from boards.eurorack_pmod.samples import CODEC_MAX, COUNTS_PER_VOLT, FULL_SCALE_VOLTS
from train.recorded import MANIFEST_FORMAT, RECORDING_ROLES, make_manifest

from .parser import Frame, FrameParser
from .protocol import OVERRUN_UNKNOWN
from .wav_file import Int16WavWriter

__all__ = ["DEFAULT_ROLES", "INTERRUPTED", "CaptureError", "CaptureResult", "capture", "gap_record", "open_port",
           "parse_roles"]

#: Roles of the recorded channels when ``--channels`` is not given.
DEFAULT_ROLES = ("core", "sine", "square", "ramp")


class CaptureError(RuntimeError):
    """A capture that cannot start (no port, no data, not a datalogger stream, a name already taken), or
    whose recording could not be listed."""


class _StreamEnded(Exception):
    """The recording cannot go on (the stream stopped, the port failed, a file could not be written):
    what was recorded is saved and the reason recorded."""


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
    """``interrupted``: the capture ended before ``seconds`` were recorded, for the reason in
    ``stopped_by`` (Ctrl-C, the stream stopped, a serial or a disk error)."""

    out_dir: Path
    manifest: Path
    take: str = ""
    files: list[Path] = field(default_factory=list)
    samples: int = 0
    sample_rate_hz: int = 0
    interrupted: bool = False
    stopped_by: str | None = None
    stats: dict = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return self.samples / self.sample_rate_hz if self.sample_rate_hz else 0.0


#: ``stopped_by`` of a capture ended by Ctrl-C (the user's choice, not an error).
INTERRUPTED = "interrupted (Ctrl-C)"


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

    def __init__(self, out_dir: Path, segment: str, roles: tuple[str, ...]):
        self.out_dir, self.segment, self.roles = out_dir, segment, roles
        self.entries: list[dict] = []
        self.paths: list[Path] = []
        self.samples: list[int] = []  # per part: counted as written, then what the closed file holds
        self._wav: Int16WavWriter | None = None

    def new_segment(self, channels: int, rate: int, gap: dict | None = None) -> None:
        self.close()
        index = len(self.entries) + 1
        name = self.segment if index == 1 else f"{self.segment}_part{index}"
        path = self.out_dir / f"{name}.wav"
        try:
            self._wav = Int16WavWriter(path, channels, rate)
        except FileExistsError as exc:
            raise _StreamEnded(f"{path} already exists (a capture never overwrites a file)") from exc
        except OSError as exc:
            raise _StreamEnded(f"cannot create {path}: {exc}") from exc
        entry = {"path": path.name, "segment": self.segment, "channels": list(self.roles)}
        if gap is not None:
            entry["gap_before"] = gap
        self.entries.append(entry)
        self.paths.append(path)
        self.samples.append(0)

    def write(self, samples) -> None:
        try:
            self._wav.write(samples)
        except OSError as exc:
            raise _StreamEnded(f"writing {self._wav.path} failed: {exc}") from exc
        self.samples[-1] += len(samples)

    def close(self) -> str | None:
        """Finish the current file; returns the error if its header could not be finished."""
        if self._wav is None:
            return None
        wav, self._wav = self._wav, None
        try:
            self.samples[-1] = wav.close()
        except OSError as exc:
            return f"finishing {wav.path} failed: {exc}"
        return None

    def kept(self) -> tuple[list[dict], list[Path], list[int]]:
        """The parts holding samples; files left empty (a write failed at once) are removed."""
        parts = [(e, p, n) for e, p, n in zip(self.entries, self.paths, self.samples, strict=True) if n > 0]
        for path, n in zip(self.paths, self.samples, strict=True):
            if n == 0:
                path.unlink(missing_ok=True)
        return [e for e, _, _ in parts], [p for _, p, _ in parts], [n for _, _, n in parts]


def _read_json(path: Path, what: str) -> dict | None:
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CaptureError(f"{path} exists but is not valid JSON ({exc}); move it away first") from exc
    if not isinstance(data, dict):
        raise CaptureError(f"{path} exists but is not {what}; move it away first")
    return data


def _existing(out_dir: Path) -> dict | None:
    path = out_dir / "manifest.json"
    manifest = _read_json(path, f"a {MANIFEST_FORMAT} manifest")
    if manifest is not None and (manifest.get("format") != MANIFEST_FORMAT
                                 or not isinstance(manifest.get("files"), list)):
        raise CaptureError(f"{path} exists but is not a {MANIFEST_FORMAT} manifest; move it away first")
    return manifest


def _files_of(out_dir: Path, take: str) -> list[Path]:
    """The files a take of this name would write (``take.wav``, ``take_partK.wav``) that already exist."""
    if not out_dir.is_dir():
        return []
    pattern = re.compile(re.escape(take) + r"(_part\d+)?\.wav")
    return sorted(p for p in out_dir.iterdir() if pattern.fullmatch(p.name))


def _take_name(out_dir: Path, used: set[str], requested: str | None) -> str:
    """``requested``, or the directory's name (then ``_2``, ``_3``...), whichever names no take in the
    manifest or the log and no existing file."""
    if requested:
        if requested in used:
            raise CaptureError(f"segment {requested!r} already exists in {out_dir / 'manifest.json'} or "
                               f"{out_dir / 'capture_log.json'}")
        clash = _files_of(out_dir, requested)
        if clash:
            raise CaptureError(f"{clash[0]} already exists and a capture never overwrites a file: choose another "
                               f"--segment or move the file away")
        return requested
    base = out_dir.resolve().name or "take"
    name, k = base, 1
    while name in used or _files_of(out_dir, name):
        k += 1
        name = f"{base}_{k}"
    return name


def _manifest(rate: int, entries: list[dict], dropped: int) -> dict:
    """The samples are the driver's calibrated counts (``boards/eurorack_pmod/samples.py``)."""
    return make_manifest(rate, FULL_SCALE_VOLTS, entries, dropped_frames=dropped, calibration={
        "counts_per_volt": COUNTS_PER_VOLT, "full_scale_counts": CODEC_MAX,
        "source": "eurorack-pmod codec driver default calibration (not per unit; within about 50-100 mV, "
                  "see docs/eurorack-pmod.md §8)"})


def _replace_json(path: Path, data: dict) -> None:
    """Write ``data`` beside ``path``, then rename it over ``path``: a failed write leaves ``path`` as it was."""
    temporary = path.with_name(f".{path.name}.partial")
    try:
        temporary.write_text(json.dumps(data, indent=2) + "\n")
        os.replace(temporary, path)
    except OSError:
        temporary.unlink(missing_ok=True)
        raise


class _Recording:
    """The state of one capture: the port, the parser, the take's files and the progress bar."""

    def __init__(self, ser, port: str, seconds: float, timeout: float, roles, previous: dict | None,
                 out_dir: Path, take: str, progress: bool, chunk: int):
        self.ser, self.port, self.seconds, self.timeout = ser, port, seconds, timeout
        self.roles, self.previous, self.out_dir, self.take = roles, previous, out_dir, take
        self.progress, self.chunk = progress, chunk
        self.parser = FrameParser()
        self.writer: _SegmentWriter | None = None
        self.result = CaptureResult(out_dir, out_dir / "manifest.json", take)
        self.bar = None
        self.target: int | None = None

    def _read(self) -> bytes:
        try:
            waiting = self.ser.in_waiting
            return self.ser.read(self.chunk if waiting > self.chunk else max(waiting, 1))
        except OSError as exc:  # serial.SerialException is an OSError: a pulled cable, a board powered off
            raise _StreamEnded(f"reading {self.port} failed: {exc}") from exc

    def run(self) -> None:
        """Record until ``seconds`` of audio arrived; raises ``_StreamEnded`` or KeyboardInterrupt early."""
        start = last_data = time.monotonic()
        parser, timeout = self.parser, self.timeout
        while self.target is None or self.result.samples < self.target:
            data = self._read()
            now = time.monotonic()
            if data:
                last_data = now
            if not parser.locked and now - start > timeout:
                if parser.bytes_seen == 0:
                    raise CaptureError(f"no data from {self.port} within {timeout:g} s: is the datalogger "
                                       "bitstream loaded (make datalogger, then flash it) and is this the board's "
                                       "UART?")
                raise CaptureError(f"received {parser.bytes_seen} bytes from {self.port} in {timeout:g} s but no "
                                   "valid datalogger frame: wrong bitstream, wrong port, or a baud rate that does "
                                   "not match the bitstream's")
            if parser.locked and now - last_data > timeout:
                raise _StreamEnded(f"the stream from {self.port} stopped: no data for {timeout:g} s (cable pulled, "
                                   "board reset, power-cycled or re-flashed?)")
            for frame in parser.feed(data):
                self._take_frame(frame)
                if self.result.samples >= self.target:
                    break

    def _take_frame(self, frame: Frame) -> None:
        channels, rate = frame.samples.shape[1], frame.sample_rate_hz
        if self.writer is None:
            self._first_frame(channels, rate)
        elif frame.discontinuity:
            self.writer.new_segment(channels, rate, gap_record(frame))
        samples = frame.samples[: self.target - self.result.samples]
        self.writer.write(samples)
        self.result.samples += len(samples)
        if self.bar is not None:
            self.bar.update(min(self.bar.total, self.result.samples / rate) - self.bar.n)
            s = self.parser.stats
            self.bar.set_postfix(lost=s.lost_frames, crc=s.crc_errors, refresh=False)

    def _first_frame(self, channels: int, rate: int) -> None:
        if self.roles is None:
            self.roles = DEFAULT_ROLES[:channels] if channels <= len(DEFAULT_ROLES) else None
        if len(self.roles) != channels:
            raise CaptureError(f"the stream carries {channels} channels but --channels names "
                               f"{len(self.roles)} ({','.join(self.roles)}); name one role per recorded input")
        if self.previous and self.previous.get("sample_rate_hz") != rate:
            raise CaptureError(f"the stream runs at {rate} Hz but {self.out_dir} holds takes at "
                               f"{self.previous.get('sample_rate_hz')} Hz; use another --out")
        self.result.sample_rate_hz = rate
        self.target = round(self.seconds * rate)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.writer = _SegmentWriter(self.out_dir, self.take, self.roles)
        self.writer.new_segment(channels, rate)
        if self.progress:
            from tqdm import tqdm

            self.bar = tqdm(total=round(self.seconds, 3), unit="s", desc=f"capture {channels} ch "
                            f"@ {rate / 1e3:g} kHz", bar_format="{l_bar}{bar}| {n:.2f}/{total:.2f} s "
                            "[{elapsed}<{remaining}]{postfix}")

    def finish(self, log: dict) -> None:
        """Close the files and list what they hold in the manifest and the log (the reason it stopped, if
        it stopped early, included); raises CaptureError when there is nothing to list or listing failed."""
        result = self.result
        if self.bar is not None:
            self.bar.close()
        problems = [self.writer.close()] if self.writer is not None else []
        entries, paths, samples = self.writer.kept() if self.writer is not None else ([], [], [])
        if not entries:
            reason = result.stopped_by or "no sample was written"
            raise CaptureError(f"{reason}; nothing was recorded before that, so nothing was saved")
        result.files, result.samples = paths, sum(samples)
        result.stopped_by = "; ".join(p for p in [result.stopped_by, *problems] if p) or None
        result.interrupted = result.stopped_by is not None
        stats = self.parser.stats.as_dict()
        stats["trailing_bytes"] = self.parser.pending_bytes
        stats["segment_samples"] = samples
        stats["interrupted"] = result.interrupted
        stats["stopped_by"] = result.stopped_by
        result.stats = stats
        dropped = self.parser.stats.lost_frames
        if self.previous:
            entries = self.previous["files"] + entries
            dropped += int(self.previous.get("dropped_frames", 0))
        log[self.take] = stats
        failed = []
        for path, data in ((result.manifest, _manifest(result.sample_rate_hz, entries, dropped)),
                           (self.out_dir / "capture_log.json", log)):
            try:
                _replace_json(path, data)
            except OSError as exc:
                failed.append(f"{path} ({exc})")
        if failed:
            raise CaptureError(f"{', '.join(p.name for p in paths)} in {self.out_dir} hold {result.seconds:.2f} s "
                               f"of take {self.take!r}, but could not be listed: writing {' and '.join(failed)} "
                               "failed. Free some space; the files stay as they are")


def capture(port: str, seconds: float, out: str | Path, *, roles: tuple[str, ...] | None = None,
            baud: int = 12_000_000, timeout: float = 3.0, progress: bool = True, serial_port=None,
            chunk: int = 65536, segment: str | None = None) -> CaptureResult:
    """Record ``seconds`` of audio (counted in samples received, so lost frames extend the capture) as a new
    take in ``out``. However it ends, what was recorded is saved and listed (:class:`CaptureResult`'s
    ``interrupted`` and ``stopped_by`` say whether and why it stopped early); CaptureError when it cannot
    start, when nothing was recorded, or when the listing cannot be written."""
    if not (isinstance(seconds, int | float) and math.isfinite(seconds) and seconds > 0):
        raise CaptureError(f"--seconds must be a positive number of seconds, got {seconds}")
    if not (math.isfinite(timeout) and timeout > 0):
        raise CaptureError(f"--timeout must be a positive number of seconds, got {timeout}")
    out_dir = Path(out)
    previous = _existing(out_dir)
    log = _read_json(out_dir / "capture_log.json", "a capture log (a JSON object)") or {}
    used = {str(f.get("segment")) for f in previous["files"] if isinstance(f, dict)} if previous else set()
    take = _take_name(out_dir, used | set(log), segment)
    ser = serial_port if serial_port is not None else open_port(port, baud)
    recording = _Recording(ser, port, seconds, timeout, roles, previous, out_dir, take, progress, chunk)
    result = recording.result
    try:
        recording.run()
    except KeyboardInterrupt:
        result.stopped_by = INTERRUPTED
    except _StreamEnded as exc:
        result.stopped_by = str(exc)
    except BaseException as exc:
        # Anything else (a refused stream before the first file, or an error of ours mid-take) propagates;
        # a take already begun is still listed, with the error as the reason it stopped.
        if recording.writer is not None:
            result.stopped_by = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        if serial_port is None:
            try:
                ser.close()
            except OSError:
                pass  # the port is gone (a pulled cable): nothing left to close
        if recording.writer is not None:
            recording.finish(log)
    if recording.writer is None:
        raise CaptureError(f"{result.stopped_by} before the first valid frame arrived; nothing to save")
    return result
