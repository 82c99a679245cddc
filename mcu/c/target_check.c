/* target_check.c: the generated waveshaper on the Cortex-M7 under QEMU (mcu/target.py builds and runs it).
 *
 * vectors.h (generated) holds the jack codes and the golden model's outputs. The program counts the
 * instructions of two things with the machine's APB timer 0 (a 32-bit down-counter at 25 MHz, docs/mcu.md),
 * which QEMU's icount mode advances by a fixed amount per instruction:
 *   1. a calibration loop of exactly two instructions per iteration (ws_count_loop: subs, bne), for N and
 *      2N iterations: the difference must be 2N instructions;
 *   2. ws_process_block() from reset over the first half of the signal, then over all of it.
 * Then it compares every output of the full run with the golden model's and prints key=value lines over
 * semihosting. Exit status: 0 when every output matched. */
#include <stdint.h>
#include <stdio.h>

#include "vectors.h"
#include "waveshaper.h"

#define TIMER0_CTRL (*(volatile uint32_t *)0x40000000u)
#define TIMER0_VALUE (*(volatile uint32_t *)0x40000004u)
#define TIMER0_RELOAD (*(volatile uint32_t *)0x40000008u)

/* Calibration iterations. */
#define WS_CALIBRATION 100000u

static ws_code_t outputs[WS_TEST_SAMPLES * WS_OUTPUTS];

__attribute__((noinline)) void ws_count_loop(uint32_t n)
{
    __asm volatile("1:\n\tsubs %0, %0, #1\n\tbne 1b" : "+r"(n) : : "cc");
}

static uint32_t ticks_of_loop(uint32_t n)
{
    uint32_t start = TIMER0_VALUE;
    ws_count_loop(n);
    return start - TIMER0_VALUE;
}

static uint32_t ticks_of_network(uint32_t samples)
{
    uint32_t start;
    ws_reset();
    start = TIMER0_VALUE;
    ws_process_block(ws_test_jacks, outputs, samples);
    return start - TIMER0_VALUE;
}

int main(void)
{
    uint32_t i, mismatches = 0, half, full, loop_n, loop_2n;
    long first = -1;
    TIMER0_CTRL = 0;
    TIMER0_RELOAD = 0xFFFFFFFFu;
    TIMER0_VALUE = 0xFFFFFFFFu;
    TIMER0_CTRL = 1;  /* enable, internal clock */
    ws_init();
    loop_n = ticks_of_loop(WS_CALIBRATION);
    loop_2n = ticks_of_loop(2 * WS_CALIBRATION);
    half = ticks_of_network(WS_TEST_SAMPLES / 2);
    full = ticks_of_network(WS_TEST_SAMPLES);
    for (i = 0; i < WS_TEST_SAMPLES * WS_OUTPUTS; ++i) {
        if (outputs[i] != ws_test_expected[i]) {
            if (first < 0) first = (long)i;
            ++mismatches;
        }
    }
    printf("calibration_iterations=%lu\n", (unsigned long)WS_CALIBRATION);
    printf("calibration_ticks_n=%lu\n", (unsigned long)loop_n);
    printf("calibration_ticks_2n=%lu\n", (unsigned long)loop_2n);
    printf("samples=%lu\n", (unsigned long)WS_TEST_SAMPLES);
    printf("ticks_half=%lu\n", (unsigned long)half);
    printf("ticks_full=%lu\n", (unsigned long)full);
    printf("mismatches=%lu\n", (unsigned long)mismatches);
    printf("first_mismatch=%ld\n", first);
    return mismatches == 0 ? 0 : 1;
}
