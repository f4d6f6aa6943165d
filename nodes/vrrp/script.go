package vrrp

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"time"
)

// scriptResult is one run of a tracking script.
type scriptResult struct {
	OK       bool
	ExitCode int
	TimedOut bool
	Err      error
	Took     time.Duration
}

// runScript runs a tracking script once, in this node's context, with its
// output discarded (keepalived sends it to /dev/null). Exit status 0 is
// success; a script still running after timeout is killed and counts as
// failed, as keepalived does.
func runScript(ctx context.Context, argv []string, timeout time.Duration) scriptResult {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, nil, nil
	cmd.Env = os.Environ()
	err := cmd.Run()
	r := scriptResult{Took: time.Since(start), Err: err}
	var ee *exec.ExitError
	switch {
	case err == nil:
		r.OK = true
	case ctx.Err() == context.DeadlineExceeded:
		r.TimedOut = true
	case errors.As(err, &ee):
		r.ExitCode = ee.ExitCode()
	}
	return r
}

// scriptCounter applies rise and fall to a script's results, as keepalived:
// after `fall` consecutive failures an OK script is failed; after `rise`
// consecutive successes a failed one is OK. A script starts neither.
type scriptCounter struct {
	Rise, Fall int
	state      int // -1 failed, 0 not yet known, 1 OK
	run        int // consecutive results against the current state
}

// Add records a result and reports whether the state changed, and to what.
func (c *scriptCounter) Add(ok bool) (changed, nowOK bool) {
	rise, fall := max(c.Rise, 1), max(c.Fall, 1)
	switch {
	case c.state == 0:
		// The first result decides at once (keepalived's initial run).
		if ok {
			c.state = 1
		} else {
			c.state = -1
		}
		c.run = 0
		return true, ok
	case ok && c.state == 1, !ok && c.state == -1:
		c.run = 0
		return false, ok
	}
	c.run++
	if (ok && c.run >= rise) || (!ok && c.run >= fall) {
		c.run = 0
		c.state = -c.state
		return true, ok
	}
	return false, c.state == 1
}
