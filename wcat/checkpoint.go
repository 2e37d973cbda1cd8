package wcat

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"cosim/dnn"
	"cosim/internal/atomicfile"
	"cosim/internal/fileio"
	"cosim/internal/seed"
)

// Info is the metadata a trained-model checkpoint carries beside its
// tensors: how the weights are quantized, how the model was trained and on
// what, and what it scored.
type Info struct {
	Method         Method  `json:"method"`
	Bits           int     `json:"bits"`
	Grid           Grid    `json:"grid"`
	BFN            float64 `json:"bfn"`
	PLClip         float64 `json:"plclip,omitempty"`
	SkipDownsample bool    `json:"skip_downsample,omitempty"`
	// LSQReferenceGrad: the LSQ step was trained with the reference code's gradient.
	LSQReferenceGrad bool    `json:"lsq_reference_grad,omitempty"`
	Recipe           *Recipe `json:"recipe,omitempty"`
	EpochsRun        int     `json:"epochs_run,omitempty"`
	BestEpoch        int     `json:"best_epoch,omitempty"`
	Dataset          string  `json:"dataset,omitempty"`
	DatasetSHA256    string  `json:"dataset_sha256,omitempty"`
	TrainSeconds     float64 `json:"train_seconds,omitempty"`
	ValidAcc         float64 `json:"valid_acc,omitempty"`
	TestAcc          float64 `json:"test_acc,omitempty"`
	Command          string  `json:"command,omitempty"`
	// Source says where an imported model came from: the file, its SHA-256
	// and format (set by cosim import).
	Source string `json:"source,omitempty"`
	// BatchesTracked is the batch-norm num_batches_tracked of an imported
	// PyTorch model, written back on export.
	BatchesTracked int64 `json:"batches_tracked,omitempty"`
}

// Config returns the quantizer configuration recorded in the info.
func (i Info) Config() Config {
	return Config{Method: i.Method, Bits: i.Bits, Grid: i.Grid, BFN: i.BFN, PLClip: i.PLClip, SkipDownsample: i.SkipDownsample, LSQReferenceGrad: i.LSQReferenceGrad}
}

// Save writes m and its info as a cosim checkpoint (dnn's format) at path,
// atomically. Info's quantizer fields are taken from m.Cfg.
func Save(path string, m *Model, info Info) error {
	info.Method, info.Bits, info.Grid, info.BFN, info.PLClip, info.SkipDownsample = m.Cfg.Method, m.Cfg.Bits, m.Cfg.Grid, m.Cfg.BFN, m.Cfg.PLClip, m.Cfg.SkipDownsample
	info.LSQReferenceGrad = m.Cfg.LSQReferenceGrad
	c, h, w := m.Net.InputShape()
	return atomicfile.Write(path, func(out io.Writer) error {
		return dnn.WriteCheckpoint(out, m.Net.Arch(), [3]int{c, h, w}, m.Net.Classes(), info, m.State())
	})
}

// Load reads a checkpoint written by Save and rebuilds the quantized model,
// with its clean codes computed (Quantize(nil)).
func Load(path string) (*Model, Info, error) {
	f, err := fileio.Open(path, fileio.CheckpointLimit)
	if err != nil {
		return nil, Info{}, err
	}
	defer f.Close()
	return Read(f, path)
}

// Read is Load from a reader; name is used in error messages.
func Read(r io.Reader, name string) (*Model, Info, error) {
	ck, err := dnn.ReadCheckpoint(r, name)
	if err != nil {
		return nil, Info{}, err
	}
	var info Info
	dec := json.NewDecoder(bytes.NewReader(ck.Header.Meta))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&info); err != nil {
		return nil, Info{}, fmt.Errorf("%s: checkpoint metadata: %w", name, err)
	}
	if info.Grid == "" {
		info.Grid = GridReference
	}
	h := ck.Header
	net, err := dnn.Build(h.Arch, h.Input[0], h.Input[1], h.Input[2], h.Classes, seed.Stream(0))
	if err != nil {
		return nil, Info{}, fmt.Errorf("%s: %w", name, err)
	}
	m, err := New(net, info.Config())
	if err != nil {
		return nil, Info{}, fmt.Errorf("%s: checkpoint metadata: %w", name, err)
	}
	if err := ck.Restore(m.State()); err != nil {
		return nil, Info{}, fmt.Errorf("%s: %w", name, err)
	}
	m.Quantize(nil)
	return m, info, nil
}
