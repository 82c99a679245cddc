"""The harness generator: port discovery and the Verilog it writes (no simulator needed)."""

from __future__ import annotations

import pytest

from sim.harness import HarnessError, generate_harness, read_ports
from sim.tests.standin import standin_verilog


def test_read_ports_finds_stream_and_debug_ports():
    ports = read_ports(standin_verilog(3), "network")
    assert (ports.in_width, ports.out_width, ports.layer_widths) == (48, 48, (48,))
    assert ports.has_debug


def test_read_ports_names_the_missing_port():
    text = standin_verilog(2).replace("o__ready", "o__readx")
    with pytest.raises(HarnessError, match="o__ready"):
        read_ports(text, "network")


def test_read_ports_names_the_missing_module():
    with pytest.raises(HarnessError, match="module 'nope' not found"):
        read_ports(standin_verilog(2), "nope")


def test_harness_selects_between_designs():
    a = read_ports(standin_verilog(2), "network")
    b = read_ports(standin_verilog(4), "network")
    text = generate_harness([a, b], clock="pulse", timeout_cycles=77)
    assert "sim_core0 core0" in text and "sim_core1 core1" in text
    assert "input wire [63:0] in_payload" in text  # the widest design sets the shared port
    assert "watchdog == 77" in text


def test_harness_rejects_bad_options():
    ports = read_ports(standin_verilog(2), "network")
    with pytest.raises(ValueError, match="clock"):
        generate_harness(ports, clock="sine")
    with pytest.raises(ValueError, match="power of two"):
        generate_harness(ports, fifo_depth=6)
