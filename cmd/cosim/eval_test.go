package main

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"
)

// eval --ber with a list gives, for every rate, exactly what eval at that
// rate alone gives.
func TestEvalBERList(t *testing.T) {
	model := filepath.Join(trainedMLP(t), "mlp.ckpt")
	run := func(ber string) []byte {
		code, out, errs := cosim(t, "eval", "--model", model, "--ber", ber, "--trials", "4", "--protocol", "subset", "--subset", "500", "--json")
		if code != 0 {
			t.Fatalf("--ber %s: exit %d: %s", ber, code, errs)
		}
		return []byte(out)
	}
	var list []evalResult
	if err := json.Unmarshal(run("1e-3, 0.02"), &list); err != nil || len(list) != 2 {
		t.Fatalf("list: %v, %d results", err, len(list))
	}
	for i, ber := range []string{"1e-3", "0.02"} {
		var one evalResult
		if err := json.Unmarshal(run(ber), &one); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(one, list[i]) {
			t.Errorf("--ber %s alone differs from its place in the list:\n%+v\n%+v", ber, one, list[i])
		}
	}
	// The accuracy keys are those of a sweep point: images is per trial.
	if r := list[0]; r.Images != 500 || r.Protocol != "subset" || r.Trials != 4 || r.TestImages != 10000 {
		t.Errorf("images %d per trial of %d, protocol %q, %d trials", r.Images, r.TestImages, r.Protocol, r.Trials)
	}
	if list[0].BER != 1e-3 || list[1].BER != 0.02 || !(list[0].AccMean > list[1].AccMean) {
		t.Errorf("rates %g, %g: accuracies %.2f, %.2f", list[0].BER, list[1].BER, list[0].AccMean, list[1].AccMean)
	}
	if code, _, errs := cosim(t, "eval", "--model", model, "--ber", "0.01,0.01"); code != 2 {
		t.Errorf("a repeated rate: exit %d, %q", code, errs)
	}
}
