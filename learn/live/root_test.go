package live_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/halab/halab/internal/roottest"
	"github.com/halab/halab/learn"
	"github.com/halab/halab/learn/live"
)

// TestStepsOnRealLab runs every step of the walkthrough, in order, on one
// real seed lab: each prepares the lab, runs its action (commands in the
// nodes, a power-off, a killed proxy, a partition) and its check passes
// on what the lab really did. The last steps mend what they broke, so the
// lab ends with no fault in force.
func TestStepsOnRealLab(t *testing.T) {
	roottest.Require(t)
	if testing.Short() {
		t.Skip("builds a lab and fails it over several times (about a minute)")
	}
	name := roottest.LabName("lrn")
	t.Cleanup(func() { roottest.Run(t, "down", "--lab", name) })
	roottest.MustRun(t, "up", "--no-ui", "-q", "--name", name)
	l, err := live.Open(name, roottest.Binary(t))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c, err := learn.Load(learn.English)
	if err != nil {
		t.Fatal(err)
	}
	e, err := learn.NewEnv(l, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	for _, s := range c.Steps {
		ok := t.Run(s.ID, func(t *testing.T) {
			start := time.Now()
			blocks, err := e.ShowStep(ctx, s)
			if err != nil || len(blocks) == 0 {
				t.Fatalf("show: %v (%d blocks)", err, len(blocks))
			}
			var said []string
			res, err := e.RunStep(ctx, s, func(p learn.Progress) {
				if p.Block != nil {
					said = append(said, p.Block.Title)
					said = append(said, p.Block.Lines...)
				}
			})
			if err != nil {
				t.Fatalf("%v\n%s", err, strings.Join(said, "\n"))
			}
			verdict := strings.Join(res.Seen, "\n")
			if !res.Pass {
				t.Fatalf("the check did not pass:\n%s\noutput:\n%s", verdict, strings.Join(said, "\n"))
			}
			t.Logf("%s in %s:\n%s", s.ID, time.Since(start).Round(10*time.Millisecond), verdict)
		})
		if !ok {
			break // the steps build on each other
		}
	}
	if f := l.State().Faults; len(f) != 0 {
		t.Errorf("faults in force after the walkthrough: %v", f)
	}
}
