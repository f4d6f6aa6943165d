// Command soak is `make soak`: it builds a seed lab under a name of its
// own with the halab binary, runs the built-in drills written for the seed
// lab round after round on it for a set time, removes the lab, and prints
// whether every run passed and whether file descriptors, goroutines, RSS
// and namespaces stayed flat (see package internal/soak). It exits 1 when
// anything failed. It needs root, like `halab up`.
//
//	go run ./internal/soak/cmd/soak -duration 30m -halab bin/halab
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/halab/halab/internal/soak"
	"github.com/halab/halab/lab"
	"github.com/halab/halab/scenarios"
)

// labTimeout bounds `halab up` and `halab down`.
const labTimeout = 2 * time.Minute

func main() {
	duration := flag.Duration("duration", 30*time.Minute, "how long to soak, the warm-up round included")
	halab := flag.String("halab", "bin/halab", "the halab binary that builds and removes the lab")
	name := flag.String("name", fmt.Sprintf("soak%d", os.Getpid()%100000), "the lab's name (unique: it is removed at the end)")
	only := flag.String("drills", "", "comma-separated drills to run (default: every built-in drill for the seed lab)")
	reports := flag.String("reports", "", "write a Markdown report of each failed run into this directory")
	jsonOut := flag.String("json", "", "also write the whole result (every run and sample) as JSON to this file")
	keep := flag.Bool("keep", false, "keep the lab at the end, for its logs (remove it with halab down --lab NAME)")
	flag.Parse()
	if err := run(*duration, *halab, *name, *only, *reports, *jsonOut, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
}

// run builds the lab, soaks it and removes it.
func run(duration time.Duration, halab, name, only, reports, jsonOut string, keep bool) error {
	if os.Geteuid() != 0 {
		return errors.New("needs root to build a lab (network namespaces): run `sudo make soak`")
	}
	if err := lab.CheckName(name); err != nil {
		return err
	}
	drills, err := pick(only)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Printf("soak: building lab %s (seed) with %s\n", name, halab)
	if err := halabRun(ctx, halab, "up", "--no-ui", "-q", "--name", name); err != nil {
		return err
	}
	defer func() {
		if keep {
			fmt.Printf("soak: lab %s kept; remove it with: sudo %s down --lab %s\n", name, halab, name)
			return
		}
		if err := halabRun(context.Background(), halab, "down", "--lab", name); err != nil {
			fmt.Fprintln(os.Stderr, "soak:", err)
		}
	}()
	names := make([]string, len(drills))
	for i, d := range drills {
		names[i] = d.Name
	}
	fmt.Printf("soak: %s of %s, round after round; the first round is the warm-up\n\n", duration, strings.Join(names, ", "))
	res, err := soak.Run(ctx, soak.Config{Lab: name, Drills: drills, Duration: duration, ReportDir: reports, Log: os.Stdout})
	if err != nil {
		return err
	}
	fmt.Println()
	if err := soak.WriteReport(os.Stdout, res); err != nil {
		return err
	}
	if jsonOut != "" {
		data, err := json.MarshalIndent(res, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(jsonOut, data, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", jsonOut, err)
		}
	}
	if !res.Passed {
		return errors.New("the soak failed")
	}
	return nil
}

// pick returns the drills named in only (comma-separated), or every
// built-in drill that applies to the seed lab.
func pick(only string) ([]*scenarios.Drill, error) {
	seed, err := lab.LoadBuiltin(lab.DefaultLab)
	if err != nil {
		return nil, err
	}
	var out []*scenarios.Drill
	if only != "" {
		for _, n := range strings.Split(only, ",") {
			d, err := scenarios.LoadBuiltin(strings.TrimSpace(n))
			if err != nil {
				return nil, err
			}
			if !d.AppliesTo(seed) {
				return nil, fmt.Errorf("drill %s is not written for the seed lab (its labs: %s)", d.Name, strings.Join(d.Labs, ", "))
			}
			out = append(out, d)
		}
		return out, nil
	}
	all, err := scenarios.ListBuiltins()
	if err != nil {
		return nil, err
	}
	for _, d := range all {
		if d.AppliesTo(seed) {
			out = append(out, d)
		}
	}
	return out, nil
}

// halabRun runs the halab binary, bounded by labTimeout, and says what it
// printed when it fails.
func halabRun(ctx context.Context, halab string, args ...string) error {
	ctx, cancel := context.WithTimeout(ctx, labTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, halab, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w\n%s", halab, strings.Join(args, " "), err, out)
	}
	return nil
}
