package results_test

import (
	"fmt"
	"strings"

	"cosim/mc/accuracy"
	"cosim/results"
)

// A sweep's points are written as CSV whose first five columns are the WCAT
// reference code's, and read back with every number checked.
func ExampleWriteCSV() {
	pts := []results.Point{{
		Model: "resnet20", Method: "wcat", VddV: 0.44, BER: 3.85e-4, EnergyPJ: 25.7e6,
		Stats: accuracy.Stats{AccMean: 90.4, AccStd: 0.1, AccMin: 90.2, AccMax: 90.6,
			CILow: 90.37, CIHigh: 90.43, Trials: 50, Protocol: "subset", Images: 1000},
	}}
	var b strings.Builder
	if err := results.WriteCSV(&b, pts); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(b.String())
	back, err := results.ReadCSV(strings.NewReader(b.String()), "sweep.csv")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("read %d point: %s at %g V, %.2f%% over %d trials\n", len(back), back[0].Method, back[0].VddV, back[0].AccMean, back[0].Trials)
	// Output:
	// BER,acc_mean,acc_std,acc_min,acc_max,vdd_v,energy_pj,model,method,trials,ci_low,ci_high,protocol,images
	// 0.000385,90.4,0.1,90.2,90.6,0.44,2.57e+07,resnet20,wcat,50,90.37,90.43,subset,1000
	// read 1 point: wcat at 0.44 V, 90.40% over 50 trials
}

// ReadJSON names the file, line and column of a value that breaks a rule.
func ExampleReadJSON() {
	const doc = `{"title": "t", "arch": "eyeriss", "points": [
  {"model": "m", "method": "", "vdd_v": 0.5, "ber": 1e-3, "energy_pj": 2e7,
   "acc_mean": 90, "acc_std": 0, "acc_min": 90, "acc_max": 90, "ci_low": 91, "ci_high": 91, "trials": 1}]}`
	_, err := results.ReadJSON(strings.NewReader(doc), "sweep.json")
	fmt.Println(err)
	// Output:
	// sweep.json:3:74: points[0].ci_low: confidence bound 91% is above the mean 90%
}
