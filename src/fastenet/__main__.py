"""``python -m fastenet``: the ``fastenet`` command (``fastenet._cli``); without a
command it runs the side-by-side demo against scikit-learn."""
from __future__ import annotations

import sys

from fastenet._cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
