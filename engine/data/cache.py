"""Decoded-image cache: every image decoded once per run, shared by all trials and workers.

Layout, in a folder the caller gives (the run folder):

    <folder>/decoded-<fingerprint>/pixels.u8      uint8 RGB pixels of every image, back to back
    <folder>/decoded-<fingerprint>/index.npy      int64 (n, 3): byte offset, height, width
    <folder>/decoded-<fingerprint>/manifest.json  image paths (slot order), failures, settings

Decisions:
- Each image is stored at its own pre-resized shape (no padding box): no wasted bytes, no
  letterbox or distortion, and the crop transforms see the same geometry as the original.
- Pre-resize: the shorter side is scaled down to `short_side` (never up). Pass the largest
  `validation_resize_size` / `training_crop_size` / `validation_crop_size` any trial of the
  sweep may use, so no trial upsamples cached pixels that were once sharper on disk.
  (`RandomResizedCrop` then crops from that image, as Azure's does from the original.)
- The fingerprint covers the image paths, their sizes and mtimes, the pre-resize side and
  the cache format. Labels are deliberately not part of it: the cache holds pixels only,
  so a label edit must not force a re-decode of every image. Changing, adding or removing
  an image gives a new fingerprint and so a new cache.
- This decode is also the image check: a file PIL cannot decode (corrupt, truncated, not
  an image) is recorded in the manifest as a failure with its reason, and reused caches
  report the same failures without decoding again.
- Built in a temporary folder and renamed into place, under a file lock where the OS has
  one, so concurrent trials never see a half-written cache and only one of them builds it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import torch
from PIL import Image

try:  # POSIX only; on Windows the atomic rename alone keeps readers safe.
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None

CACHE_FORMAT_VERSION = 1
PIXELS_FILE = "pixels.u8"
INDEX_FILE = "index.npy"
MANIFEST_FILE = "manifest.json"


def cached_shape(width: int, height: int, short_side: int) -> tuple[int, int]:
    """(height, width) after scaling the shorter side down to `short_side`."""
    shorter = min(width, height)
    if shorter <= short_side:
        return height, width
    scale = short_side / shorter
    return max(1, round(height * scale)), max(1, round(width * scale))


def decode_rgb(path: Path, *, short_side: int | None = None) -> Image.Image:
    """Open an image file as RGB, letting JPEG decode at a reduced scale when it can."""
    with Image.open(path) as image:
        if short_side is not None:
            # draft() keeps both sides >= the request, so the shorter one stays >= short_side.
            image.draft("RGB", (short_side, short_side))
        return image.convert("RGB")


class DecodedImageCache:
    """Read side of a built cache. Pickles cheaply: each worker maps the file itself."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        manifest = json.loads((self.folder / MANIFEST_FILE).read_text(encoding="utf-8"))
        self.short_side: int = manifest["short_side"]
        self.fingerprint: str = manifest["fingerprint"]
        self.paths: tuple[Path, ...] = tuple(Path(p) for p in manifest["images"])
        self.failures: dict[Path, str] = {Path(p): r for p, r in manifest["failures"].items()}
        self._slots = {path: slot for slot, path in enumerate(self.paths)}
        self._rows: list[list[int]] | None = None  # per slot: byte offset, height, width
        self._pixels: np.ndarray | None = None
        self._flat: torch.Tensor | None = None

    def __len__(self) -> int:
        return len(self.paths)

    def __getstate__(self) -> dict:
        # Never ship the mapped pixels to a worker; each process maps the file itself.
        return {**self.__dict__, "_rows": None, "_pixels": None, "_flat": None}

    def slot(self, path: Path) -> int:
        """Slot of a decodable image (KeyError for failures and unknown paths)."""
        if path in self.failures:
            raise KeyError(path)
        return self._slots[path]

    def image(self, slot: int) -> np.ndarray:
        """The cached pixels of one image: a read-only (height, width, 3) uint8 view."""
        self._map()
        offset, height, width = self._rows[slot]
        view = self._pixels[offset : offset + height * width * 3].reshape(height, width, 3)
        view.flags.writeable = False
        return view

    def tensor(self, slot: int) -> torch.Tensor:
        """The cached pixels of one image as a contiguous (height, width, 3) uint8 tensor
        view: what the loaders crop from, one cheap call per image. Never write to it."""
        self._map()
        offset, height, width = self._rows[slot]
        return self._flat.as_strided((height, width, 3), (width * 3, 3, 1), offset)

    def _map(self) -> None:
        if self._pixels is not None:
            return
        self._rows = np.load(self.folder / INDEX_FILE).tolist()
        # Copy-on-write (MAP_PRIVATE): the pages are the page cache's, shared by every
        # process that maps the file, and the mapping is writable only so torch can wrap
        # it without a warning; nothing writes to it, and a write would never reach the file.
        self._pixels = np.memmap(self.folder / PIXELS_FILE, dtype=np.uint8, mode="c").view(np.ndarray)
        self._flat = torch.from_numpy(self._pixels)


def build_cache(
    images: Iterable[Path],
    *,
    folder: Path,
    short_side: int,
    threads: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> DecodedImageCache:
    """Return the cache for these images in `folder`, decoding them only if no valid one exists.

    `on_progress(done, total)` is called as images are decoded (not when a cache is reused).
    Decoding runs in threads: PIL releases the GIL while it decodes and resizes.
    """
    paths = sorted(set(Path(p) for p in images))
    fingerprint = data_fingerprint(paths, short_side=short_side)
    target = Path(folder) / f"decoded-{fingerprint[:24]}"
    if (target / MANIFEST_FILE).is_file():
        return DecodedImageCache(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with _build_lock(target.parent / f".{target.name}.lock"):
        if not (target / MANIFEST_FILE).is_file():  # another process may have finished it
            _write_cache(paths, target, fingerprint, short_side, threads, on_progress)
    return DecodedImageCache(target)


def data_fingerprint(paths: Iterable[Path], *, short_side: int) -> str:
    digest = hashlib.sha256(f"v{CACHE_FORMAT_VERSION}|{short_side}".encode())
    for path in sorted(paths):
        try:
            stat = path.stat()
            digest.update(f"|{path}|{stat.st_size}|{stat.st_mtime_ns}".encode())
        except OSError:
            digest.update(f"|{path}|missing".encode())
    return digest.hexdigest()


@contextmanager
def _build_lock(lock_path: Path):
    with open(lock_path, "w") as handle:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)  # blocks until the other builder is done
        yield


def _write_cache(paths, target, fingerprint, short_side, threads, on_progress) -> None:
    staging = target.with_name(f"{target.name}.tmp-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    with ThreadPoolExecutor(max_workers=threads or min(8, os.cpu_count() or 1)) as pool:
        # Headers first (cheap) so every image's offset is known before any decoding.
        headers = list(pool.map(lambda path: _header_shape(path, short_side), paths))
        failures = {str(p): h for p, h in zip(paths, headers) if isinstance(h, str)}
        shapes = np.array([h if isinstance(h, tuple) else (0, 0) for h in headers], np.int64)
        shapes = shapes.reshape(len(paths), 2)
        sizes = shapes[:, 0] * shapes[:, 1] * 3
        offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        pixels = np.memmap(staging / PIXELS_FILE, dtype=np.uint8, mode="w+",
                           shape=(max(int(offsets[-1]), 1),))

        def decode_into(slot: int) -> str | None:
            height, width = (int(v) for v in shapes[slot])
            try:
                image = decode_rgb(paths[slot], short_side=short_side)
                if image.size != (width, height):
                    image = image.resize((width, height), Image.Resampling.BILINEAR)
                pixels[offsets[slot] : offsets[slot + 1]] = np.asarray(image).reshape(-1)
                return None
            except Exception as error:  # PIL raises many types for bad files
                return _failure_reason(error)

        decodable = [slot for slot, h in enumerate(headers) if isinstance(h, tuple)]
        for done, (slot, reason) in enumerate(zip(decodable, pool.map(decode_into, decodable)), 1):
            if reason is not None:
                failures[str(paths[slot])] = reason
            if on_progress is not None:
                on_progress(done, len(decodable))
    pixels.flush()
    del pixels
    np.save(staging / INDEX_FILE, np.column_stack([offsets[:-1], shapes]))
    manifest = {
        "version": CACHE_FORMAT_VERSION,
        "fingerprint": fingerprint,
        "short_side": short_side,
        "images": [str(p) for p in paths],
        "failures": failures,
    }
    (staging / MANIFEST_FILE).write_text(json.dumps(manifest), encoding="utf-8")
    os.replace(staging, target)


def _header_shape(path: Path, short_side: int) -> tuple[int, int] | str:
    """Stored (height, width) from the image header alone, or why it cannot be read."""
    try:
        with Image.open(path) as image:
            return cached_shape(*image.size, short_side)
    except Exception as error:  # PIL raises many types for bad files
        return _failure_reason(error)


def _failure_reason(error: Exception) -> str:
    return f"image cannot be decoded ({type(error).__name__}: {error})"
