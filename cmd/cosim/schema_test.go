package main

import (
	"bytes"
	"strings"
	"testing"

	"cosim/arch"
	"cosim/sweep"
)

func TestSchemaCommand(t *testing.T) {
	for kind, want := range map[string][]byte{"arch": arch.Schema, "sweep": sweep.Schema} {
		code, out, errs := cosim(t, "schema", kind)
		if code != 0 || !bytes.Equal([]byte(out), want) || errs != "" {
			t.Errorf("schema %s: exit %d, %d bytes (want %d), stderr %q", kind, code, len(out), len(want), errs)
		}
		if !strings.Contains(out, `"$schema": "https://json-schema.org/draft/2020-12/schema"`) {
			t.Errorf("schema %s: not a draft 2020-12 schema", kind)
		}
	}
	for _, args := range [][]string{{"schema"}, {"schema", "model"}, {"schema", "arch", "sweep"}, {"schema", "--json"}} {
		code, out, errs := cosim(t, args...)
		if code != 2 || out != "" || strings.Count(errs, "\n") != 1 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and one line", args, code, out, errs)
		}
	}
}
