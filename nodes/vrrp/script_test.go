package vrrp

import (
	"context"
	"testing"
	"time"
)

func TestRunScript(t *testing.T) {
	ctx := context.Background()
	if r := runScript(ctx, []string{"true"}, time.Second); !r.OK {
		t.Errorf("true: %+v", r)
	}
	if r := runScript(ctx, []string{"sh", "-c", "exit 3"}, time.Second); r.OK || r.ExitCode != 3 {
		t.Errorf("exit 3: %+v", r)
	}
	if r := runScript(ctx, []string{"sleep", "5"}, 50*time.Millisecond); r.OK || !r.TimedOut || r.Took > 2*time.Second {
		t.Errorf("timeout: %+v", r)
	}
	if r := runScript(ctx, []string{"/nonexistent/script"}, time.Second); r.OK || r.Err == nil {
		t.Errorf("missing program: %+v", r)
	}
}

func TestScriptCounterRiseFall(t *testing.T) {
	type step struct {
		ok, changed, state bool
	}
	tests := []struct {
		name       string
		rise, fall int
		steps      []step
	}{
		{"defaults 1/1", 0, 0, []step{{true, true, true}, {false, true, false}, {true, true, true}}},
		{"fall 3", 1, 3, []step{{true, true, true}, {false, false, true}, {false, false, true}, {false, true, false}}},
		{"rise 2 resets on failure", 2, 1, []step{{false, true, false}, {true, false, false}, {false, false, false}, {true, false, false}, {true, true, true}}},
		{"first result decides", 5, 5, []step{{false, true, false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := scriptCounter{Rise: tt.rise, Fall: tt.fall}
			for i, s := range tt.steps {
				changed, state := c.Add(s.ok)
				if changed != s.changed || state != s.state {
					t.Fatalf("step %d (ok=%v): changed=%v state=%v, want %v %v", i, s.ok, changed, state, s.changed, s.state)
				}
			}
		})
	}
}
