"""Loading shipped configuration (`<app>/defaults/*.yaml`) into configuration tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent


def load(app: str, name: str) -> Any:
    with (ROOT / app / "defaults" / name).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)
