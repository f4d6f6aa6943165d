package main

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/halab/halab/internal/roottest"
)

// killPoint is a moment in a halab command's run at which it is killed
// with SIGKILL: when it prints a line containing line, or when reached
// (polled every millisecond) becomes true, whichever is set.
type killPoint struct {
	name    string
	line    string
	reached func() bool
}

// killedRun is a halab command killed at a killPoint.
type killedRun struct {
	output string // what it printed, stdout and stderr together
	// killed is true when SIGKILL found it still running; false when it
	// ended on its own before the kill point came.
	killed bool
}

// mustKill runs halab with args through runAndKill and fails the test if
// the command neither reached the kill point nor ended within limit: a
// hang.
func mustKill(t *testing.T, kp killPoint, limit time.Duration, args ...string) killedRun {
	t.Helper()
	run, hung := runAndKill(t, kp, limit, args...)
	if hung {
		t.Fatalf("halab %v did not reach %q nor end within %v: it hangs\n%s", args, kp.name, limit, run.output)
	}
	return run
}

// runAndKill starts halab with args and kills it with SIGKILL at kp, or
// after limit (then hung is true). Its components, if it starts any, are
// left as they are.
func runAndKill(t *testing.T, kp killPoint, limit time.Duration, args ...string) (_ killedRun, hung bool) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd := exec.Command(roottest.Binary(t), args...)
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		w.Close()
		t.Fatalf("halab %v: %v", args, err)
	}
	w.Close()
	lines := make(chan string, 256)
	var out strings.Builder
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	// drain collects the rest of the output: the pipe closes when the
	// process has ended (its components write to their own logs).
	drain := func() {
		for line := range lines {
			out.WriteString(line + "\n")
		}
	}

	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	deadline := time.After(limit)
	in := lines // nil once the output is closed
wait:
	for {
		select {
		case line, ok := <-in:
			if !ok {
				in = nil
				continue
			}
			out.WriteString(line + "\n")
			if kp.line != "" && strings.Contains(line, kp.line) {
				break wait
			}
		case <-tick.C:
			if kp.reached != nil && kp.reached() {
				break wait
			}
		case <-exited:
			// Ended on its own before the kill point.
			drain()
			return killedRun{output: out.String()}, false
		case <-deadline:
			hung = true
			break wait
		}
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	waitErr := <-exited
	drain()
	var ee *exec.ExitError
	killed := errors.As(waitErr, &ee) && ee.ProcessState.Sys().(syscall.WaitStatus).Signal() == syscall.SIGKILL
	return killedRun{output: out.String(), killed: killed}, hung
}
