"""The standards' math: pure numpy/pandas functions, no I/O (STYLE.md, convention 1)."""
