"""The cached dilated-conv network as Amaranth hardware, bit-exact to ``quantize/golden.py``.

``plan.make_plan`` schedules the multipliers, ``network.Network`` is the hardware (``conv_layer.ConvLayer``
per layer with a ``shift_buffer.ShiftBuffer`` or ``activation_cache.ActivationCache`` history),
``generate.generate_verilog`` writes it as Verilog, ``types`` holds the fixed-point shapes, and
``python -m rtl`` writes ``build/rtl/network.v`` and ``build/rtl/plan.json``.
"""
