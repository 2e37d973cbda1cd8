// Command cosim co-simulates SRAM voltage scaling in DNN accelerators: the
// energy of an Eyeriss-like dataflow whose memories cost what CACTI says, and
// the accuracy of a quantized network whose weights sit, bit by bit, in the
// faulty voltage-scaled weight SRAM.
//
// Usage: cosim <command> [flags]; `cosim help` lists the commands. Exit
// status: 0 on success, 2 on bad input (flags, files), 1 on other failures.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"cosim/dnn/kernels"
	"cosim/internal/outlock"
)

// command is one cosim sub-command.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = map[string]command{}

func register(name, summary string, run func(context.Context, []string, io.Writer, io.Writer) error) {
	commands[name] = command{summary: summary, run: run}
}

// badInput marks an error caused by the user's input (exit status 2).
type badInput struct{ err error }

func (b badInput) Error() string { return b.err.Error() }
func (b badInput) Unwrap() error { return b.err }

// inputErr wraps err as bad input (nil stays nil).
func inputErr(err error) error {
	if err == nil {
		return nil
	}
	return badInput{err}
}

// inputErrf formats a bad-input error.
func inputErrf(format string, a ...any) error { return badInput{fmt.Errorf(format, a...)} }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command line and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	name := args[0]
	if err := kernels.EnvError(); err != nil && name != "help" && name != "-h" && name != "--help" {
		fmt.Fprintf(stderr, "cosim: %v\n", err)
		return 2
	}
	if name == "help" || name == "-h" || name == "--help" {
		if len(args) > 1 {
			if c, ok := commands[args[1]]; ok {
				return status(c.run(ctx, []string{"-h"}, stdout, stderr), stderr)
			}
		}
		usage(stdout)
		return 0
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "cosim: unknown command %q (run `cosim help`)\n", name)
		return 2
	}
	return status(c.run(ctx, args[1:], stdout, stderr), stderr)
}

func status(err error, stderr io.Writer) int {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, new(badInput)):
		fmt.Fprintf(stderr, "cosim: %v\n", err)
		return 2
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "cosim: interrupted")
		return 1
	default:
		fmt.Fprintf(stderr, "cosim: %v\n", err)
		return 1
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "cosim: co-simulation of SRAM voltage scaling in DNN accelerators")
	fmt.Fprintln(w, "\nUsage: cosim <command> [flags]   (cosim help <command> for its flags)\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-12s %s\n", n, commands[n].summary)
	}
	fmt.Fprintf(w, "\nKernels: %s; COSIM_KERNELS=auto|%s selects one.\n", kernels.Describe(), strings.Join(kernels.Known(), "|"))
	if err := kernels.EnvError(); err != nil {
		fmt.Fprintf(w, "Warning: %v\n", err)
	}
}

// newFlags makes a flag set that reports errors to stderr and returns them.
func newFlags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: cosim %s %s\n\nFlags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args; --help prints the flags, and a bad flag or a
// stray positional argument is bad input, reported in one line.
func parseFlags(fs *flag.FlagSet, args []string) error {
	pos, err := parseFlagsArgs(fs, args)
	if err == nil && len(pos) > 0 {
		return inputErrf("%s: unexpected argument %q", fs.Name(), pos[0])
	}
	return err
}

// parseFlagsArgs parses args whose flags and positional arguments may be
// interleaved, and returns the positional ones; --help prints the flags,
// and a bad flag is bad input, reported in one line.
func parseFlagsArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	usage, out := fs.Usage, fs.Output()
	fs.Usage = func() {}
	fs.SetOutput(io.Discard)
	defer func() { fs.Usage = usage; fs.SetOutput(out) }()
	var pos []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(out)
			usage()
			return nil, err
		}
		if err != nil {
			return nil, inputErrf("%s: %v (cosim help %s lists the flags)", fs.Name(), err, fs.Name())
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// setFlags returns the names of the flags given on the command line.
func setFlags(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

// checkOutDir checks, before any work, that the output directory dir exists
// and is writable, or can be created: its nearest existing ancestor is a
// writable directory. It creates nothing.
func checkOutDir(dir string) error {
	d := dir
	for {
		st, err := os.Stat(d)
		if err == nil {
			if !st.IsDir() {
				return fmt.Errorf("output directory %s: %s is not a directory", dir, d)
			}
			f, err := os.CreateTemp(d, ".cosim-write-check-*")
			if err != nil {
				return fmt.Errorf("output directory %s: cannot write in %s: %w", dir, d, errors.Unwrap(err))
			}
			f.Close()
			return os.Remove(f.Name())
		}
		parent := filepath.Dir(d)
		if parent == d {
			return fmt.Errorf("output directory %s: %w", dir, err)
		}
		d = parent
	}
}

// lockOutDir creates the output directory dir if needed and takes it for
// this run (internal/outlock): another run into it is refused until
// release.
func lockOutDir(dir string) (release func(), err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	release, err = outlock.Lock(dir)
	if errors.Is(err, outlock.ErrBusy) {
		return nil, inputErr(err)
	}
	return release, err
}
