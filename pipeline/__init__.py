"""qz811: Quzhou "811" environmental-monitoring pipeline.

Raw monitoring readings in, the 811 plan's indicators out. The standards' math is in
:mod:`pipeline.indicators` (pure functions); ingest, validation and loading sit at the edges.
"""

__version__ = "0.1.0"
