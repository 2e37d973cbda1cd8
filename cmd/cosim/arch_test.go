package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `cosim arch show NAME` prints a built-in spec that, saved to a file,
// prices exactly as the built-in does.
func TestArchShowAndList(t *testing.T) {
	code, out, errs := cosim(t, "arch", "list")
	if code != 0 || !strings.Contains(out, "eyeriss-onchip") || !strings.Contains(out, "faulty weights in weight_sram") {
		t.Fatalf("arch list: exit %d\n%s%s", code, out, errs)
	}
	code, src, errs := cosim(t, "arch", "show", "eyeriss-onchip")
	if code != 0 || !strings.HasPrefix(src, "# Eyeriss-like") {
		t.Fatalf("arch show: exit %d\n%.200s%s", code, src, errs)
	}
	file := filepath.Join(t.TempDir(), "mine.yaml")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	_, builtin, _ := cosim(t, "energy", "--arch", "eyeriss-onchip", "--model", "resnet20", "--bits", "4", "--json")
	_, mine, _ := cosim(t, "energy", "--arch", file, "--model", "resnet20", "--bits", "4", "--json")
	if builtin == "" || strings.ReplaceAll(mine, file, "arch/specs/eyeriss-onchip.yaml") != builtin {
		t.Errorf("the shown spec prices differently from the built-in")
	}
	for _, args := range [][]string{{"arch"}, {"arch", "show"}, {"arch", "show", "nope"}, {"arch", "frob"}, {"arch", "--x"}} {
		if code, _, errs := cosim(t, args...); code != 2 || strings.Count(errs, "\n") != 1 {
			t.Errorf("%v: exit %d, %q", args, code, errs)
		}
	}
}
