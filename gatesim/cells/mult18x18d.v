// MULT18X18D: the ECP5 sysDSP block's 18x18 multiplier, modelled for gate-level simulation.
//
// Written from Lattice's "ECP5 and ECP5-5G sysDSP Usage Guide" (FPGA-TN-02205): an 18 x 18 multiplier with
// an optional input register on each operand (A, B and C, each with its SIGNED control), an optional
// pipeline register after the multiplier and an optional output register on the 36-bit product P. Each
// register picks one of the block's four clocks, clock enables and resets by parameter (REG_*_CLK = "NONE"
// or "CLK0".."CLK3", REG_*_CE = "CE0".."CE3", REG_*_RST = "RST0".."RST3"); RESETMODE chooses a synchronous
// or an asynchronous reset, and a reset has priority over the clock enable. SIGNEDA / SIGNEDB say whether
// the operand is two's complement (1) or unsigned (0); they travel through the operand's input register.
// The product is the exact 36-bit A x B of the operands so interpreted; SIGNEDP is SIGNEDA | SIGNEDB.
//
// What the model does not implement stops the simulation at its start with a message, never silently:
// MULT_BYPASS, cascading (CAS_MATCH_REG), the shift inputs (SOURCEA/SOURCEB high, SOURCEB_MODE other than
// B_SHIFT), HIGHSPEED_CLK, an unknown clock / enable / reset name. The shift and register outputs
// (SROA, SROB, ROA, ROB, ROC) are driven X: a design that uses them shows X (Icarus) or fails its comparison.
// The global set/reset (GSR) is not modelled: every register starts at 0, as after configuration.

`timescale 1ns / 1ps

module MULT18X18D(
    A17, A16, A15, A14, A13, A12, A11, A10, A9, A8, A7, A6, A5, A4, A3, A2, A1, A0, B17, B16, B15, B14, B13,
    B12, B11, B10, B9, B8, B7, B6, B5, B4, B3, B2, B1, B0, C17, C16, C15, C14, C13, C12, C11, C10, C9, C8,
    C7, C6, C5, C4, C3, C2, C1, C0, SIGNEDA, SIGNEDB, SOURCEA, SOURCEB, CLK3, CLK2, CLK1, CLK0, CE3, CE2,
    CE1, CE0, RST3, RST2, RST1, RST0, SRIA17, SRIA16, SRIA15, SRIA14, SRIA13, SRIA12, SRIA11, SRIA10, SRIA9,
    SRIA8, SRIA7, SRIA6, SRIA5, SRIA4, SRIA3, SRIA2, SRIA1, SRIA0, SRIB17, SRIB16, SRIB15, SRIB14, SRIB13,
    SRIB12, SRIB11, SRIB10, SRIB9, SRIB8, SRIB7, SRIB6, SRIB5, SRIB4, SRIB3, SRIB2, SRIB1, SRIB0,
    SROA17, SROA16, SROA15, SROA14, SROA13, SROA12, SROA11, SROA10, SROA9, SROA8, SROA7, SROA6, SROA5, SROA4,
    SROA3, SROA2, SROA1, SROA0, SROB17, SROB16, SROB15, SROB14, SROB13, SROB12, SROB11, SROB10, SROB9, SROB8,
    SROB7, SROB6, SROB5, SROB4, SROB3, SROB2, SROB1, SROB0, ROA17, ROA16, ROA15, ROA14, ROA13, ROA12, ROA11,
    ROA10, ROA9, ROA8, ROA7, ROA6, ROA5, ROA4, ROA3, ROA2, ROA1, ROA0, ROB17, ROB16, ROB15, ROB14, ROB13,
    ROB12, ROB11, ROB10, ROB9, ROB8, ROB7, ROB6, ROB5, ROB4, ROB3, ROB2, ROB1, ROB0, ROC17, ROC16, ROC15,
    ROC14, ROC13, ROC12, ROC11, ROC10, ROC9, ROC8, ROC7, ROC6, ROC5, ROC4, ROC3, ROC2, ROC1, ROC0, P35, P34,
    P33, P32, P31, P30, P29, P28, P27, P26, P25, P24, P23, P22, P21, P20, P19, P18, P17, P16, P15, P14, P13,
    P12, P11, P10, P9, P8, P7, P6, P5, P4, P3, P2, P1, P0, SIGNEDP
);
    input A17, A16, A15, A14, A13, A12, A11, A10, A9, A8, A7, A6, A5, A4, A3, A2, A1, A0, B17, B16, B15, B14,
          B13, B12, B11, B10, B9, B8, B7, B6, B5, B4, B3, B2, B1, B0, C17, C16, C15, C14, C13, C12, C11, C10,
          C9, C8, C7, C6, C5, C4, C3, C2, C1, C0, SIGNEDA, SIGNEDB, SOURCEA, SOURCEB, CLK3, CLK2, CLK1, CLK0,
          CE3, CE2, CE1, CE0, RST3, RST2, RST1, RST0, SRIA17, SRIA16, SRIA15, SRIA14, SRIA13, SRIA12, SRIA11,
          SRIA10, SRIA9, SRIA8, SRIA7, SRIA6, SRIA5, SRIA4, SRIA3, SRIA2, SRIA1, SRIA0, SRIB17, SRIB16, SRIB15,
          SRIB14, SRIB13, SRIB12, SRIB11, SRIB10, SRIB9, SRIB8, SRIB7, SRIB6, SRIB5, SRIB4, SRIB3, SRIB2,
          SRIB1, SRIB0;
    output SROA17, SROA16, SROA15, SROA14, SROA13, SROA12, SROA11, SROA10, SROA9, SROA8, SROA7, SROA6, SROA5,
           SROA4, SROA3, SROA2, SROA1, SROA0, SROB17, SROB16, SROB15, SROB14, SROB13, SROB12, SROB11, SROB10,
           SROB9, SROB8, SROB7, SROB6, SROB5, SROB4, SROB3, SROB2, SROB1, SROB0, ROA17, ROA16, ROA15, ROA14,
           ROA13, ROA12, ROA11, ROA10, ROA9, ROA8, ROA7, ROA6, ROA5, ROA4, ROA3, ROA2, ROA1, ROA0, ROB17,
           ROB16, ROB15, ROB14, ROB13, ROB12, ROB11, ROB10, ROB9, ROB8, ROB7, ROB6, ROB5, ROB4, ROB3, ROB2,
           ROB1, ROB0, ROC17, ROC16, ROC15, ROC14, ROC13, ROC12, ROC11, ROC10, ROC9, ROC8, ROC7, ROC6, ROC5,
           ROC4, ROC3, ROC2, ROC1, ROC0, P35, P34, P33, P32, P31, P30, P29, P28, P27, P26, P25, P24, P23, P22,
           P21, P20, P19, P18, P17, P16, P15, P14, P13, P12, P11, P10, P9, P8, P7, P6, P5, P4, P3, P2, P1, P0,
           SIGNEDP;

    parameter REG_INPUTA_CLK = "NONE";
    parameter REG_INPUTA_CE = "CE0";
    parameter REG_INPUTA_RST = "RST0";
    parameter REG_INPUTB_CLK = "NONE";
    parameter REG_INPUTB_CE = "CE0";
    parameter REG_INPUTB_RST = "RST0";
    parameter REG_INPUTC_CLK = "NONE";
    parameter REG_INPUTC_CE = "CE0";
    parameter REG_INPUTC_RST = "RST0";
    parameter REG_PIPELINE_CLK = "NONE";
    parameter REG_PIPELINE_CE = "CE0";
    parameter REG_PIPELINE_RST = "RST0";
    parameter REG_OUTPUT_CLK = "NONE";
    parameter REG_OUTPUT_CE = "CE0";
    parameter REG_OUTPUT_RST = "RST0";
    parameter CLK0_DIV = "ENABLED";
    parameter CLK1_DIV = "ENABLED";
    parameter CLK2_DIV = "ENABLED";
    parameter CLK3_DIV = "ENABLED";
    parameter HIGHSPEED_CLK = "NONE";
    parameter GSR = "ENABLED";
    parameter CAS_MATCH_REG = "FALSE";
    parameter SOURCEB_MODE = "B_SHIFT";
    parameter MULT_BYPASS = "DISABLED";
    parameter RESETMODE = "SYNC";

    wire [17:0] a = {A17, A16, A15, A14, A13, A12, A11, A10, A9, A8, A7, A6, A5, A4, A3, A2, A1, A0};
    wire [17:0] b = {B17, B16, B15, B14, B13, B12, B11, B10, B9, B8, B7, B6, B5, B4, B3, B2, B1, B0};
    wire [17:0] c = {C17, C16, C15, C14, C13, C12, C11, C10, C9, C8, C7, C6, C5, C4, C3, C2, C1, C0};
    wire [3:0] clk = {CLK3, CLK2, CLK1, CLK0};
    wire [3:0] ce = {CE3, CE2, CE1, CE0};
    wire [3:0] rst = {RST3, RST2, RST1, RST0};
    localparam ASYNC = RESETMODE == "ASYNC";

    // The operands with their signedness, through the input registers.
    wire [18:0] a_in, b_in, c_in;
    MULT18X18D_register #(.WIDTH(19), .CLK(REG_INPUTA_CLK), .CE(REG_INPUTA_CE), .RST(REG_INPUTA_RST), .ASYNC(ASYNC))
        input_a (.clk(clk), .ce(ce), .rst(rst), .d({SIGNEDA, a}), .q(a_in));
    MULT18X18D_register #(.WIDTH(19), .CLK(REG_INPUTB_CLK), .CE(REG_INPUTB_CE), .RST(REG_INPUTB_RST), .ASYNC(ASYNC))
        input_b (.clk(clk), .ce(ce), .rst(rst), .d({SIGNEDB, b}), .q(b_in));
    MULT18X18D_register #(.WIDTH(19), .CLK(REG_INPUTC_CLK), .CE(REG_INPUTC_CE), .RST(REG_INPUTC_RST), .ASYNC(ASYNC))
        input_c (.clk(clk), .ce(ce), .rst(rst), .d({1'b0, c}), .q(c_in));

    // Each operand widened to 37 bits by its own signedness: the product of the widened operands, cut to
    // 36 bits, is the exact product for every combination of signedness.
    wire [36:0] a_wide = {{19{a_in[18] & a_in[17]}}, a_in[17:0]};
    wire [36:0] b_wide = {{19{b_in[18] & b_in[17]}}, b_in[17:0]};
    wire [73:0] product_wide = a_wide * b_wide;
    wire [36:0] product = {a_in[18] | b_in[18], product_wide[35:0]};

    wire [36:0] pipelined, registered;
    MULT18X18D_register #(.WIDTH(37), .CLK(REG_PIPELINE_CLK), .CE(REG_PIPELINE_CE), .RST(REG_PIPELINE_RST),
                          .ASYNC(ASYNC))
        pipeline (.clk(clk), .ce(ce), .rst(rst), .d(product), .q(pipelined));
    MULT18X18D_register #(.WIDTH(37), .CLK(REG_OUTPUT_CLK), .CE(REG_OUTPUT_CE), .RST(REG_OUTPUT_RST), .ASYNC(ASYNC))
        output_register (.clk(clk), .ce(ce), .rst(rst), .d(pipelined), .q(registered));

    assign {SIGNEDP, P35, P34, P33, P32, P31, P30, P29, P28, P27, P26, P25, P24, P23, P22, P21, P20, P19, P18, P17, P16, P15, P14, P13, P12, P11, P10, P9, P8, P7, P6, P5, P4, P3, P2, P1, P0} = registered;
    assign {SROA17, SROA16, SROA15, SROA14, SROA13, SROA12, SROA11, SROA10, SROA9, SROA8, SROA7, SROA6, SROA5, SROA4, SROA3, SROA2, SROA1, SROA0, SROB17, SROB16, SROB15, SROB14, SROB13, SROB12, SROB11, SROB10, SROB9, SROB8, SROB7, SROB6, SROB5, SROB4, SROB3, SROB2, SROB1, SROB0} = {36{1'bx}};
    assign {ROA17, ROA16, ROA15, ROA14, ROA13, ROA12, ROA11, ROA10, ROA9, ROA8, ROA7, ROA6, ROA5, ROA4, ROA3, ROA2, ROA1, ROA0, ROB17, ROB16, ROB15, ROB14, ROB13, ROB12, ROB11, ROB10, ROB9, ROB8, ROB7, ROB6, ROB5, ROB4, ROB3, ROB2, ROB1, ROB0, ROC17, ROC16, ROC15, ROC14, ROC13, ROC12, ROC11, ROC10, ROC9, ROC8, ROC7, ROC6, ROC5, ROC4, ROC3, ROC2, ROC1, ROC0} = {54{1'bx}};

    initial begin
        if (MULT_BYPASS != "DISABLED") begin
            $fatal(1, "MULT18X18D %m: MULT_BYPASS = \"%0s\" is not modelled", MULT_BYPASS);
        end
        if (CAS_MATCH_REG != "FALSE") begin
            $fatal(1, "MULT18X18D %m: CAS_MATCH_REG = \"%0s\" (cascading) is not modelled", CAS_MATCH_REG);
        end
        if (SOURCEB_MODE != "B_SHIFT") begin
            $fatal(1, "MULT18X18D %m: SOURCEB_MODE = \"%0s\" is not modelled", SOURCEB_MODE);
        end
        if (HIGHSPEED_CLK != "NONE") begin
            $fatal(1, "MULT18X18D %m: HIGHSPEED_CLK = \"%0s\" is not modelled", HIGHSPEED_CLK);
        end
        if (RESETMODE != "SYNC" && RESETMODE != "ASYNC") begin
            $fatal(1, "MULT18X18D %m: RESETMODE = \"%0s\" is not SYNC or ASYNC", RESETMODE);
        end
    end
    // The shift chain is not modelled: the operands must come from the A and B inputs.
    always @(SOURCEA or SOURCEB)
        if (SOURCEA === 1'b1 || SOURCEB === 1'b1) begin
            $fatal(1, "MULT18X18D %m: SOURCEA/SOURCEB high (shift input) is not modelled");
        end
endmodule

// One optional register of the block: CLK = "NONE" passes d through; otherwise it is clocked by
// clk[CLKn], enabled by ce[CEn] and cleared by rst[RSTn] (synchronously, or asynchronously with ASYNC).
module MULT18X18D_register #(
    parameter WIDTH = 18,
    parameter CLK = "NONE",
    parameter CE = "CE0",
    parameter RST = "RST0",
    parameter ASYNC = 0
) (
    input [3:0] clk, ce, rst,
    input [WIDTH-1:0] d,
    output [WIDTH-1:0] q
);
    function integer select(input [8*8-1:0] name, input [8*3-1:0] prefix);
        begin
            select = -2;
            if (name == "NONE") select = -1;
            else if (name[8*8-1:8] == prefix && name[7:0] >= "0" && name[7:0] <= "3") select = name[7:0] - "0";
        end
    endfunction
    localparam CLK_INDEX = select(CLK, "CLK");
    localparam CE_INDEX = select(CE, "CE");
    localparam RST_INDEX = select(RST, "RST");

    initial
        if (CLK_INDEX == -2 || (CLK_INDEX >= 0 && (CE_INDEX < 0 || RST_INDEX < 0))) begin
            $fatal(1, "MULT18X18D %m: register clock \"%0s\", enable \"%0s\", reset \"%0s\" not modelled",
                     CLK, CE, RST);
        end

    generate
        if (CLK_INDEX < 0) begin : bypass
            assign q = d;
        end else begin : register
            reg [WIDTH-1:0] value = {WIDTH{1'b0}};
            wire clock = clk[CLK_INDEX];
            wire enable = ce[CE_INDEX < 0 ? 0 : CE_INDEX];
            wire reset = rst[RST_INDEX < 0 ? 0 : RST_INDEX];
            if (ASYNC) begin : async_reset
                always @(posedge clock or posedge reset)
                    if (reset) value <= {WIDTH{1'b0}};
                    else if (enable) value <= d;
            end else begin : sync_reset
                always @(posedge clock)
                    if (reset) value <= {WIDTH{1'b0}};
                    else if (enable) value <= d;
            end
            assign q = value;
        end
    endgenerate
endmodule
