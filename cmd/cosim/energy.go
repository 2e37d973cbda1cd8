package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"cosim/accel"
	"cosim/accel/eyeriss"
	"cosim/arch"
	"cosim/dnn"
	"cosim/sram"
	"cosim/wcat"
	"cosim/workload"
)

// checkWeights is the architecture's capacity check for a checkpoint.
func checkWeights(spec *arch.Spec, path string, q *wcat.Model) error {
	wl, err := dnn.Workload(q.Net, 1, q.Cfg.Bits)
	if err != nil {
		return err
	}
	return spec.CheckWeights(fmt.Sprintf("%s (%d-bit)", path, q.Cfg.Bits), wl.WeightBits())
}

func init() {
	register("energy", "energy, cycles and accesses of one inference on an Eyeriss-like architecture (row-stationary mapping)", cmdEnergy)
}

func cmdEnergy(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("energy", "--arch NAME|FILE --model NAME|CHECKPOINT [--vdd V] [--json|--yaml]", stderr)
	archName := fs.String("arch", "eyeriss-onchip", "architecture: a built-in name ("+joinNames(arch.BuiltinNames())+") or a YAML file")
	model := fs.String("model", "", "a built-in layer set ("+strings.Join(workload.BuiltinWorkloadNames(), ", ")+") or a trained checkpoint (required)")
	energyModel := fs.String("energy-model", "", "override the architecture's default energy(V) model of its scaled memories: paper, dynamic-only or physical")
	vdd := fs.Float64("vdd", 0, "supply voltage of the scaled memories [V] (default: the nominal voltage)")
	batch := fs.Int("batch", 1, "images per inference batch")
	bits := fs.Int("bits", 0, "weight bits of a built-in layer set (default: the spec's weight word bits; a checkpoint says its own)")
	objective := fs.String("objective", "energy", "mapping search objective: energy, delay or edp")
	asJSON := fs.Bool("json", false, "print JSON")
	asYAML := fs.Bool("yaml", false, "print YAML")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *model == "" {
		return inputErrf("energy: --model is required")
	}
	if *asJSON && *asYAML {
		return inputErrf("energy: --json and --yaml exclude each other")
	}
	if *batch < 1 {
		return inputErrf("energy: --batch %d: want ≥ 1", *batch)
	}
	obj, ok := map[string]eyeriss.Objective{"energy": eyeriss.MinEnergy, "delay": eyeriss.MinDelay, "edp": eyeriss.MinEDP}[*objective]
	if !ok {
		return inputErrf("energy: --objective %q: want energy, delay or edp", *objective)
	}
	spec, err := arch.ResolveWith(*archName, arch.Options{EnergyModel: sram.EnergyModelKind(*energyModel)})
	if err != nil {
		return inputErr(err)
	}
	v := spec.NominalV
	if setFlags(fs)["vdd"] {
		if err := sram.CheckSupply(*vdd); err != nil {
			return inputErrf("energy: --vdd: %v", err)
		}
		v = *vdd
	}
	var wl workload.Workload
	if slices.Contains(workload.BuiltinWorkloadNames(), *model) {
		if setFlags(fs)["bits"] && (*bits < 1 || *bits > 32) {
			return inputErrf("energy: --bits %d: want 1..32", *bits)
		}
		if *bits == 0 {
			*bits = spec.WeightWordBits()
		}
		if wl, err = workload.BuiltinWorkload(*model, *batch, *bits); err != nil {
			return inputErrf("energy: %v", err)
		}
	} else {
		q, _, err := loadModel(*model)
		if err != nil {
			return inputErrf("energy: --model %q is neither a built-in layer set (%s) nor a readable checkpoint: %v",
				*model, strings.Join(workload.BuiltinWorkloadNames(), ", "), err)
		}
		if wl, err = dnn.Workload(q.Net, *batch, q.Cfg.Bits); err != nil {
			return err
		}
	}
	if err := spec.CheckWeights(fmt.Sprintf("%s (%d-bit weights)", *model, wl.Layers[0].WeightBits), wl.WeightBits()); err != nil {
		return inputErr(err)
	}
	acc, err := eyeriss.NewObjective(spec, obj)
	if err != nil {
		return inputErr(err)
	}
	rep, err := accel.Price(acc, wl)
	if err != nil {
		return inputErrf("energy: %v", err)
	}
	if err := rep.CheckFinite(v); err != nil {
		return inputErrf("energy: %v", err)
	}
	format := "table"
	if *asJSON {
		format = "json"
	} else if *asYAML {
		format = "yaml"
	}
	if err := accel.WriteReport(stdout, rep, v, format); err != nil {
		return fmt.Errorf("energy: %w", err)
	}
	return nil
}
