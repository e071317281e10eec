"""``python -m simcancel``: the same as the ``simcancel`` command."""

import sys

from simcancel.cli import program

sys.exit(program())
