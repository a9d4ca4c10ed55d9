"""Checkpoints written by `sdk train` / `sdk distill` / `sdk binarize`, and read back.

A checkpoint carries its config; the model is rebuilt from it and the weights must fit
exactly. A mismatch names the tensors that differ, so a config edited by hand or a file
from another run fails loudly instead of sampling noise.

Every checkpoint is written through save_checkpoint, which stores a SHA-256 digest of its
tensors (dtype, shape, bytes) and of every other entry (config, kind, sampling steps...),
and a SHA-256 of the whole file in the zip archive's comment (the last bytes of the file;
torch ignores it), so a flipped byte anywhere, even in zip padding torch never reads, is
refused. The file is written under a temporary name first, so an interrupted save never
leaves a half-written file. load_checkpoint refuses a file it cannot read (empty, truncated, not a
checkpoint, a directory) or whose contents no longer match its digest, with one message
instead of torch's traceback. A file written before digests existed loads with a warning.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import re
import struct
from dataclasses import asdict, fields
from pathlib import Path

import torch

from sdk.errors import UserError

log = logging.getLogger(__name__)

DIGEST = "sha256"
# The entries checkpoints held before they carried a digest: an undigested file with any
# other entry is damaged (e.g. a flipped byte in the name "sha256"), not old.
UNDIGESTED_ENTRIES = {"kind", "config", "state_dict", "sampling_steps", "method", "teacher", "teacher_steps",
                      "pairs", "spectral", "feature_weight", "dmd_weight"}
FILE_TAG = b"edgediff-sha256:"  # the zip comment: this tag, then the file's SHA-256 in hex
TRAILER_BYTES = len(FILE_TAG) + 64
EOCD_BYTES = 22  # zip's end-of-central-directory record, whose last field is the comment length
AGAIN = "write it again with the command that made it (`sdk train`, `sdk distill` or `sdk binarize`) or copy it again"


def _feed(digest, value) -> None:
    if isinstance(value, torch.Tensor):
        data = value.detach().cpu().contiguous().reshape(-1)
        digest.update(f"tensor {data.dtype} {tuple(value.shape)}\0".encode())
        digest.update(data.view(torch.uint8).numpy().tobytes())
    elif isinstance(value, dict):
        digest.update(f"dict {len(value)}\0".encode())
        for key in sorted(value, key=str):
            digest.update(json.dumps(str(key)).encode() + b"\0")
            _feed(digest, value[key])
    elif isinstance(value, (list, tuple)):
        digest.update(f"list {len(value)}\0".encode())
        for item in value:
            _feed(digest, item)
    else:
        digest.update(json.dumps(value, default=repr).encode() + b"\0")


def checkpoint_digest(ckpt: dict) -> str:
    """SHA-256 over every entry of a checkpoint but the digest itself."""
    digest = hashlib.sha256()
    _feed(digest, {k: v for k, v in ckpt.items() if k != DIGEST})
    return digest.hexdigest()


def with_file_digest(data: bytes) -> bytes:
    """torch.save's zip bytes with the SHA-256 of everything before it as the archive comment."""
    eocd = len(data) - EOCD_BYTES
    if data[eocd:eocd + 4] != b"PK\x05\x06" or data[-2:] != b"\0\0":
        raise AssertionError("torch.save wrote no plain zip end record")
    head = data[:-2] + struct.pack("<H", TRAILER_BYTES)
    return head + FILE_TAG + hashlib.sha256(head).hexdigest().encode()


def file_digest_ok(data: bytes) -> bool | None:
    """True/False: the file's own SHA-256 trailer matches / does not; None: it has none."""
    head, trailer = data[:-TRAILER_BYTES], data[-TRAILER_BYTES:]
    if not trailer.startswith(FILE_TAG):
        return None
    return hashlib.sha256(head).hexdigest().encode() == trailer[len(FILE_TAG):]


def save_checkpoint(path: Path, config, model: torch.nn.Module, kind: str, **extra) -> Path:
    """The one way the SDK writes a checkpoint: config, weights, extra entries and their digest."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ckpt = {"kind": kind, "config": asdict(config), "state_dict": model.state_dict(), **extra}
    ckpt[DIGEST] = checkpoint_digest(ckpt)
    temp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    data = io.BytesIO()
    torch.save(ckpt, data)
    try:
        temp.write_bytes(with_file_digest(data.getvalue()))
        temp.replace(path)
    finally:
        temp.unlink(missing_ok=True)
    return path


def _unreadable(error: Exception) -> str:
    """Why torch.load failed, in a few words: never its advice to load with weights_only=False."""
    text = str(error)
    if "WeightsUnpickler error:" in text:  # what the unpickler met, after torch's advice
        text = text.split("WeightsUnpickler error:", 1)[1]
    text = re.sub(r"^\s*\[enforce fail at [^\]]*\]\s*\.?\s*", "", text)  # c10's source location
    first = text.strip().splitlines()[0].split(". ")[0] if text.strip() else ""
    return f"{type(error).__name__}: {first[:160]}" if first else type(error).__name__


def read_checkpoint(path: Path) -> dict:
    """The checkpoint's entries, verified against its digest (UserError if they cannot be)."""
    path = Path(path)
    if path.is_dir():
        raise UserError(f"{path} is a directory, not a checkpoint: pass a .pt file written by "
                        f"`sdk train`, `sdk distill` or `sdk binarize`")
    if not path.is_file():
        raise UserError(f"checkpoint {path} does not exist: run `sdk train` first")
    if path.stat().st_size == 0:
        raise UserError(f"{path} is empty (0 bytes), not a checkpoint: {AGAIN}")
    data = path.read_bytes()
    sealed = file_digest_ok(data)
    if sealed is False:
        raise UserError(f"{path} is damaged: its bytes no longer match the SHA-256 written at its end; {AGAIN}")
    try:
        ckpt = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except Exception as e:  # zip, pickle and storage errors of every kind: the file is damaged
        raise UserError(f"{path} cannot be read as a checkpoint ({_unreadable(e)}): it is truncated "
                        f"or damaged; {AGAIN}") from None
    state = ckpt.get("state_dict") if isinstance(ckpt, dict) else None
    if (not isinstance(state, dict) or not isinstance(ckpt.get("config"), dict)
            or not all(isinstance(t, torch.Tensor) for t in state.values())):
        raise UserError(f"{path} is not an EdgeDiff checkpoint (it needs a config and a state_dict of "
                        f"tensors): {AGAIN}")
    if DIGEST in ckpt:
        if ckpt[DIGEST] != checkpoint_digest(ckpt):
            raise UserError(f"{path} is damaged: its weights or config no longer match the SHA-256 "
                            f"digest written with them; {AGAIN}")
        if sealed is None:  # the SDK writes both digests: the file's own is gone or damaged
            raise UserError(f"{path} is damaged: the SHA-256 of the whole file that EdgeDiff writes at "
                            f"its end is missing; {AGAIN}")
        return ckpt
    unknown = sorted(set(ckpt) - UNDIGESTED_ENTRIES, key=str)
    if unknown:
        raise UserError(f"{path} is damaged: it has no digest and holds entries no EdgeDiff checkpoint "
                        f"has ({', '.join(map(repr, unknown))[:160]}); {AGAIN}")
    log.warning("warning: %s has no digest (written before EdgeDiff checkpoints carried one): it "
                "loads, but a damaged byte in it cannot be detected; %s to add one", path, AGAIN)
    return ckpt


def load_checkpoint(path: Path) -> tuple[dict, "TeacherConfig", torch.nn.Module]:
    """(the raw checkpoint dict, its model config, the model in eval mode)."""
    from sdk.diffusion.train import TeacherConfig  # train.py saves through this module

    ckpt = read_checkpoint(path)
    known = {f.name for f in fields(TeacherConfig)}
    unknown = set(ckpt["config"]) - known
    if unknown:
        raise UserError(f"{path} is not an EdgeDiff checkpoint (config keys {sorted(unknown)} unknown)")
    config = TeacherConfig(**ckpt["config"])
    try:
        model = config.make_model()
    except (ValueError, KeyError, AttributeError) as e:  # e.g. a `binary` entry naming no layer
        raise UserError(f"{path}: its model config cannot be rebuilt ({e})") from None
    expected = model.state_dict()
    got = ckpt["state_dict"]
    problems = [f"missing {k}" for k in expected if k not in got]
    problems += [f"unexpected {k}" for k in got if k not in expected]
    problems += [f"{k}: checkpoint {tuple(got[k].shape)} vs config {tuple(v.shape)}"
                 for k, v in expected.items() if k in got and got[k].shape != v.shape]
    if problems:
        raise UserError(f"{path} does not match its model config (width={config.width}, "
                        f"mults={config.mults}, emb_dim={config.emb_dim}): " + "; ".join(problems[:5]))
    model.load_state_dict(got)
    return ckpt, config, model.eval()
