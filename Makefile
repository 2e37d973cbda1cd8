# cosim — the front door. `make demo` runs the main job on the embedded
# defaults, `make test` runs every test, `make bench` prints one figure a line.
export GOEXPERIMENT := simd
GO      ?= go
BIN     := bin/cosim
REPORTS ?= reports

.PHONY: build test demo bench crosscheck fuzz clean

build:
	$(GO) build -o $(BIN) ./cmd/cosim

test:
	$(GO) vet ./...
	$(GO) test -timeout 30m ./...
	GOEXPERIMENT= $(GO) test -timeout 10m ./dnn/kernels/...

# Trains the appendix-A MLP on MNIST with 4-bit WCAT and 4-bit Normal
# quantization, sweeps the weight-SRAM supply of the built-in on-chip
# Eyeriss from 0.30 V to 0.80 V and writes $(REPORTS)/index.html, sweep.csv
# and sweep.json.
demo: build
	$(BIN) train --model mlp --method wcat   --epochs 5 --out $(REPORTS)/models/mlp-wcat.ckpt
	$(BIN) train --model mlp --method normal --epochs 5 --out $(REPORTS)/models/mlp-normal.ckpt
	$(BIN) sweep --arch eyeriss-onchip \
	    --model $(REPORTS)/models/mlp-wcat.ckpt --model $(REPORTS)/models/mlp-normal.ckpt \
	    --vmin 0.30 --vmax 0.80 --vstep 0.01 --trials 20 --out $(REPORTS)
	@echo "open $(REPORTS)/index.html"

clean:
	rm -rf bin $(REPORTS)/index.html $(REPORTS)/sweep.csv $(REPORTS)/sweep.json $(REPORTS)/models
