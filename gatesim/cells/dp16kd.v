// DP16KD: the ECP5 sysMEM 18 Kbit true dual-port block RAM, modelled for gate-level simulation.
//
// Written from Lattice's "ECP5 and ECP5-5G Memory Usage Guide" (FPGA-TN-02204). Two independent ports, A
// and B, each with its own clock, clock enable (CE), write enable (WE), chip selects (CS[2:0], compared with
// CSDECODE), reset (RST) and output register enable (OCE), and its own organisation (DATA_WIDTH 1, 2, 4, 9
// or 18 bits, on DI/DO[width-1:0]):
//   * the array is 1024 rows of 18 bits, two 9-bit bytes each; AD[13:4] selects the row in every
//     organisation. x18 is the whole row, with AD[1:0] the byte write enables of DI[8:0] and DI[17:9]; x9
//     is the byte AD[3]; x4, x2 and x1 words (AD[13:2], AD[13:1], AD[13:0]) fill the low 8 bits of each
//     byte in address order, the ninth bit of a byte being there in the x9 and x18 organisations only;
//   * a read is synchronous: DO shows the addressed word after the clock edge (REGMODE "NOREG"), or one
//     clock later through the output register, loaded when OCE is high (REGMODE "OUTREG");
//   * during a write the port's output shows, by WRITEMODE: "NORMAL" the previous output (unchanged),
//     "WRITETHROUGH" the word as written, "READBEFOREWRITE" the word as it was before the write;
//   * RST clears the output latch and the output register, at the clock edge (RESETMODE "SYNC") or at
//     once (RESETMODE "ASYNC"), before the clock enable;
//   * INITVAL_00..INITVAL_3F hold the initial contents, 16 rows each: row r is bits [20*(r%16) +: 18] of
//     INITVAL_(r/16) (each row padded to 20 bits).
// The guide leaves a collision undefined: one port reading (or writing) a word a bit of which the other
// port writes at the same clock edge. The model makes that read X under Icarus and the bitwise inverse of
// the stored word under Verilator (which has no X), and the bits written by both ports X / inverted, so a
// design that relied on either value fails its comparison instead of passing by luck. Other widths, an
// inverted clock or enable, and unknown modes stop the simulation at its start with a message. The global
// set/reset (GSR) is not modelled: the outputs start at 0.

`timescale 1ns / 1ps

module DP16KD(
    DIA17, DIA16, DIA15, DIA14, DIA13, DIA12, DIA11, DIA10, DIA9, DIA8, DIA7, DIA6, DIA5, DIA4, DIA3, DIA2,
    DIA1, DIA0, ADA13, ADA12, ADA11, ADA10, ADA9, ADA8, ADA7, ADA6, ADA5, ADA4, ADA3, ADA2, ADA1, ADA0, CEA,
    OCEA, CLKA, WEA, RSTA, CSA2, CSA1, CSA0, DOA17, DOA16, DOA15, DOA14, DOA13, DOA12, DOA11, DOA10, DOA9,
    DOA8, DOA7, DOA6, DOA5, DOA4, DOA3, DOA2, DOA1, DOA0, DIB17, DIB16, DIB15, DIB14, DIB13, DIB12, DIB11,
    DIB10, DIB9, DIB8, DIB7, DIB6, DIB5, DIB4, DIB3, DIB2, DIB1, DIB0, ADB13, ADB12, ADB11, ADB10, ADB9, ADB8,
    ADB7, ADB6, ADB5, ADB4, ADB3, ADB2, ADB1, ADB0, CEB, OCEB, CLKB, WEB, RSTB, CSB2, CSB1, CSB0, DOB17, DOB16,
    DOB15, DOB14, DOB13, DOB12, DOB11, DOB10, DOB9, DOB8, DOB7, DOB6, DOB5, DOB4, DOB3, DOB2, DOB1, DOB0
);
    input DIA17, DIA16, DIA15, DIA14, DIA13, DIA12, DIA11, DIA10, DIA9, DIA8, DIA7, DIA6, DIA5, DIA4, DIA3,
          DIA2, DIA1, DIA0, ADA13, ADA12, ADA11, ADA10, ADA9, ADA8, ADA7, ADA6, ADA5, ADA4, ADA3, ADA2, ADA1,
          ADA0, CEA, OCEA, CLKA, WEA, RSTA, CSA2, CSA1, CSA0;
    input DIB17, DIB16, DIB15, DIB14, DIB13, DIB12, DIB11, DIB10, DIB9, DIB8, DIB7, DIB6, DIB5, DIB4, DIB3,
          DIB2, DIB1, DIB0, ADB13, ADB12, ADB11, ADB10, ADB9, ADB8, ADB7, ADB6, ADB5, ADB4, ADB3, ADB2, ADB1,
          ADB0, CEB, OCEB, CLKB, WEB, RSTB, CSB2, CSB1, CSB0;
    output DOA17, DOA16, DOA15, DOA14, DOA13, DOA12, DOA11, DOA10, DOA9, DOA8, DOA7, DOA6, DOA5, DOA4, DOA3,
           DOA2, DOA1, DOA0;
    output DOB17, DOB16, DOB15, DOB14, DOB13, DOB12, DOB11, DOB10, DOB9, DOB8, DOB7, DOB6, DOB5, DOB4, DOB3,
           DOB2, DOB1, DOB0;

    parameter DATA_WIDTH_A = 18;
    parameter DATA_WIDTH_B = 18;
    parameter REGMODE_A = "NOREG";
    parameter REGMODE_B = "NOREG";
    parameter RESETMODE = "SYNC";
    parameter ASYNC_RESET_RELEASE = "SYNC";
    parameter CSDECODE_A = "0b000";
    parameter CSDECODE_B = "0b000";
    parameter WRITEMODE_A = "NORMAL";
    parameter WRITEMODE_B = "NORMAL";
    parameter CLKAMUX = "CLKA";
    parameter CLKBMUX = "CLKB";
    parameter CEAMUX = "CEA";
    parameter CEBMUX = "CEB";
    parameter OCEAMUX = "OCEA";
    parameter OCEBMUX = "OCEB";
    parameter WEAMUX = "WEA";
    parameter WEBMUX = "WEB";
    parameter RSTAMUX = "RSTA";
    parameter RSTBMUX = "RSTB";
    parameter GSR = "ENABLED";
    parameter INIT_DATA = "STATIC";
    parameter INITVAL_00 = 320'h0;
    parameter INITVAL_01 = 320'h0;
    parameter INITVAL_02 = 320'h0;
    parameter INITVAL_03 = 320'h0;
    parameter INITVAL_04 = 320'h0;
    parameter INITVAL_05 = 320'h0;
    parameter INITVAL_06 = 320'h0;
    parameter INITVAL_07 = 320'h0;
    parameter INITVAL_08 = 320'h0;
    parameter INITVAL_09 = 320'h0;
    parameter INITVAL_0A = 320'h0;
    parameter INITVAL_0B = 320'h0;
    parameter INITVAL_0C = 320'h0;
    parameter INITVAL_0D = 320'h0;
    parameter INITVAL_0E = 320'h0;
    parameter INITVAL_0F = 320'h0;
    parameter INITVAL_10 = 320'h0;
    parameter INITVAL_11 = 320'h0;
    parameter INITVAL_12 = 320'h0;
    parameter INITVAL_13 = 320'h0;
    parameter INITVAL_14 = 320'h0;
    parameter INITVAL_15 = 320'h0;
    parameter INITVAL_16 = 320'h0;
    parameter INITVAL_17 = 320'h0;
    parameter INITVAL_18 = 320'h0;
    parameter INITVAL_19 = 320'h0;
    parameter INITVAL_1A = 320'h0;
    parameter INITVAL_1B = 320'h0;
    parameter INITVAL_1C = 320'h0;
    parameter INITVAL_1D = 320'h0;
    parameter INITVAL_1E = 320'h0;
    parameter INITVAL_1F = 320'h0;
    parameter INITVAL_20 = 320'h0;
    parameter INITVAL_21 = 320'h0;
    parameter INITVAL_22 = 320'h0;
    parameter INITVAL_23 = 320'h0;
    parameter INITVAL_24 = 320'h0;
    parameter INITVAL_25 = 320'h0;
    parameter INITVAL_26 = 320'h0;
    parameter INITVAL_27 = 320'h0;
    parameter INITVAL_28 = 320'h0;
    parameter INITVAL_29 = 320'h0;
    parameter INITVAL_2A = 320'h0;
    parameter INITVAL_2B = 320'h0;
    parameter INITVAL_2C = 320'h0;
    parameter INITVAL_2D = 320'h0;
    parameter INITVAL_2E = 320'h0;
    parameter INITVAL_2F = 320'h0;
    parameter INITVAL_30 = 320'h0;
    parameter INITVAL_31 = 320'h0;
    parameter INITVAL_32 = 320'h0;
    parameter INITVAL_33 = 320'h0;
    parameter INITVAL_34 = 320'h0;
    parameter INITVAL_35 = 320'h0;
    parameter INITVAL_36 = 320'h0;
    parameter INITVAL_37 = 320'h0;
    parameter INITVAL_38 = 320'h0;
    parameter INITVAL_39 = 320'h0;
    parameter INITVAL_3A = 320'h0;
    parameter INITVAL_3B = 320'h0;
    parameter INITVAL_3C = 320'h0;
    parameter INITVAL_3D = 320'h0;
    parameter INITVAL_3E = 320'h0;
    parameter INITVAL_3F = 320'h0;

    localparam ROWS = 1024;
    localparam ASYNC = RESETMODE == "ASYNC";
    localparam WA = DATA_WIDTH_A;
    localparam WB = DATA_WIDTH_B;

    // The array as 1024 rows of 18 bits (two 9-bit bytes), the way INITVAL lays it out.
    reg [17:0] memory [0:ROWS-1];
    reg [17:0] latch_a = 18'h0, latch_b = 18'h0, out_a = 18'h0, out_b = 18'h0;

    task load_row(input integer group, input [319:0] value);
        integer j;
        for (j = 0; j < 16; j = j + 1)
            memory[group * 16 + j] = value[20 * j +: 18];
    endtask

    function valid_width(input integer width);
        valid_width = width == 1 || width == 2 || width == 4 || width == 9 || width == 18;
    endfunction

    function [2:0] decode(input [8*5-1:0] name);
        decode = {name[23:16] == "1", name[15:8] == "1", name[7:0] == "1"};
    endfunction

    initial begin
        if (!valid_width(DATA_WIDTH_A) || !valid_width(DATA_WIDTH_B))
            $fatal(1, "DP16KD %m: DATA_WIDTH_A = %0d, DATA_WIDTH_B = %0d: the widths are 1, 2, 4, 9 and 18",
                   DATA_WIDTH_A, DATA_WIDTH_B);
        if ((REGMODE_A != "NOREG" && REGMODE_A != "OUTREG") || (REGMODE_B != "NOREG" && REGMODE_B != "OUTREG"))
            $fatal(1, "DP16KD %m: REGMODE_A = \"%0s\", REGMODE_B = \"%0s\" not modelled", REGMODE_A, REGMODE_B);
        if (RESETMODE != "SYNC" && RESETMODE != "ASYNC")
            $fatal(1, "DP16KD %m: RESETMODE = \"%0s\" not modelled", RESETMODE);
        if ((WRITEMODE_A != "NORMAL" && WRITEMODE_A != "WRITETHROUGH" && WRITEMODE_A != "READBEFOREWRITE") ||
            (WRITEMODE_B != "NORMAL" && WRITEMODE_B != "WRITETHROUGH" && WRITEMODE_B != "READBEFOREWRITE"))
            $fatal(1, "DP16KD %m: WRITEMODE_A = \"%0s\", WRITEMODE_B = \"%0s\" not modelled", WRITEMODE_A,
                   WRITEMODE_B);
        if (CLKAMUX != "CLKA" || CLKBMUX != "CLKB" || CEAMUX != "CEA" || CEBMUX != "CEB" || OCEAMUX != "OCEA" ||
            OCEBMUX != "OCEB" || WEAMUX != "WEA" || WEBMUX != "WEB" || RSTAMUX != "RSTA" || RSTBMUX != "RSTB")
            $fatal(1, "DP16KD %m: an inverted or constant clock, enable or reset (*MUX) is not modelled");
        if (INIT_DATA != "STATIC")
            $fatal(1, "DP16KD %m: INIT_DATA = \"%0s\" not modelled", INIT_DATA);
        load_row(0, INITVAL_00);
        load_row(1, INITVAL_01);
        load_row(2, INITVAL_02);
        load_row(3, INITVAL_03);
        load_row(4, INITVAL_04);
        load_row(5, INITVAL_05);
        load_row(6, INITVAL_06);
        load_row(7, INITVAL_07);
        load_row(8, INITVAL_08);
        load_row(9, INITVAL_09);
        load_row(10, INITVAL_0A);
        load_row(11, INITVAL_0B);
        load_row(12, INITVAL_0C);
        load_row(13, INITVAL_0D);
        load_row(14, INITVAL_0E);
        load_row(15, INITVAL_0F);
        load_row(16, INITVAL_10);
        load_row(17, INITVAL_11);
        load_row(18, INITVAL_12);
        load_row(19, INITVAL_13);
        load_row(20, INITVAL_14);
        load_row(21, INITVAL_15);
        load_row(22, INITVAL_16);
        load_row(23, INITVAL_17);
        load_row(24, INITVAL_18);
        load_row(25, INITVAL_19);
        load_row(26, INITVAL_1A);
        load_row(27, INITVAL_1B);
        load_row(28, INITVAL_1C);
        load_row(29, INITVAL_1D);
        load_row(30, INITVAL_1E);
        load_row(31, INITVAL_1F);
        load_row(32, INITVAL_20);
        load_row(33, INITVAL_21);
        load_row(34, INITVAL_22);
        load_row(35, INITVAL_23);
        load_row(36, INITVAL_24);
        load_row(37, INITVAL_25);
        load_row(38, INITVAL_26);
        load_row(39, INITVAL_27);
        load_row(40, INITVAL_28);
        load_row(41, INITVAL_29);
        load_row(42, INITVAL_2A);
        load_row(43, INITVAL_2B);
        load_row(44, INITVAL_2C);
        load_row(45, INITVAL_2D);
        load_row(46, INITVAL_2E);
        load_row(47, INITVAL_2F);
        load_row(48, INITVAL_30);
        load_row(49, INITVAL_31);
        load_row(50, INITVAL_32);
        load_row(51, INITVAL_33);
        load_row(52, INITVAL_34);
        load_row(53, INITVAL_35);
        load_row(54, INITVAL_36);
        load_row(55, INITVAL_37);
        load_row(56, INITVAL_38);
        load_row(57, INITVAL_39);
        load_row(58, INITVAL_3A);
        load_row(59, INITVAL_3B);
        load_row(60, INITVAL_3C);
        load_row(61, INITVAL_3D);
        load_row(62, INITVAL_3E);
        load_row(63, INITVAL_3F);
    end

    wire [13:0] address_a = {ADA13, ADA12, ADA11, ADA10, ADA9, ADA8, ADA7, ADA6, ADA5, ADA4, ADA3, ADA2, ADA1, ADA0};
    wire [13:0] address_b = {ADB13, ADB12, ADB11, ADB10, ADB9, ADB8, ADB7, ADB6, ADB5, ADB4, ADB3, ADB2, ADB1, ADB0};
    wire [17:0] data_a = {DIA17, DIA16, DIA15, DIA14, DIA13, DIA12, DIA11, DIA10, DIA9, DIA8, DIA7, DIA6, DIA5, DIA4, DIA3, DIA2, DIA1, DIA0};
    wire [17:0] data_b = {DIB17, DIB16, DIB15, DIB14, DIB13, DIB12, DIB11, DIB10, DIB9, DIB8, DIB7, DIB6, DIB5, DIB4, DIB3, DIB2, DIB1, DIB0};

    // Where a port's word lies: its row is AD[13:4] in every organisation; within the row, x18 is the whole
    // row, x9 the byte AD[3], and x4 / x2 / x1 words fill the low 8 bits of each byte in address order (the
    // ninth bit of a byte exists in the x9 and x18 organisations only).
    function [4:0] position(input [13:0] address, input integer width);
        reg [3:0] bit_in_row;
        begin
            bit_in_row = width == 4 ? {address[3:2], 2'b00} : width == 2 ? {address[3:1], 1'b0} : address[3:0];
            if (width == 18) position = 0;
            else if (width == 9) position = address[3] ? 9 : 0;
            else position = bit_in_row + (bit_in_row >= 8 ? 1 : 0);
        end
    endfunction

    wire [9:0] row_a = address_a[13:4];
    wire [9:0] row_b = address_b[13:4];
    wire [4:0] pos_a = position(address_a, WA);
    wire [4:0] pos_b = position(address_b, WB);
    // x18 writes its two bytes by the byte enables AD[1:0]; the other widths write the whole word
    wire [17:0] write_mask_a = WA == 18 ? {{9{address_a[1]}}, {9{address_a[0]}}} : ((18'h1 << WA) - 1) << pos_a;
    wire [17:0] write_mask_b = WB == 18 ? {{9{address_b[1]}}, {9{address_b[0]}}} : ((18'h1 << WB) - 1) << pos_b;
    wire [17:0] word_mask_a = ((18'h1 << WA) - 1) << pos_a;
    wire [17:0] word_mask_b = ((18'h1 << WB) - 1) << pos_b;
    wire selected_a = {CSA2, CSA1, CSA0} == decode(CSDECODE_A);
    wire selected_b = {CSB2, CSB1, CSB0} == decode(CSDECODE_B);
    wire active_a = CEA && selected_a;
    wire active_b = CEB && selected_b;
    wire write_a = active_a && WEA && write_mask_a != 0;
    wire write_b = active_b && WEB && write_mask_b != 0;

`ifdef VERILATOR
    function [17:0] undefined(input [17:0] stored);
        undefined = ~stored;
    endfunction
`else
    function [17:0] undefined(input [17:0] stored);
        undefined = 18'bx;
    endfunction
`endif

    // Both ports in one process, so that edges of the two clocks at the same instant are handled together
    // and a collision is seen as one: the other port writes a bit of this port's word at the same edge.
    reg clock_a_was = 1'b0, clock_b_was = 1'b0;
    reg edge_a, edge_b, hit_a, hit_b;
    reg [17:0] old_row_a, old_row_b, new_row_a, new_row_b;
    always @(posedge CLKA or posedge CLKB) begin
        edge_a = CLKA && !clock_a_was;
        edge_b = CLKB && !clock_b_was;
        clock_a_was = CLKA;
        clock_b_was = CLKB;
        old_row_a = memory[row_a];
        old_row_b = memory[row_b];
        new_row_a = (old_row_a & ~write_mask_a) | ((data_a << pos_a) & write_mask_a);
        new_row_b = (old_row_b & ~write_mask_b) | ((data_b << pos_b) & write_mask_b);
        hit_a = edge_b && write_b && row_b == row_a && (write_mask_b & word_mask_a) != 0;
        hit_b = edge_a && write_a && row_a == row_b && (write_mask_a & word_mask_b) != 0;
        // output registers first: they take the latch as it was before this edge
        if (edge_a && REGMODE_A == "OUTREG")
            if (RSTA) out_a <= 18'h0;
            else if (OCEA) out_a <= latch_a;
        if (edge_b && REGMODE_B == "OUTREG")
            if (RSTB) out_b <= 18'h0;
            else if (OCEB) out_b <= latch_b;
        if (edge_a && RSTA) latch_a <= 18'h0;
        else if (edge_a && active_a)
            if (hit_a) latch_a <= undefined(old_row_a >> pos_a) & ((18'h1 << WA) - 1);
            else if (!write_a) latch_a <= (old_row_a >> pos_a) & ((18'h1 << WA) - 1);
            else if (WRITEMODE_A == "WRITETHROUGH") latch_a <= (new_row_a >> pos_a) & ((18'h1 << WA) - 1);
            else if (WRITEMODE_A == "READBEFOREWRITE") latch_a <= (old_row_a >> pos_a) & ((18'h1 << WA) - 1);
        if (edge_b && RSTB) latch_b <= 18'h0;
        else if (edge_b && active_b)
            if (hit_b) latch_b <= undefined(old_row_b >> pos_b) & ((18'h1 << WB) - 1);
            else if (!write_b) latch_b <= (old_row_b >> pos_b) & ((18'h1 << WB) - 1);
            else if (WRITEMODE_B == "WRITETHROUGH") latch_b <= (new_row_b >> pos_b) & ((18'h1 << WB) - 1);
            else if (WRITEMODE_B == "READBEFOREWRITE") latch_b <= (old_row_b >> pos_b) & ((18'h1 << WB) - 1);
        if (edge_a && write_a && edge_b && write_b && row_a == row_b && (write_mask_a & write_mask_b) != 0)
            memory[row_a] <= (new_row_a & ~write_mask_b) | (new_row_b & ~write_mask_a)
                             | (undefined(old_row_a) & write_mask_a & write_mask_b);
        else if (edge_a && write_a && edge_b && write_b && row_a == row_b)
            memory[row_a] <= (old_row_a & ~write_mask_a & ~write_mask_b) | (new_row_a & write_mask_a)
                             | (new_row_b & write_mask_b);
        else begin
            if (edge_a && write_a) memory[row_a] <= new_row_a;
            if (edge_b && write_b) memory[row_b] <= new_row_b;
        end
    end
    always @(negedge CLKA) clock_a_was = 1'b0;
    always @(negedge CLKB) clock_b_was = 1'b0;

    // An asynchronous reset clears the outputs at once.
    always @(posedge RSTA) if (ASYNC) begin latch_a <= 18'h0; out_a <= 18'h0; end
    always @(posedge RSTB) if (ASYNC) begin latch_b <= 18'h0; out_b <= 18'h0; end

    assign {DOA17, DOA16, DOA15, DOA14, DOA13, DOA12, DOA11, DOA10, DOA9, DOA8, DOA7, DOA6, DOA5, DOA4, DOA3, DOA2, DOA1, DOA0} = REGMODE_A == "OUTREG" ? out_a : latch_a;
    assign {DOB17, DOB16, DOB15, DOB14, DOB13, DOB12, DOB11, DOB10, DOB9, DOB8, DOB7, DOB6, DOB5, DOB4, DOB3, DOB2, DOB1, DOB0} = REGMODE_B == "OUTREG" ? out_b : latch_b;
endmodule
