package eyeriss

import (
	"bytes"
	"flag"
	"os"
	"testing"

	"cosim/accel"
	"cosim/workload"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// TestReportGolden prices ResNet-20 (batch 1, 4-bit weights) on
// eyeriss-onchip and compares the table at 0.6 V with its golden file, a
// regression check of every mapping and count (rerun with -update after
// checking a change).
func TestReportGolden(t *testing.T) {
	m := builtinModel(t, "eyeriss-onchip", MinEnergy)
	w, err := workload.BuiltinWorkload("resnet20", 1, 4)
	if err != nil {
		t.Fatal(err)
	}
	r, err := accel.Price(m, w)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := accel.WriteReport(&buf, r, 0.6, "table"); err != nil {
		t.Fatal(err)
	}
	const golden = "testdata/resnet20-onchip.table.golden"
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if buf.String() != string(want) {
		t.Errorf("report differs from %s (rerun with -update after checking):\n%s", golden, buf.String())
	}
}
