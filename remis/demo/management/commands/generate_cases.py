"""manage.py generate_cases --cases N: synthetic cases in bulk, for demos and benchmarks."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from remis.demo.generator import generate_cases


class Command(BaseCommand):
    help = "Insert N synthetic cases (every stage, households, sharing, journey records) in bulk."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, required=True, help="how many cases to add")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (repeatable output)")
        parser.add_argument("--batch-size", type=int, default=5000)

    def handle(self, *args: Any, **options: Any) -> None:
        count: int = options["cases"]
        if count < 1:
            self.stderr.write("--cases must be at least 1")
            raise SystemExit(2)
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            rate = done / max(time.monotonic() - started, 1e-6)
            self.stdout.write(f"  {done:>10,} / {total:,} cases  ({rate:,.0f} cases/s)")

        generate_cases(count, seed=options["seed"], batch_size=options["batch_size"], progress=progress)
        self.stdout.write(self.style.SUCCESS(f"Added {count:,} cases in {time.monotonic() - started:.1f} s"))
