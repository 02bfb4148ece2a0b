"""qz811: Quzhou "811" environmental-monitoring pipeline.

Raw monitoring readings in, the 811 plan's indicators out. The standards' math is in
:mod:`pipeline.indicators` (pure functions); ingest, validation and loading sit at the edges.
"""

__version__ = "0.1.0"

import pandas as _pd

# pandas 3 stores its default ``str`` columns in pyarrow when pyarrow is installed, else in Python
# objects. pyarrow is in the lock for the calculators' CSV reader and writer (issue 18), not to change how
# every text column of the pipeline behaves (regular expressions, GX's checks, sorting): the pipeline keeps
# the Python storage it was built and tested with.
_pd.set_option("mode.string_storage", "python")
