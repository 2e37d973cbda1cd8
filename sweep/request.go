package sweep

import (
	"fmt"
	"path/filepath"

	"cosim/accel"
	"cosim/arch"
	"cosim/dnn"
	"cosim/ecc"
	"cosim/wcat"
)

// Request is a sweep as a command asks for it: a Spec (LoadSpec, or one
// built from flags) and what the command adds to it.
type Request struct {
	Spec *Spec
	// Accel maps the networks onto the spec's architecture
	// (Spec.ResolveArch); accel/eyeriss is one such model.
	Accel accel.Accelerator
	// Protections, if any, replace every model's protections of the
	// weight memory (the spec's, else the architecture's); each model runs
	// once per protection, as its own series.
	Protections []ecc.Protection
	// Workers runs trials in parallel (0: all cores); results do not
	// depend on it.
	Workers int
	// Load reads a checkpoint; nil is wcat.Load.
	Load func(path string) (*wcat.Model, wcat.Info, error)
}

// ResolveArch resolves the spec's architecture with its energy model; an
// error names the spec file.
func (s *Spec) ResolveArch() (*arch.Spec, error) {
	a, err := arch.ResolveWith(s.Arch, arch.Options{EnergyModel: s.EnergyModel})
	if err != nil && s.File != "" {
		return nil, fmt.Errorf("%s: arch: %w", s.File, err)
	}
	return a, err
}

// Config resolves the request into the sweep's configuration and checks it
// (Config.Validate): it loads every checkpoint and the evaluation set they
// share, labels each model (its entry's label, else its training method)
// and adds one series per protection. Every error is the request's: a
// missing or unreadable file, models of different data sets, a model that
// does not fit, and whatever Validate refuses; nothing is computed.
func (r Request) Config() (Config, error) {
	sp := r.Spec
	load := r.Load
	if load == nil {
		load = wcat.Load
	}
	cfg := Config{Accel: r.Accel, Voltages: sp.Voltages, MC: sp.MC, Faults: sp.Faults, Seed: sp.Seed}
	cfg.MC.Workers = r.Workers
	if r.Accel == nil {
		return cfg, fmt.Errorf("sweep: no accelerator model")
	}
	var archProt ecc.Protection
	if mem, err := r.Accel.Spec().FaultyWeightMemory(); err == nil {
		archProt = mem.Protection
	}
	dsName := ""
	for i, sm := range sp.Models {
		q, info, err := load(sm.Checkpoint)
		if err != nil {
			if sp.File != "" {
				return cfg, fmt.Errorf("%s: models[%d].checkpoint: %v (a relative path is resolved against the spec's folder, %s)", sp.File, i, err, filepath.Dir(sp.File))
			}
			return cfg, err
		}
		name, err := dnn.DatasetFor(q.Net.Arch())
		if err != nil {
			return cfg, fmt.Errorf("%s: %v", sm.Checkpoint, err)
		}
		if dsName != "" && name != dsName {
			return cfg, fmt.Errorf("%s: a %s model evaluates on %s, the others on %s", sm.Checkpoint, q.Net.Arch(), name, dsName)
		}
		if cfg.Test == nil {
			if _, cfg.Test, err = dnn.LoadDataset(name, sp.Data); err != nil {
				return cfg, fmt.Errorf("sweep: %v", err)
			}
			dsName = name
		}
		label := sm.Label
		if label == "" {
			label = info.Config().Label()
		}
		prots := sm.Protections
		if r.Protections != nil {
			prots = r.Protections
		}
		if len(prots) == 0 {
			prots = []ecc.Protection{archProt}
		}
		for _, p := range prots {
			method := label
			if p.WithDefaults().Scheme != ecc.None {
				method += "+" + p.Label()
			}
			cfg.Models = append(cfg.Models, Model{Name: q.Net.Arch(), Method: method, Q: q, Protection: p})
		}
	}
	return cfg, cfg.Validate()
}
