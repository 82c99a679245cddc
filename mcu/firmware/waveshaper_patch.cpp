// The neural waveshaper on an Electrosmith Daisy Patch (STM32H750: Cortex-M7 at 480 MHz), running the C
// that `python -m mcu` generates (waveshaper.h / waveshaper.c) from libDaisy's audio callback.
//
// Written for libDaisy v8.1.0. VERIFIED ON PAPER ONLY: no Daisy was attached where this was written; the
// network itself is proven bit-exact on the same instruction set under QEMU (docs/mcu.md).
//
//   audio in 1   the core wave                      audio out 1   the network's output
//   CTRL 1       e0 (knob + CV, 0..1)               audio out 2   the dry core, WS_LOOKAHEAD samples late
//   CTRL 2       e1 (knob + CV, 0..1)               audio out 3   the network's second output, if any
//
// The codec runs at the rate the network was trained for (WS_SAMPLE_RATE_HZ: 48 or 96 kHz); main() checks
// the rate libDaisy reports before it starts the audio and, if it differs, blinks the Seed's LED quickly
// and plays nothing.
#include <stdint.h>

#include "daisy_patch.h"
#include "waveshaper.h"

using namespace daisy;

namespace
{
#if WS_SAMPLE_RATE_HZ == 96000
constexpr SaiHandle::Config::SampleRate kCodecRate = SaiHandle::Config::SampleRate::SAI_96KHZ;
#elif WS_SAMPLE_RATE_HZ == 48000
constexpr SaiHandle::Config::SampleRate kCodecRate = SaiHandle::Config::SampleRate::SAI_48KHZ;
#else
#error "the network was trained for a rate the Daisy's codec does not run at (48 or 96 kHz)"
#endif

// Samples per callback: the controls are read once per block.
constexpr size_t kBlock = 16;
// Volts at a jack for libDaisy's audio sample 1.0. Assumed, not measured on a module: calibrate it with a
// known voltage before trusting levels.
constexpr float kVoltsPerSampleUnit = 5.0f;
// Network code per audio sample unit, and per control unit (a CV of 0..5 V reads 0..1, the network's 0..1).
constexpr float kCodesPerSample = float(1L << WS_DATA_FRAC_BITS) * kVoltsPerSampleUnit / WS_VOLTS_PER_UNIT;
constexpr float kCodesPerControl = float(1L << WS_DATA_FRAC_BITS);

DaisyPatch patch;
// The dry core's delay line: written at `dry_pos`, read one place on (WS_LOOKAHEAD samples back).
ws_code_t dry[WS_LOOKAHEAD + 1];
size_t dry_pos = 0;

// A real value as a network code: scaled, saturated to the format, rounded to nearest.
ws_code_t ToCode(float value, float codes_per_unit)
{
    float code = value * codes_per_unit;
    if(code > float(WS_CODE_MAX))
        code = float(WS_CODE_MAX);
    if(code < float(WS_CODE_MIN))
        code = float(WS_CODE_MIN);
    return static_cast<ws_code_t>(code >= 0.f ? code + 0.5f : code - 0.5f);
}

float ToSample(ws_code_t code)
{
    return float(code) / kCodesPerSample;
}

void AudioCallback(AudioHandle::InputBuffer in, AudioHandle::OutputBuffer out, size_t size)
{
    patch.ProcessAnalogControls();
    ws_code_t jacks[WS_JACKS];
#ifdef WS_JACK_E0
    jacks[WS_JACK_E0] = ToCode(patch.GetKnobValue(DaisyPatch::CTRL_1), kCodesPerControl);
#endif
#ifdef WS_JACK_E1
    jacks[WS_JACK_E1] = ToCode(patch.GetKnobValue(DaisyPatch::CTRL_2), kCodesPerControl);
#endif
    for(size_t i = 0; i < size; i++)
    {
        ws_code_t network[WS_OUTPUTS];
        jacks[WS_JACK_CORE] = ToCode(in[0][i], kCodesPerSample);
        ws_process(jacks, network);
        dry[dry_pos] = jacks[WS_JACK_CORE];
        dry_pos      = dry_pos == WS_LOOKAHEAD ? 0 : dry_pos + 1;
        out[0][i]    = ToSample(network[0]);
        out[1][i]    = ToSample(dry[dry_pos]);
#if WS_OUTPUTS > 1
        out[2][i] = ToSample(network[1]);
#else
        out[2][i] = 0.f;
#endif
        out[3][i] = 0.f;
    }
}
} // namespace

int main(void)
{
    patch.Init();
    patch.SetAudioBlockSize(kBlock);
    patch.SetAudioSampleRate(kCodecRate);
    if(static_cast<uint32_t>(patch.AudioSampleRate()) != WS_SAMPLE_RATE_HZ)
    {
        for(;;) // the codec does not run at the network's rate: refuse, visibly
        {
            patch.seed.SetLed(true);
            patch.DelayMs(100);
            patch.seed.SetLed(false);
            patch.DelayMs(100);
        }
    }
    ws_init();
    patch.StartAdc();
    patch.StartAudio(AudioCallback);
    for(;;)
    {
        patch.seed.SetLed(true); // steady: running
        patch.DelayMs(500);
    }
}
