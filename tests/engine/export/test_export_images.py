"""Decoding an `image` cell of the contract: bytes, base64 text, and what is refused."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from engine.export.images import decode_image


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (5, 4), 128).convert("P").save(buffer, format="PNG")  # not RGB on disk
    return buffer.getvalue()


def test_bytes_and_base64_text_decode_to_the_same_rgb_image():
    data = _png()
    text = base64.b64encode(data).decode()
    wrapped = "\n".join(text[i : i + 76] for i in range(0, len(text), 76))  # as MIME wraps it
    images = [decode_image(data), decode_image(bytearray(data)), decode_image(text),
              decode_image(wrapped)]
    assert all(image.mode == "RGB" and image.size == (5, 4) for image in images)
    assert len({image.tobytes() for image in images}) == 1


@pytest.mark.parametrize(
    ("value", "message"),
    [("not base64!", "base64"), (b"not an image", "not a readable image"), (42, "bytes or base64 text")],
)
def test_anything_else_is_a_clear_value_error(value, message):
    with pytest.raises(ValueError, match=message):
        decode_image(value)
