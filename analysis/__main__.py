"""Entry point for ``python -m analysis``.

The cyclic garbage collector is paused while the command's modules load (pandas, SQLAlchemy,
pydantic and plotly make hundreds of thousands of long-lived objects, and each burst of them
set off collections that walked all the others: a fifth of ``stats``' start-up) and resumes
with them frozen (``gc.freeze``: later collections skip them), before the command runs.
Only here, in a process of its own: a test calling ``main()`` keeps its collector untouched.
"""

import gc
import sys

gc.disable()

from analysis.cli import main  # after the pause, which is the point

sys.exit(main(process_entry=True))
