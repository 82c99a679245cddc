/* host_check.c: the generated waveshaper on the host, over a file of jack codes (mcu/host.py drives it).
 *
 *   host_check JACKS OUT SAMPLES REPLAY
 *
 * JACKS holds SAMPLES x WS_JACKS native int32 codes. OUT receives SAMPLES x WS_OUTPUTS int32 codes, then
 * REPLAY x WS_OUTPUTS more: the first REPLAY samples once again after ws_reset(), which must give the same
 * outputs as the first time. The first half of the signal goes through ws_process() one sample at a time,
 * the rest through ws_process_block() in blocks of uneven length, so both entry points are checked. */
#include <stdio.h>
#include <stdlib.h>

#include "waveshaper.h"

static int fail(const char *what)
{
    fprintf(stderr, "host_check: %s\n", what);
    return 2;
}

int main(int argc, char **argv)
{
    long samples, replay, t, i;
    int32_t *raw;
    ws_code_t *jacks, *out;
    FILE *f;
    if (argc != 5) return fail("usage: host_check JACKS OUT SAMPLES REPLAY");
    samples = atol(argv[3]);
    replay = atol(argv[4]);
    if (samples < 1 || replay < 0 || replay > samples) return fail("bad SAMPLES or REPLAY");
    raw = malloc(sizeof *raw * (size_t)(samples * WS_JACKS));
    jacks = malloc(sizeof *jacks * (size_t)(samples * WS_JACKS));
    out = malloc(sizeof *out * (size_t)((samples + replay) * WS_OUTPUTS));
    if (!raw || !jacks || !out) return fail("out of memory");
    f = fopen(argv[1], "rb");
    if (!f) return fail("cannot open the jack file");
    if (fread(raw, sizeof *raw, (size_t)(samples * WS_JACKS), f) != (size_t)(samples * WS_JACKS))
        return fail("the jack file is too short");
    fclose(f);
    for (i = 0; i < samples * WS_JACKS; ++i) {
        if (raw[i] < WS_CODE_MIN || raw[i] > WS_CODE_MAX) return fail("a jack code is outside the format");
        jacks[i] = (ws_code_t)raw[i];
    }

    ws_init();
    for (t = 0; t < samples / 2; ++t) ws_process(jacks + t * WS_JACKS, out + t * WS_OUTPUTS);
    for (i = 1; t < samples; ++i) {
        long n = (i * 37) % 101 + 1;  /* blocks of 1 to 101 samples */
        if (n > samples - t) n = samples - t;
        ws_process_block(jacks + t * WS_JACKS, out + t * WS_OUTPUTS, (size_t)n);
        t += n;
    }
    ws_reset();
    ws_process_block(jacks, out + samples * WS_OUTPUTS, (size_t)replay);

    f = fopen(argv[2], "wb");
    if (!f) return fail("cannot open the output file");
    for (i = 0; i < (samples + replay) * WS_OUTPUTS; ++i) {
        int32_t v = out[i];
        if (fwrite(&v, sizeof v, 1, f) != 1) return fail("cannot write the output file");
    }
    fclose(f);
    free(raw);
    free(jacks);
    free(out);
    return 0;
}
