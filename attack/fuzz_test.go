package attack

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// seedResult is a small valid result file.
func seedResult() Result {
	return Result{Attack: BFA, Settings: Settings{Preset: "wcat", KTop: 100, Batch: 64, ThresholdPct: 10.1, MaxFlips: 1000, RandomOnZero: true},
		Seed: 1, Dataset: "cifar10-test", EvalImages: 9936,
		Models: []Model{{Name: "m", Path: "m.ckpt", Arch: "resnet20", Method: "wcat", Bits: 4, Layers: []string{"conv1.weight", "fc.weight"}}},
		Trials: []Trial{{Model: "m", Trial: 0, CleanPct: 87, NFlip: 2, Reached: true, Iters: 2, FinalPct: 9.5, Hamming: 2, Flips: []Flip{
			{N: 1, Iter: 1, Layer: 1, Name: "fc.weight", Index: 3, Bit: 3, Before: 7, After: -1, Loss: 1.5, ValuePct: 40, Scored: 2560},
			{N: 2, Iter: 2, Layer: 0, Name: "conv1.weight", Index: 9, Bit: 2, Before: 0, After: 4, Loss: 6, ValuePct: 9.5, Scored: 9936}}}}}
}

// FuzzDecodeResult: any input either fails with an error or decodes to a
// result that summarises, renders and reads back unchanged.
func FuzzDecodeResult(f *testing.F) {
	var b bytes.Buffer
	json.NewEncoder(&b).Encode(seedResult())
	f.Add(b.Bytes())
	f.Add([]byte(`{"attack":"tbfa","models":[{"name":"a","layers":["x"]}],"trials":[{"model":"a","n_flip":1,"flips":[{"n":1,"layer":0}]}]}`))
	f.Add([]byte(`{"attack":"bfa","trials":[{"model":"x"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := DecodeResult(bytes.NewReader(data), "fuzz.json")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.json: ") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		rep := r.Report()
		_ = rep.Validate()
		var out bytes.Buffer
		if err := json.NewEncoder(&out).Encode(r); err != nil {
			t.Fatal(err)
		}
		back, err := DecodeResult(&out, "again")
		if err != nil {
			t.Fatalf("re-read: %v", err)
		}
		if !reflect.DeepEqual(back, r) {
			t.Fatalf("round trip changed the result")
		}
	})
}

// Merge joins shards and refuses a trial held twice.
func TestMerge(t *testing.T) {
	a, b := seedResult(), seedResult()
	b.Trials[0].Trial = 1
	m, err := Merge([]Result{a, b}, []string{"a.json", "b.json"})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Trials) != 2 || len(m.Models) != 1 || m.Summaries[0].Trials != 2 || m.Summaries[0].Mean != 2 {
		t.Fatalf("merged: %+v", m.Summaries)
	}
	if _, err := Merge([]Result{a, a}, []string{"a.json", "c.json"}); err == nil || !strings.Contains(err.Error(), "both hold trial 0") {
		t.Fatalf("duplicate trial: %v", err)
	}
	c := seedResult()
	c.Seed = 2
	if _, err := Merge([]Result{a, c}, []string{"a.json", "c.json"}); err == nil {
		t.Fatal("merged results of different seeds")
	}
}
