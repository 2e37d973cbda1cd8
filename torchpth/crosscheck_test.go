package torchpth

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"os"
	"testing"

	"cosim/dnn"
)

// TestCrosscheckTorch compares cosim's import of WCAT-layout ResNets with
// the clean-room PyTorch model (tools/torchpth/crosscheck.py, run by `make
// crosscheck`, which sets COSIM_TORCHPTH_CROSSCHECK to its JSON output and
// COSIM_TORCHPTH_DATA to the CIFAR-10 folder): the codes of every quantized
// weight must be bit for bit PyTorch's, and the clean test accuracy the same
// to 0.01 points.
func TestCrosscheckTorch(t *testing.T) {
	path := os.Getenv("COSIM_TORCHPTH_CROSSCHECK")
	if path == "" {
		t.Skip("run `make crosscheck` (needs python3-torch) to compare imports with PyTorch")
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Torch  string `json:"torch"`
		Models map[string]struct {
			Codes    map[string]string `json:"codes_sha256"`
			Accuracy float64           `json:"accuracy"`
			Images   int               `json:"images"`
		} `json:"models"`
	}
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	_, test, err := dnn.LoadCIFAR10(os.Getenv("COSIM_TORCHPTH_DATA"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ref.Models) == 0 {
		t.Fatalf("%s lists no models", path)
	}
	for name, want := range ref.Models {
		m, _, err := Load(name, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Layers) != len(want.Codes) {
			t.Fatalf("%s: %d quantized weights, PyTorch %d", name, len(m.Layers), len(want.Codes))
		}
		codes := 0
		for _, l := range m.Layers {
			b := make([]byte, len(l.Codes))
			for i, q := range l.Codes {
				b[i] = byte(int8(q))
			}
			sum := sha256.Sum256(b)
			if got := hex.EncodeToString(sum[:]); got != want.Codes[torchName(m, l.W.Name)] {
				t.Errorf("%s: %s codes differ from PyTorch's", name, l.W.Name)
			}
			codes += len(b)
		}
		acc := 100 * float64(dnn.Evaluate(m.Net, test, 500)) / float64(test.Len())
		if test.Len() != want.Images || math.Abs(acc-want.Accuracy) > 0.01+1e-9 {
			t.Errorf("%s: clean accuracy %.2f%% on %d images, PyTorch %.2f%% on %d", name, acc, test.Len(), want.Accuracy, want.Images)
		}
		t.Logf("%s: %d quantized weights, %d codes bit for bit PyTorch's (torch %s); clean accuracy cosim %.2f%%, PyTorch %.2f%%",
			name, len(m.Layers), codes, ref.Torch, acc, want.Accuracy)
	}
}
