package main

import (
	"context"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"cosim/dnn/kernels"
)

// TestMain lets a test run this binary as cosim itself (COSIM_TEST_MAIN=1),
// for behaviour fixed at process start such as the kernel choice.
func TestMain(m *testing.M) {
	if os.Getenv("COSIM_TEST_MAIN") == "1" {
		os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// cosimProcess runs cosim in a child process with extra environment.
func cosimProcess(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "COSIM_TEST_MAIN=1"), env...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, out.String(), errb.String()
}

func TestVersionShowsKernelPath(t *testing.T) {
	for _, name := range kernels.Available() {
		code, out, errs := cosimProcess(t, []string{"COSIM_KERNELS=" + name}, "version")
		if code != 0 || !strings.Contains(out, "kernels: "+name+" (available: ") {
			t.Fatalf("COSIM_KERNELS=%s cosim version: exit %d\n%s%s", name, code, out, errs)
		}
	}
	code, out, _ := cosimProcess(t, nil, "help")
	if code != 0 || !strings.Contains(out, "Kernels: "+kernels.Impl()+" (available: ") {
		t.Fatalf("cosim help: exit %d, no kernel line:\n%s", code, out)
	}
}

// A kernel path that is unknown or that the CPU lacks stops every command
// before any work, with one line and exit status 2.
func TestBadKernelPathExitsTwo(t *testing.T) {
	values := []string{"sse9", "AVX1024"}
	for _, n := range kernels.Known() {
		if kernels.Unavailable(n) != "" {
			values = append(values, n)
		}
	}
	for _, v := range values {
		for _, cmd := range [][]string{{"version"}, {"eval", "--model", "nonexistent.ckpt"}, {"energy", "--arch", "eyeriss", "--model", "alexnet"}} {
			code, out, errs := cosimProcess(t, []string{"COSIM_KERNELS=" + v}, cmd...)
			lines := strings.Split(strings.TrimSpace(errs), "\n")
			if code != 2 || out != "" || len(lines) != 1 || !strings.Contains(errs, "COSIM_KERNELS") {
				t.Fatalf("COSIM_KERNELS=%s cosim %v: exit %d, stdout %q, stderr %q; want exit 2 and one line naming the variable", v, cmd, code, out, errs)
			}
		}
	}
}

// Every flag's help names its argument by type: a back-quoted word in a
// usage string would become the argument name (flag.UnquoteUsage).
func TestFlagHelpRenders(t *testing.T) {
	for name := range commands {
		code, _, errs := cosim(t, name, "-h")
		if code != 0 {
			t.Errorf("cosim %s -h: exit %d", name, code)
		}
		for _, line := range strings.Split(errs, "\n") {
			f := strings.Fields(line)
			if strings.HasPrefix(line, "  -") && (len(f) > 2 || len(f) == 2 && !slices.Contains([]string{"string", "int", "uint", "float", "value", "duration"}, f[1])) {
				t.Errorf("cosim %s -h: flag line %q names its argument %q", name, line, f[1])
			}
		}
	}
}
