"""Stage 6 (beside ``bench/``), ``make gatesim``: the board's synthesis of the signal path, its mapped
netlist simulated against the golden model (``docs/gatesim.md``)."""
