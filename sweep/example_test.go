package sweep

import (
	"context"
	"fmt"

	"cosim/arch"
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
	cfg := Config{
		Spec:     spec,
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
