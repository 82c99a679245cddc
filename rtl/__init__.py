"""Stage 3, ``make rtl``: the cached dilated-conv network as Amaranth hardware, bit-exact to
``quantize/golden.py``.

``plan.make_plan`` schedules the multipliers, ``network.Network`` is the hardware (``conv_layer.ConvLayer``
per layer with a ``shift_buffer.ShiftBuffer`` or ``activation_cache.ActivationCache`` history),
``generate.generate_verilog`` writes it as Verilog, ``types`` holds the fixed-point shapes, and
``generate.write_rtl`` writes ``network.v`` and ``plan.json`` (``python -m rtl`` for a given clock and
multiplier budget; ``make rtl`` plans for a board through ``python -m bitstream rtl``).
"""
