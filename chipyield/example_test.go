package chipyield_test

import (
	"fmt"
	"slices"

	"cosim/chipyield"
	"cosim/mc/accuracy"
	"cosim/results"
)

// Four chips of one network at three voltages: at what voltage do 3 of 4
// keep 80% accuracy?
func ExampleYields() {
	accs := map[float64][]float64{0.4: {70, 85, 90, 86}, 0.5: {88, 79, 90, 87}, 0.6: {90, 90, 90, 90}}
	energyPJ := map[float64]float64{0.4: 60, 0.5: 70, 0.6: 80}
	var r results.Report
	for _, v := range []float64{0.4, 0.5, 0.6} {
		a := accs[v]
		mean := (a[0] + a[1] + a[2] + a[3]) / 4
		r.Points = append(r.Points, results.Point{Model: "net", Method: "wcat", VddV: v, BER: 1e-3, EnergyPJ: energyPJ[v], ChipAccs: a,
			Stats: accuracy.Stats{AccMean: mean, AccMin: slices.Min(a), AccMax: slices.Max(a), CILow: mean, CIHigh: mean, Trials: len(a)}})
	}
	ys, err := chipyield.Yields(r, results.YieldSpec{TargetPct: 80, Yield: 0.75})
	if err != nil {
		fmt.Println(err)
		return
	}
	c := ys[0]
	fmt.Printf("chips' V_min %v; passing %v at %v V\n", c.ChipVminV, c.Passing, c.Voltages)
	fmt.Printf("V_min at 75%% yield %.1f V, saving %.1f%% against %.1f V\n", c.VminV, c.SavingPct(), c.NominalV)
	// Output:
	// chips' V_min [0.5 0.6 0.4 0.4]; passing [2 3 4] at [0.4 0.5 0.6] V
	// V_min at 75% yield 0.5 V, saving 12.5% against 0.6 V
}
