# cosim — the front door. `make demo` runs the main job on the embedded
# defaults, `make test` runs every test, `make bench` prints one figure a line.
export GOEXPERIMENT := simd
GO      ?= go
BIN     := bin/cosim
DATA    ?= ../shared/data/cifar10
REPORTS ?= reports

.PHONY: build test test-generic test-cross test-slurm demo bench crosscheck fuzz clean

build:
	$(GO) build -o $(BIN) ./cmd/cosim

# Every test on the kernel path this CPU selects (the kernel and engine
# equivalence tests also run every other path it supports; the first line
# printed says which paths exist here and why any are missing), then the
# kernels of a build without SIMD.
test:
	$(GO) vet ./...
	@$(GO) run ./cmd/cosim version | grep '^kernels:'
	$(GO) test -timeout 30m ./...
	GOEXPERIMENT= $(GO) test -timeout 10m ./dnn/kernels/...

# The whole suite again with the plain-Go kernels as the default path. -short
# leaves out the end-to-end runs that take hours on plain Go (the shipped
# model cards, ResNet-20 on CIFAR-10, kill-and-resume, the browser test):
# `make test` runs them natively, and the equivalence tests show every path
# bit-identical.
test-generic:
	COSIM_KERNELS=generic $(GO) test -short -count=1 -timeout 40m ./...

# arm64 (go vet, test binaries, dnn and kernel tests under qemu-aarch64) and
# an AVX2-only x86-64 CPU (qemu-x86_64 -cpu max); see scripts/test-cross.sh.
test-cross:
	scripts/test-cross.sh

# A sharded sweep on a real one-node Slurm (installed and started as root
# when possible, skipped with a message otherwise): a 4-task job array, two
# at a time, and its merge must equal the unsharded run byte for byte; see
# scripts/test-slurm.sh.
test-slurm:
	scripts/test-slurm.sh

# Trains the appendix-A MLP on MNIST with 4-bit WCAT and 4-bit Normal
# quantization, sweeps the weight-SRAM supply of the built-in on-chip
# Eyeriss from 0.30 V to 0.80 V and writes $(REPORTS)/index.html, sweep.csv
# and sweep.json.
demo: build
	mkdir -p $(REPORTS)/models
	$(BIN) train --model mlp --method wcat   --epochs 5 --out $(REPORTS)/models/mlp-wcat.ckpt
	$(BIN) train --model mlp --method normal --epochs 5 --out $(REPORTS)/models/mlp-normal.ckpt
	$(BIN) sweep --arch eyeriss-onchip \
	    --model $(REPORTS)/models/mlp-wcat.ckpt --model $(REPORTS)/models/mlp-normal.ckpt \
	    --vmin 0.30 --vmax 0.80 --vstep 0.01 --trials 20 --out $(REPORTS)
	@echo "open $(REPORTS)/index.html"

# One figure a line, `name: value unit` (see cmd/cosim-bench). Uses the
# shipped WCAT ResNet-20 and CIFAR-10 from $(DATA) when present; the 51-point
# sweep figure needs both and takes several minutes. Where Debian's
# python3-torch is installed ($COSIM_PYTHON, python3 or /usr/bin/python3),
# the same ResNet-20 Monte Carlo and training step run in PyTorch on the same
# cores (tools/torchbench) and the speedups are printed.
bench: build
	$(GO) build -o bin/cosim-bench ./cmd/cosim-bench
	bin/cosim-bench --cosim $(BIN) --data $(DATA)

# Optional: compares layers, ResNets and their gradients with PyTorch
# (Debian's python3-torch, apt-get install python3-torch); skipped by
# `make test`. Then cosim's import of PyTorch checkpoints against the
# clean-room PyTorch model of the WCAT layout (tools/torchpth): the shipped
# ResNet-20s exported to .pth and the reference-layout test checkpoint must
# give bit-identical codes and the same clean CIFAR-10 ($(DATA)) accuracy
# to 0.01 points. Files go to $(XCHECK).
XCHECK ?= $(REPORTS)/crosscheck
crosscheck: build
	COSIM_CROSSCHECK=1 COSIM_PYTHON=$${COSIM_PYTHON:-/usr/bin/python3} $(GO) test -count=1 -run Crosscheck -v ./dnn
	mkdir -p $(XCHECK)
	for m in wcat wcat-bfn normal lsq plclip; do $(BIN) export models/resnet20-4bit-$$m.ckpt --out $(XCHECK)/resnet20-4bit-$$m.pth || exit 1; done
	$${COSIM_PYTHON:-/usr/bin/python3} tools/torchpth/crosscheck.py --data $(DATA) --out $(XCHECK)/torch.json $(XCHECK)/*.pth torchpth/testdata/resnet20-wcat.pth
	COSIM_TORCHPTH_CROSSCHECK=$(abspath $(XCHECK))/torch.json COSIM_TORCHPTH_DATA=$(abspath $(DATA)) $(GO) test -count=1 -run TestCrosscheckTorch -v ./torchpth

# Runs every parser's fuzz target for FUZZTIME each.
FUZZTIME ?= 20s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzReadCheckpoint$$' -fuzztime $(FUZZTIME) ./dnn
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeCIFAR10$$' -fuzztime $(FUZZTIME) ./dnn
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./arch
	$(GO) test -run '^$$' -fuzz '^FuzzReadJSON$$' -fuzztime $(FUZZTIME) ./results
	$(GO) test -run '^$$' -fuzz '^FuzzReadCSV$$' -fuzztime $(FUZZTIME) ./results
	$(GO) test -run '^$$' -fuzz '^FuzzParseCACTI$$' -fuzztime $(FUZZTIME) ./sram
	$(GO) test -run '^$$' -fuzz '^FuzzParseSpec$$' -fuzztime $(FUZZTIME) ./sweep
	$(GO) test -run '^$$' -fuzz '^FuzzRead$$' -fuzztime $(FUZZTIME) ./torchpth
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeResult$$' -fuzztime $(FUZZTIME) ./attack
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeShardFile$$' -fuzztime $(FUZZTIME) ./attack
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeShardFile$$' -fuzztime $(FUZZTIME) ./sweep

clean:
	rm -rf bin $(REPORTS)/index.html $(REPORTS)/sweep.csv $(REPORTS)/sweep.json $(REPORTS)/models
