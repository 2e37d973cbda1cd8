package sweep

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestDecodeShardFile(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "shard-1-of-2.json"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := DecodeShardFile("s.json", raw)
	if err != nil {
		t.Fatal(err)
	}
	if f.Shard != 1 || f.Of != 2 || len(f.Parts) != 2 || f.Parts[1].To != 40 || len(f.Parts[1].Accs) != 2 || f.Path != "s.json" {
		t.Fatalf("decoded %+v", f)
	}
	for name, edit := range map[string][2]string{
		"kind":          {`"cosim-sweep-shard"`, `"cosim-sweep-journal"`},
		"unknown field": {`"shard":1`, `"shard":1,"extra":2`},
		"hash":          {`"9f2b`, `"zz2b`},
		"index":         {`"shard":1`, `"shard":3`},
		"count":         {`"of":2`, `"of":0`},
		"range":         {`"from":0,"to":3`, `"from":3,"to":3`},
		"too many":      {`"from":0,"to":3`, `"from":0,"to":2`},
		"lengths":       {`"flips":[12,9,15]`, `"flips":[12,9]`},
		"accuracy":      {`91.5`, `191.5`},
		"flips":         {`[12,9,15]`, `[12,-9,15]`},
		"voltage":       {`"vdd_v":0.36`, `"vdd_v":-0.36`},
		"trailing":      {`]}]}`, `]}]}{}`},
	} {
		bad := strings.Replace(string(raw), edit[0], edit[1], 1)
		if bad == string(raw) {
			t.Fatalf("%s: edit did not apply", name)
		}
		if _, err := DecodeShardFile("s.json", []byte(bad)); err == nil || !strings.HasPrefix(err.Error(), "s.json: ") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func FuzzDecodeShardFile(f *testing.F) {
	raw, err := os.ReadFile(filepath.Join("testdata", "shard-1-of-2.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(raw)
	f.Add([]byte(`{"kind":"cosim-sweep-shard"}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := DecodeShardFile("f.json", data)
		if err != nil {
			return
		}
		// What decodes re-encodes to a file that decodes the same.
		var b bytes.Buffer
		if err := json.NewEncoder(&b).Encode(s); err != nil {
			t.Fatal(err)
		}
		again, err := DecodeShardFile("f.json", b.Bytes())
		if err != nil {
			t.Fatalf("re-encoded shard refused: %v", err)
		}
		if !reflect.DeepEqual(s, again) {
			t.Fatalf("round trip changed the shard: %+v vs %+v", s, again)
		}
	})
}
