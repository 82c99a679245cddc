"""Test doubles of the toolchain tests: a canned nextpnr log, which the bitstream/ build tests use too."""

# Shaped like nextpnr-ecp5 0.11's log (docs/fpga-flow.md §5): tab-indented utilisation, an estimate after
# placement and the final figures after routing. Numbers are made up so that the two reports differ.
NEXTPNR_LOG = """\
Info: Device utilisation:
Info: \t          TRELLIS_IO:      10/    365     2%
Info: \t              DP16KD:       6/    208     2%
Info: \t          MULT18X18D:       9/    156     5%
Info: \t             EHXPLLL:       1/      4    25%
Info: \t          TRELLIS_FF:    3078/  83640     3%
Info: \t        TRELLIS_COMB:    2230/  83640     2%

Info: Placed 15 cells based on constraints.
Info: Max frequency for clock        '$glbnet$clocks.audio_clk': 315.96 MHz (PASS at 49.16 MHz)
Info: Max frequency for clock '$glbnet$audio_path.dry_fifo.clk': 141.88 MHz (PASS at 91.31 MHz)
Info: Routing..
Warning: Max frequency for clock '$glbnet$audio_path.dry_fifo.clk': 88.02 MHz (FAIL at 91.31 MHz)
Info: Max frequency for clock        '$glbnet$clocks.audio_clk': 201.50 MHz (PASS at 49.16 MHz)
Info: Program finished normally.
"""
