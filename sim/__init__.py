"""Stage 4, ``make sim``: the generated Verilog proven bit-exact against the golden model under cocotb.

* :mod:`sim.harness`: Verilog harness (clock inside the simulator, input FIFO, cycle measurements);
* :mod:`sim.runner`: builds with Verilator or Icarus through ``cocotb_tools.runner`` and runs samples;
* :mod:`sim.cocotb_bench`: the cocotb test inside the simulator (one Python action per sample);
* :mod:`sim.compare` / :mod:`sim.check`: integer comparison, first divergence, timing against the plan;
* ``python -m sim``: ``make sim`` (report.json and output.wav under build/sim/).
"""
