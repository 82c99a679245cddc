"""Bad recordings are rejected before training, each with its own specific message."""

from __future__ import annotations

import json

import numpy as np
import pytest

from train.dataset import DatasetError, load_splits
from train.recorded import ShortRecordingWarning
from train.tests.helpers import good_takes, write_recording


def rejects(config, manifest, pattern):
    with pytest.raises(DatasetError, match=pattern):
        load_splits(config, data=manifest, window=256)


def test_good_recording_loads(config, tmp_path):
    splits = load_splits(config, data=write_recording(tmp_path, good_takes()), window=256)
    assert all(len(splits[s]) > 0 for s in ("train", "val", "test"))
    # The directory works as well as the manifest path.
    assert len(load_splits(config, data=tmp_path, window=256)["train"]) == len(splits["train"])


def test_wrong_rate_in_wav_header(config, tmp_path):
    rejects(config, write_recording(tmp_path, good_takes(), rate=48_000), r"take0\.wav.*48000 Hz.*192000")


def test_wrong_rate_in_manifest(config, tmp_path):
    rejects(config, write_recording(tmp_path, good_takes(), manifest_rate=96_000),
            r"sample_rate_hz is 96000 but the model config .* 192000")


def test_nan(config, tmp_path):
    takes = good_takes()
    data = takes[1]["data"].astype(np.float32) / 32767
    data[100, 2] = np.nan
    takes[1]["data"] = data
    rejects(config, write_recording(tmp_path, takes), r"take1\.wav\) channel 2 \(square\): NaN or inf .*sample 100")


def test_inf_float(config, tmp_path):
    takes = good_takes()
    data = takes[0]["data"].astype(np.float32) / 32767
    data[7, 0] = np.inf
    takes[0]["data"] = data
    rejects(config, write_recording(tmp_path, takes), r"channel 0 \(core\): NaN or inf")


def test_clipped(config, tmp_path):
    takes = good_takes()
    takes[2]["data"][500:510, 3] = 32767
    rejects(config, write_recording(tmp_path, takes), r"take2\.wav\) channel 3 \(ramp\): clipped: 10 consecutive")


def test_single_full_scale_sample_is_not_clipping(config, tmp_path):
    takes = good_takes()
    takes[2]["data"][500, 3] = -32768
    load_splits(config, data=write_recording(tmp_path, takes), window=256)


def test_dc_offset(config, tmp_path):
    takes = good_takes()
    takes[3]["data"][:, 1] += 2000  # 2000/32767 * 8.192 V = 0.5 V = 0.1 network units
    rejects(config, write_recording(tmp_path, takes), r"take3\.wav\) channel 1 \(sine\): DC offset of \+0\.100")


def test_file_shorter_than_a_window_is_skipped_with_a_warning(config, tmp_path):
    """A file with fewer samples than one window holds no window: it is left out, named with the samples
    lost, and listed for the training report; the other takes still load and split."""
    takes = good_takes()
    takes[0]["data"] = takes[0]["data"][:100]
    with pytest.warns(ShortRecordingWarning, match=r"files\[0\] \(take0\.wav\): only 100 samples, shorter than "
                      r"one training window \(256\): skipped, 100 samples lost"):
        splits = load_splits(config, data=write_recording(tmp_path, takes), window=256)
    assert splits.skip_report() == {"files": [{"path": "take0.wav", "segment": "take0", "samples": 100}],
                                    "samples": 100}
    segments = {seg for name in ("train", "val", "test") for seg in splits[name].segments}
    assert segments == {"take1", "take2", "take3"}


def test_skipping_that_leaves_too_few_takes_says_so(config, tmp_path):
    takes = good_takes()
    for take in takes[:2]:
        take["data"] = take["data"][:200]
    with pytest.warns(ShortRecordingWarning):
        rejects(config, write_recording(tmp_path, takes),
                r"2 segment\(s\) .* needs at least 3.*2 file\(s\) shorter than one window of 256 samples were "
                r"skipped: take0\.wav, take1\.wav")
    for take in takes:
        take["data"] = take["data"][:200]
    with pytest.warns(ShortRecordingWarning):
        rejects(config, write_recording(tmp_path, takes), r"no file holds one training window \(256 samples\)")


def test_dc_offset_is_measured_over_the_whole_take(config, tmp_path):
    """A take split at a gap: its first part holds a third of a cycle of each wave (mean far from 0), the
    rest whole cycles. Measured per file the short part would look offset; over the take it is centred."""
    takes = good_takes()
    whole = takes[1]["data"]  # 3840 samples: 10 cycles of 500 Hz
    first = np.roll(whole, -20, axis=0)[:256]  # a third of a cycle (from sample 20): a mean far from 0
    assert abs(first[:, 1].astype(np.float64).mean()) / 32767 * 8.192 / 5 > 0.05
    takes.append({"name": "take1_part2", "segment": "take1", "channels": takes[1]["channels"], "data": first})
    splits = load_splits(config, data=write_recording(tmp_path, takes), window=256)
    assert sum(seg == "take1" for name in ("train", "val", "test") for seg in splits[name].segments) == 16
    # the same offset in every file of the take is still found, and named by take
    for take in takes:
        if take.get("segment", take["name"]) == "take1":
            take["data"][:, 1] += 2000  # 2000/32767 * 8.192 V = 0.5 V = 0.1 network units
    rejects(config, write_recording(tmp_path / "offset", takes),
            r"segment 'take1' \(2 files: take1\.wav, take1_part2\.wav\), role sine: DC offset of \+0\.1")


def test_channel_count_mismatch(config, tmp_path):
    takes = good_takes()
    takes[1]["data"] = takes[1]["data"][:, :3]
    rejects(config, write_recording(tmp_path, takes), r"take1\.wav\): the WAV has 3 channels but the manifest lists 4")


def test_missing_file(config, tmp_path):
    manifest = write_recording(tmp_path, good_takes())
    (tmp_path / "take2.wav").unlink()
    rejects(config, manifest, r"take2\.wav does not exist")


def test_unknown_role(config, tmp_path):
    takes = good_takes()
    takes[0]["channels"] = ["core", "sine", "triangle", "ramp"]
    rejects(config, write_recording(tmp_path, takes), r"files\[0\]: unknown channel role 'triangle'")


@pytest.mark.parametrize("change, pattern", [
    (dict(format="waveshaper-recording/2"), r"format must be 'waveshaper-recording/1'"),
    (dict(dropped_frames=-1), r"dropped_frames must be a non-negative integer"),
    (dict(volts_full_scale=0), r"volts_full_scale must be a positive finite number"),
    (dict(files=[]), r"files must be a non-empty list"),
])
def test_bad_manifest_fields(config, tmp_path, change, pattern):
    rejects(config, write_recording(tmp_path, good_takes(), extra=change), pattern)


def test_dropped_frames_are_only_counted(config, tmp_path):
    """The capture splits files at gaps, so a manifest reporting dropped frames is still usable."""
    load_splits(config, data=write_recording(tmp_path, good_takes(), extra=dict(dropped_frames=3)), window=256)


def test_missing_field_and_bad_json(config, tmp_path):
    manifest = write_recording(tmp_path, good_takes())
    data = json.loads(manifest.read_text())
    del data["volts_full_scale"]
    manifest.write_text(json.dumps(data))
    rejects(config, manifest, r"missing field 'volts_full_scale'")
    manifest.write_text("{not json")
    rejects(config, manifest, r"not valid JSON")
    rejects(config, tmp_path / "elsewhere", r"manifest not found")


def test_roles_per_file(config, tmp_path):
    takes = good_takes(channels=("sine", "square", "ramp", "unused"))
    rejects(config, write_recording(tmp_path / "a", takes), r"needs exactly one 'core' channel, got 0")
    takes = good_takes(channels=("core", "sine", "sine", "ramp"))
    rejects(config, write_recording(tmp_path / "b", takes), r"role 'sine' appears more than once")
    takes = good_takes(channels=("core", "unused", "unused", "unused"))
    rejects(config, write_recording(tmp_path / "c", takes), r"no target wave channel")


def test_too_few_segments_to_split(config, tmp_path):
    takes = good_takes()
    for take in takes:
        take["segment"] = "same-take" if take["name"] != "take3" else "other"
    rejects(config, write_recording(tmp_path, takes), r"2 segment\(s\) .* needs at least 3")


def test_files_of_one_segment_stay_together(config, tmp_path):
    takes = good_takes(count=6)
    for i, take in enumerate(takes):
        take["segment"] = f"seg{i // 2}"
    splits = load_splits(config, data=write_recording(tmp_path, takes), window=256)
    owner = {}
    for split in ("train", "val", "test"):
        for seg in splits[split].segments:
            owner.setdefault(seg, set()).add(split)
    seg_of_take = {f"seg{i // 2}" for i in range(6)}
    assert seg_of_take == set(owner) and all(len(v) == 1 for v in owner.values())


def test_int32_and_float32_scale_like_int16(config, tmp_path):
    """Full scale means volts_full_scale volts whatever the sample type."""
    takes = good_takes()
    reference = load_splits(config, data=write_recording(tmp_path / "i16", takes), window=256)
    as_int32 = [dict(t, data=t["data"].astype(np.int32) * 65538) for t in takes]  # 32767 -> 2147483646
    as_float = [dict(t, data=(t["data"] / 32767).astype(np.float32)) for t in takes]
    for name, variant in (("i32", as_int32), ("f32", as_float)):
        other = load_splits(config, data=write_recording(tmp_path / name, variant), window=256)
        for split in ("train", "val", "test"):
            np.testing.assert_allclose(other[split].y, reference[split].y, atol=1e-6)
            np.testing.assert_array_equal(other[split].x, reference[split].x)


def test_empty_wav_is_named(config, tmp_path):
    takes = good_takes()
    takes[2]["data"] = takes[2]["data"][:0]
    rejects(config, write_recording(tmp_path, takes), r"files\[2\] \(take2\.wav\): .*take2\.wav holds no samples")


@pytest.mark.parametrize("value", ["NaN", "Infinity", "true", '"8.192"'])
def test_volts_full_scale_must_be_a_finite_number(config, tmp_path, value):
    manifest = write_recording(tmp_path, good_takes())
    text = manifest.read_text().replace('"volts_full_scale": 8.192', f'"volts_full_scale": {value}')
    assert value in text
    manifest.write_text(text)
    rejects(config, manifest, r"volts_full_scale must be a positive finite number, got")


def test_all_zero_channel_is_refused(config, tmp_path):
    """An unplugged jack reads exactly 0: such a channel teaches the network nothing (or the wrong thing)."""
    takes = good_takes()
    takes[1]["data"][:, 3] = 0
    rejects(config, write_recording(tmp_path, takes),
            r"take1\.wav\) channel 3 \(ramp\): every sample is 0 \(an unplugged jack reads 0\)")


def test_all_zero_unused_channel_is_fine(config, tmp_path):
    takes = good_takes(channels=("core", "sine", "square", "unused"))
    assert not takes[0]["data"][:, 3].any()
    load_splits(config, data=write_recording(tmp_path, takes), window=256)
