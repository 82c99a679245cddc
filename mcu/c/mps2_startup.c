/* Bare-metal start-up for QEMU's mps2-an500 (Cortex-M7), for the target check (docs/mcu.md).
 *
 * At reset the core loads the stack pointer from word 0 of the vector table and jumps to word 1
 * (Armv7-M Architecture Reference Manual, "The vector table"). The reset handler first gives full access
 * to the floating-point coprocessors CP10 and CP11 in CPACR (0xE000ED88, bits 20-23): with the hard-float
 * ABI the compiler may use FPU instructions anywhere, and one executed while they are off faults. Only then
 * does C code run: copy .data's initial values from the code region, zero .bss, open newlib's semihosting
 * streams (librdimon's initialise_monitor_handles) and exit with main's status, which semihosting hands to
 * QEMU as its own exit status. Any fault ends the run through semihosting with a run-time-error reason,
 * which QEMU turns into exit status 1. */
#include <stdint.h>
#include <stdlib.h>

extern uint32_t __data_load__, __data_start__, __data_end__, __bss_start__, __bss_end__, __stack_top__;
extern int main(void);
extern void initialise_monitor_handles(void);

void ws_reset_handler(void);
void ws_start(void);
void ws_fault_handler(void);

typedef void (*ws_vector)(void);

__attribute__((section(".vectors"), used)) static const ws_vector ws_vectors[16] = {
    (ws_vector)(uintptr_t)&__stack_top__,  /* initial stack pointer */
    ws_reset_handler,
    ws_fault_handler,  /* NMI */
    ws_fault_handler,  /* HardFault */
    ws_fault_handler,  /* MemManage */
    ws_fault_handler,  /* BusFault */
    ws_fault_handler,  /* UsageFault */
    0, 0, 0, 0,
    ws_fault_handler,  /* SVCall */
    ws_fault_handler,  /* DebugMonitor */
    0,
    ws_fault_handler,  /* PendSV */
    ws_fault_handler,  /* SysTick */
};

__attribute__((naked, noreturn)) void ws_reset_handler(void)
{
    __asm volatile(
        "ldr r0, =0xE000ED88\n\t"   /* CPACR */
        "ldr r1, [r0]\n\t"
        "orr r1, r1, #0x00F00000\n\t" /* CP10 and CP11: full access */
        "str r1, [r0]\n\t"
        "dsb\n\t"
        "isb\n\t"                     /* the next instruction sees the FPU on */
        "b ws_start\n\t"
        ".ltorg");
}

void ws_start(void)
{
    uint32_t *from = &__data_load__, *to = &__data_start__;
    while (to < &__data_end__) *to++ = *from++;
    for (to = &__bss_start__; to < &__bss_end__; ++to) *to = 0;
    initialise_monitor_handles();
    exit(main());
}

/* Semihosting SYS_EXIT (0x18) with reason ADP_Stopped_RunTimeErrorUnknown (0x20023). */
__attribute__((naked, noreturn)) void ws_fault_handler(void)
{
    __asm volatile(
        "movs r0, #0x18\n\t"
        "ldr r1, =0x20023\n\t"
        "bkpt 0xab\n\t"
        "1: b 1b\n\t"
        ".ltorg");
}

/* newlib's exit path calls these; nothing to run before main or after it here */
void _init(void) {}
void _fini(void) {}
