package accel_test

import (
	"fmt"

	"cosim/accel"
	"cosim/accel/eyeriss"
	"cosim/arch"
	"cosim/workload"
)

// Price a network on an architecture: map every layer with the
// row-stationary dataflow, count accesses, and read the energy per inference
// at any supply voltage of the scaled memories.
func ExamplePrice() {
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
	wl, err := workload.BuiltinWorkload("resnet20", 1, 4) // batch 1, 4-bit weights
	if err != nil {
		fmt.Println(err)
		return
	}
	rep, err := accel.Price(acc, wl)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, v := range []float64{0.8, 0.6, 0.4} {
		fmt.Printf("%.1f V: %.1f µJ, %.1f%% saved\n", v, rep.TotalPJ(v)/1e6, rep.SavingPct(v))
	}
	// Output:
	// 0.8 V: 132.5 µJ, 0.0% saved
	// 0.6 V: 115.9 µJ, 12.6% saved
	// 0.4 V: 104.0 µJ, 21.5% saved
}
