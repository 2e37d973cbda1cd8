package report_test

import (
	"fmt"
	"os"
	"path/filepath"

	"cosim/mc/accuracy"
	"cosim/report"
	"cosim/results"
)

// WriteAll writes a report folder: the web page, the points as CSV and the
// whole report as JSON.
func ExampleWriteAll() {
	dir, err := os.MkdirTemp("", "report")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	r := results.Report{Title: "resnet20 on Eyeriss", Arch: "eyeriss", Points: []results.Point{
		{Model: "resnet20", Method: "wcat", VddV: 0.8, EnergyPJ: 35.5e6,
			Stats: accuracy.Stats{AccMean: 91.3, AccMin: 91.3, AccMax: 91.3, CILow: 91.3, CIHigh: 91.3, Trials: 1}},
		{Model: "resnet20", Method: "wcat", VddV: 0.44, BER: 3.85e-4, EnergyPJ: 25.7e6,
			Stats: accuracy.Stats{AccMean: 90.4, AccStd: 0.1, AccMin: 90.2, AccMax: 90.6, CILow: 90.37, CIHigh: 90.43, Trials: 50}},
	}}
	if err := report.WriteAll(dir, r); err != nil {
		fmt.Println(err)
		return
	}
	for _, name := range []string{report.HTMLFile, report.CSVFile, report.JSONFile} {
		_, err := os.Stat(filepath.Join(dir, name))
		fmt.Println(name, err == nil)
	}
	// Output:
	// index.html true
	// sweep.csv true
	// sweep.json true
}
