package accuracy_test

import (
	"encoding/json"
	"fmt"

	"cosim/mc/accuracy"
)

// The record's JSON keys are the WCAT reference code's CSV columns and the
// columns a sweep adds; a point of sweep.json and `cosim eval --json` embed it.
func ExampleStats() {
	s := accuracy.Stats{AccMean: 90.4, AccStd: 0.1, AccMin: 90.2, AccMax: 90.6, CILow: 90.37, CIHigh: 90.43,
		Trials: 50, Protocol: "subset", Images: 1000}
	b, err := json.Marshal(s)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(b))
	// Output:
	// {"acc_mean":90.4,"acc_std":0.1,"acc_min":90.2,"acc_max":90.6,"ci_low":90.37,"ci_high":90.43,"trials":50,"protocol":"subset","images":1000}
}
