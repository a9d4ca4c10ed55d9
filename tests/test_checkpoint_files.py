"""Damaged checkpoint files (sdk/diffusion/checkpoint.py): empty, truncated, garbage, a
directory, a pickled object, or one flipped byte anywhere — through `--model`, `--teacher`
and `--checkpoint` each is refused with exit status 2 and one message, never a traceback,
never torch's advice to load with weights_only=False, and never loaded with changed
weights. The checkpoint is the tiny untrained student (tests/tiny_unet.py)."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import pytest
import torch

from sdk.diffusion import checkpoint
from sdk.diffusion.checkpoint import load_checkpoint, read_checkpoint, save_checkpoint
from sdk.errors import UserError
from tests.helpers.cli import sdk
from tests.tiny_unet import untrained_student

pytestmark = [pytest.mark.unit, pytest.mark.usefixtures("wide_console")]  # no message is wrapped

FLIPS = 64  # per region: the whole file, and the bytes that are not tensor data (zip + pickle)


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    return untrained_student(tmp_path_factory.mktemp("good"))


def commands(path: Path, out: Path) -> dict[str, list]:
    """Every flag that takes a checkpoint, as the cheapest command using it."""
    return {
        "--model": ["--build-dir", out, "build", "--target", "host", "--model", path],
        "--teacher": ["distill", "--teacher", path, "--steps", 1, "--start-steps", 2, "--iterations", 1,
                      "--out", out],
        "--teacher (binarize)": ["binarize", "--teacher", path, "--mode", "w1a1", "--iterations", 1,
                                 "--out", out],
        "--checkpoint": ["eval", "--checkpoint", path, "--n", 2, "--png", out / "eval.png"],
    }


def assert_refused(code: int, out: str, path: Path) -> None:
    assert code == 2, out
    assert out.count("error:") == 1 and str(path) in out, out
    assert "Traceback" not in out and "weights_only" not in out, out


def damaged_files(good: Path, directory: Path) -> dict[str, tuple[Path, str]]:
    """name → (file, what its message must say)."""
    data = good.read_bytes()
    model = io.BytesIO()
    torch.save(torch.nn.Linear(2, 2), model)  # a pickled module, not plain data
    files = {"empty.pt": (b"", "is empty (0 bytes)"),
             "truncated.pt": (data[:len(data) // 2], "cannot be read as a checkpoint"),
             "garbage.pt": (bytes(random.Random(0).randrange(256) for _ in range(4096)),
                            "cannot be read as a checkpoint"),
             "pickled_module.pt": (model.getvalue(), "Unsupported global")}
    directory.mkdir(parents=True, exist_ok=True)
    made = {}
    for name, (content, message) in files.items():
        (directory / name).write_bytes(content)
        made[name] = (directory / name, message)
    (directory / "a_directory.pt").mkdir()
    made["a_directory.pt"] = (directory / "a_directory.pt", "is a directory, not a checkpoint")
    return made


@pytest.mark.parametrize("flag", ["--model", "--teacher", "--teacher (binarize)", "--checkpoint"])
def test_unreadable_files_are_refused_with_one_message(capsys, tmp_path, good, flag):
    for name, (path, message) in damaged_files(good, tmp_path / "files").items():
        code, out = sdk(capsys, *commands(path, tmp_path / "out")[flag])
        assert_refused(code, out, path)
        assert message in out and ("or copy it again" in out or "pass a .pt file" in out), (name, out)
    assert not (tmp_path / "out").exists()  # nothing built, distilled or sampled


def non_tensor_spans(path: Path) -> list[range]:
    """Byte ranges of the file that are not tensor data: zip headers, the pickle, the directory."""
    with zipfile.ZipFile(path) as archive:
        tensors = []
        for info in archive.infolist():
            if "/data/" in info.filename:
                with open(path, "rb") as f:  # the data starts after the local header's name and extra
                    f.seek(info.header_offset + 26)
                    name_len, extra_len = (int.from_bytes(f.read(2), "little") for _ in range(2))
                start = info.header_offset + 30 + name_len + extra_len
                tensors.append(range(start, start + info.compress_size))
    size, spans, at = path.stat().st_size, [], 0
    for span in sorted(tensors, key=lambda r: r.start):
        spans.append(range(at, span.start))
        at = span.stop
    return [s for s in spans + [range(at, size)] if len(s)]


def test_a_flipped_byte_anywhere_is_refused(capsys, tmp_path, good):
    """Tensor data, zip and pickle structure, padding torch never reads, the trailer itself:
    the file's own SHA-256 refuses every flipped bit; the first few go through the CLI."""
    data = good.read_bytes()
    rng = random.Random(11)
    metadata = [i for span in non_tensor_spans(good) for i in span]
    trailer = range(len(data) - checkpoint.TRAILER_BYTES - 2, len(data))  # comment length + comment
    positions = ([rng.randrange(len(data)) for _ in range(FLIPS)] + rng.sample(metadata, FLIPS)
                 + rng.sample(trailer, 8))
    for n, position in enumerate(positions):
        flipped = bytearray(data)
        flipped[position] ^= 1 << rng.randrange(8)
        path = tmp_path / f"flip{n}.pt"
        path.write_bytes(flipped)
        with pytest.raises(UserError, match="is damaged|cannot be read as a checkpoint"):
            read_checkpoint(path)
        if n % 16 == 0:
            code, out = sdk(capsys, *commands(path, tmp_path / "out")["--model"])
            assert_refused(code, out, path)
    assert not (tmp_path / "out").exists()


def test_a_checkpoint_saved_again_without_its_file_digest_is_refused(tmp_path, good):
    ckpt = torch.load(good, map_location="cpu", weights_only=True)
    torch.save(ckpt, tmp_path / "resaved.pt")  # entries intact, the file's own SHA-256 gone
    with pytest.raises(UserError, match="SHA-256 of the whole file .* is missing"):
        read_checkpoint(tmp_path / "resaved.pt")


def test_an_entry_edited_after_saving_is_refused(tmp_path, good):
    ckpt = torch.load(good, map_location="cpu", weights_only=True)
    ckpt["sampling_steps"] = 4  # not a tensor: the digest covers every entry
    torch.save(ckpt, tmp_path / "edited.pt")
    with pytest.raises(UserError, match="no longer match the SHA-256 digest written with them"):
        read_checkpoint(tmp_path / "edited.pt")


def test_a_checkpoint_from_before_digests_loads_with_a_warning(tmp_path, good, caplog):
    ckpt = torch.load(good, map_location="cpu", weights_only=True)
    del ckpt[checkpoint.DIGEST]
    torch.save(ckpt, tmp_path / "old.pt")
    load_checkpoint(tmp_path / "old.pt")
    assert f"{tmp_path / 'old.pt'} has no digest" in caplog.text and "cannot be detected" in caplog.text
    ckpt["sha25\x06"] = "a digest whose name lost a bit"
    torch.save(ckpt, tmp_path / "renamed.pt")
    with pytest.raises(UserError, match="has no digest and holds entries no EdgeDiff checkpoint has"):
        read_checkpoint(tmp_path / "renamed.pt")


def test_an_interrupted_save_keeps_the_previous_file(tmp_path, good, monkeypatch):
    path = tmp_path / "student.pt"
    path.write_bytes(good.read_bytes())
    real_write = Path.write_bytes

    def interrupted(self, data):
        real_write(self, data[:100])  # killed halfway through the write
        raise KeyboardInterrupt

    monkeypatch.setattr(Path, "write_bytes", interrupted)
    _, config, model = load_checkpoint(good)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint(path, config, model, "student")
    assert path.read_bytes() == good.read_bytes() and list(tmp_path.iterdir()) == [path]
