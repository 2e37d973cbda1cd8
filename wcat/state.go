package wcat

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"

	"cosim/dnn"
	"cosim/internal/atomicfile"
	"cosim/internal/fileio"
)

// State is the resumable state of a training run at the end of an epoch:
// the optimizer's momentum buffers, the best-validation weights so far and
// the statistics of the finished epochs. The model's own tensors (weights,
// quantizer parameters, batch-norm statistics) are saved beside it.
type State struct {
	Opt     SGD
	Best    [][]float32 // snapshot of Model.State() at the best epoch; nil without validation
	BestAcc float64
	Stats   []EpochStats
}

// stateMeta is the JSON metadata of a state file.
type stateMeta struct {
	Kind          string      `json:"kind"`
	Config        Config      `json:"config"`
	Recipe        Recipe      `json:"recipe"`
	DatasetSHA256 string      `json:"dataset_sha256"`
	BestAcc       *float64    `json:"best_acc"`
	Epochs        []epochJSON `json:"epochs"`
}

type epochJSON struct {
	Epoch     int      `json:"epoch"`
	LR        float64  `json:"lr"`
	TrainLoss float64  `json:"train_loss"`
	TrainAcc  float64  `json:"train_acc"`
	ValidAcc  *float64 `json:"valid_acc"`
	Best      bool     `json:"best"`
	Seconds   float64  `json:"seconds"`
}

const stateKind = "cosim-training-state"

func finite(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

func orNaN(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// save writes the state and m's tensors to path atomically (a dnn
// checkpoint whose extra tensors are optimizer.<param> and best.<tensor>).
func (st *State) save(path string, m *Model, r Recipe, data *dnn.Dataset) error {
	meta := stateMeta{Kind: stateKind, Config: m.Cfg, Recipe: r, DatasetSHA256: data.Hash(), BestAcc: finite(st.BestAcc)}
	for _, e := range st.Stats {
		meta.Epochs = append(meta.Epochs, epochJSON{Epoch: e.Epoch, LR: e.LR, TrainLoss: e.TrainLoss, TrainAcc: e.TrainAcc,
			ValidAcc: finite(e.ValidAcc), Best: e.Best, Seconds: e.Seconds})
	}
	tensors := m.State()
	for i, p := range m.Params() {
		v := dnn.NewParam("optimizer."+p.Name, dnn.KindBuffer, p.Len())
		if i < len(st.Opt.Velocity) && st.Opt.Velocity[i] != nil {
			copy(v.Data(), st.Opt.Velocity[i])
		}
		tensors = append(tensors, v)
	}
	if st.Best != nil {
		for i, p := range m.State() {
			b := dnn.NewParam("best."+p.Name, dnn.KindBuffer, p.Len())
			copy(b.Data(), st.Best[i])
			tensors = append(tensors, b)
		}
	}
	c, h, w := m.Net.InputShape()
	return atomicfile.Write(path, func(out io.Writer) error {
		return dnn.WriteCheckpoint(out, m.Net.Arch(), [3]int{c, h, w}, m.Net.Classes(), meta, tensors)
	})
}

// CheckState checks, without changing m, that the training state at path
// can resume training m with recipe r on data: that it exists, is intact,
// and was written for the same network, quantizer, recipe and data.
func CheckState(path string, m *Model, r Recipe, data *dnn.Dataset) error {
	_, _, err := readState(path, m, r, data)
	return err
}

// readState reads and checks the state at path (see CheckState).
func readState(path string, m *Model, r Recipe, data *dnn.Dataset) (*dnn.Checkpoint, stateMeta, error) {
	var meta stateMeta
	f, err := fileio.Open(path, fileio.CheckpointLimit)
	if err != nil {
		return nil, meta, err
	}
	defer f.Close()
	ck, err := dnn.ReadCheckpoint(f, path)
	if err != nil {
		return nil, meta, err
	}
	dec := json.NewDecoder(bytes.NewReader(ck.Header.Meta))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&meta); err != nil || meta.Kind != stateKind {
		return nil, meta, fmt.Errorf("%s: not a cosim training state (%v)", path, err)
	}
	switch {
	case ck.Header.Arch != m.Net.Arch():
		err = fmt.Errorf("%s: training state of a %s, resuming a %s", path, ck.Header.Arch, m.Net.Arch())
	case meta.Config != m.Cfg:
		err = fmt.Errorf("%s: training state was written for quantizer %+v, resuming with %+v", path, meta.Config, m.Cfg)
	case meta.Recipe != r:
		err = fmt.Errorf("%s: training state was written for recipe %+v, resuming with %+v", path, meta.Recipe, r)
	case meta.DatasetSHA256 != data.Hash():
		err = fmt.Errorf("%s: training state was written for another data set (sha256 %s)", path, meta.DatasetSHA256)
	case len(meta.Epochs) > r.Epochs:
		err = fmt.Errorf("%s: %d epochs done, the recipe has %d", path, len(meta.Epochs), r.Epochs)
	}
	return ck, meta, err
}

// load restores a state written by save into st and m. It reports false
// (and changes nothing) when path does not exist.
func (st *State) load(path string, m *Model, r Recipe, data *dnn.Dataset) (bool, error) {
	ck, meta, err := readState(path, m, r, data)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	tensors := m.State()
	vel := make([]*dnn.Param, len(m.Params()))
	for i, p := range m.Params() {
		vel[i] = dnn.NewParam("optimizer."+p.Name, dnn.KindBuffer, p.Len())
		tensors = append(tensors, vel[i])
	}
	var best []*dnn.Param
	if meta.BestAcc != nil {
		for _, p := range m.State() {
			b := dnn.NewParam("best."+p.Name, dnn.KindBuffer, p.Len())
			best = append(best, b)
			tensors = append(tensors, b)
		}
	}
	if err := ck.Restore(tensors); err != nil {
		return false, fmt.Errorf("%s: %w", path, err)
	}
	st.Opt.Velocity = make([][]float32, len(vel))
	for i, v := range vel {
		st.Opt.Velocity[i] = v.Data()
	}
	st.BestAcc, st.Best = math.Inf(-1), nil
	if meta.BestAcc != nil {
		st.BestAcc = *meta.BestAcc
		for _, b := range best {
			st.Best = append(st.Best, b.Data())
		}
	}
	st.Stats = nil
	for _, e := range meta.Epochs {
		st.Stats = append(st.Stats, EpochStats{Epoch: e.Epoch, Epochs: r.Epochs, LR: e.LR, TrainLoss: e.TrainLoss,
			TrainAcc: e.TrainAcc, ValidAcc: orNaN(e.ValidAcc), Best: e.Best, Seconds: e.Seconds})
	}
	return true, nil
}
