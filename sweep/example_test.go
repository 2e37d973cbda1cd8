package sweep

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"cosim/accel/eyeriss"
	"cosim/arch"
	"cosim/dnn"
	"cosim/internal/seed"
	"cosim/mc"
	"cosim/wcat"
)

// A sweep prices the network on the architecture and runs Monte Carlo at
// every voltage of the scaled weight memory; its points are what the
// report and the frontier are made of.
func ExampleRun() {
	m, data, err := toy(wcat.WCAT)
	if err != nil {
		fmt.Println(err)
		return
	}
	spec, err := arch.Builtin("eyeriss-onchip")
	if err != nil {
		fmt.Println(err)
		return
	}
	acc, err := eyeriss.New(spec)
	if err != nil {
		fmt.Println(err)
		return
	}
	cfg := Config{
		Accel:    acc,
		Models:   []Model{{Name: "mlp-16-8-2", Method: "wcat", Q: m}},
		Voltages: []float64{0.36, 0.40, 0.80},
		MC:       mc.Options{Protocol: mc.ProtocolReference, Trials: 10},
		Seed:     1,
		Test:     data,
	}
	rep, err := Run(context.Background(), cfg, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range rep.Points {
		fmt.Printf("%.2f V  BER %.1e  %.3f nJ  accuracy %.2f%% ± %.2f\n", p.VddV, p.BER, p.EnergyPJ/1e3, p.AccMean, (p.CIHigh-p.CILow)/2)
	}
	// Output:
	// 0.36 V  BER 9.0e-02  1.139 nJ  accuracy 87.33% ± 1.48
	// 0.40 V  BER 5.9e-03  1.188 nJ  accuracy 89.25% ± 0.50
	// 0.80 V  BER 8.6e-15  1.960 nJ  accuracy 89.75% ± 0.00
}

// A sweep as a command runs it: a Spec (read from YAML by LoadSpec, or
// built from flags as here) is resolved with an accelerator model into a
// Config — checkpoints and data loaded, everything checked before any
// work —, and run into an output directory, which keeps a journal for a
// resume until the report is written.
func ExampleOpen() {
	dir, err := os.MkdirTemp("", "sweep-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	// An untrained MLP for MNIST, 4-bit weights: a checkpoint to sweep.
	q, err := wcat.New(dnn.NewMLP(1, 28, 28, []int{16}, 10, seed.Stream(1)), wcat.Config{Method: wcat.WCAT, Bits: 4, Grid: wcat.GridReference})
	if err != nil {
		fmt.Println(err)
		return
	}
	ckpt := filepath.Join(dir, "mlp.ckpt")
	if err := wcat.Save(ckpt, q, wcat.Info{}); err != nil {
		fmt.Println(err)
		return
	}

	sp := &Spec{Arch: "eyeriss-onchip", Voltages: []float64{0.38, 0.80}, Faults: mc.FaultsIID, Seed: 1,
		MC:     mc.DefaultOptions(mc.ProtocolReference).WithTrials(3),
		Models: []SpecModel{{Checkpoint: ckpt, Label: "untrained"}}}
	a, err := sp.ResolveArch()
	if err != nil {
		fmt.Println(err)
		return
	}
	acc, err := eyeriss.New(a)
	if err != nil {
		fmt.Println(err)
		return
	}
	cfg, err := Request{Spec: sp, Accel: acc}.Config()
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := Open(cfg, filepath.Join(dir, "report"), false)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer out.Close()
	rep, err := out.Run(context.Background(), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range rep.Points {
		fmt.Printf("%s %s %.2f V  BER %.1e  %.1f nJ  accuracy %.2f%% (%d trials)\n", p.Model, p.Method, p.VddV, p.BER, p.EnergyPJ/1e3, p.AccMean, p.Trials)
	}
	_, err = os.Stat(out.Journal())
	fmt.Println("journal removed:", os.IsNotExist(err))
	// Output:
	// mlp-784-16-10 untrained 0.38 V  BER 2.3e-02  57.8 nJ  accuracy 8.92% (3 trials)
	// mlp-784-16-10 untrained 0.80 V  BER 8.6e-15  104.3 nJ  accuracy 8.92% (3 trials)
	// journal removed: true
}
