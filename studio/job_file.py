"""The job file the editor works on: loading, atomic saving, noticing changes on disk.

No UI here: the editor screen asks and decides. A file that does not exist yet opens
as the commented template and is created on the first save.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

from engine.spec import read_text, save_text_atomic

from .template import JOB_TEMPLATE

_Stamp = Optional[tuple[int, int]]


class JobFile:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._stamp: _Stamp = None

    @property
    def display_name(self) -> str:
        """The path as the user gave it: relative paths stay relative (and screenshots portable)."""
        return str(self.path)

    @property
    def base_dir(self) -> Path:
        """Where the job's relative data paths start."""
        return self.path.parent

    @property
    def exists(self) -> bool:
        return self.path.exists()

    def load(self) -> str:
        """The file's text exactly as stored, or the template when there is no file yet."""
        self._stamp = self._current_stamp()
        if self._stamp is None:
            return JOB_TEMPLATE
        return read_text(self.path)

    def save(self, text: str) -> None:
        save_text_atomic(self.path, text)
        self._stamp = self._current_stamp()

    def changed_on_disk(self) -> bool:
        """Whether someone else wrote (or deleted) the file since we last loaded or saved it."""
        return self._current_stamp() != self._stamp

    def _current_stamp(self) -> _Stamp:
        try:
            status = os.stat(self.path)
        except OSError:
            return None
        return status.st_mtime_ns, status.st_size

    def acknowledge_disk_state(self) -> None:
        """Take the file on disk as seen (the user chose to keep their own text)."""
        self._stamp = self._current_stamp()
