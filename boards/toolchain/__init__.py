"""The FPGA tools, for any top level and board: the YoWASP yosys / nextpnr-ecp5 / ecppack run and its
LUT-mapping recipe (:mod:`.runner`), the nextpnr log parser (:mod:`.report`) and openFPGALoader
(:mod:`.flash`)."""
