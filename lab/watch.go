package lab

import (
	"context"
	"fmt"
	"time"

	"github.com/halab/halab/nodes/control"
)

// reconnectDelay is how long Watch waits before reading a component's
// stream again after it broke.
const reconnectDelay = 250 * time.Millisecond

// Watch merges the event streams of every component of a running lab and
// the lab's own event log (faults) into one channel, in arrival order,
// until ctx is done; acc reaches the components. When a component's stream
// breaks because its process is gone, Watch publishes one KindExit event for it and keeps watching, so
// that a restarted component is picked up again. The channel closes after
// ctx is done.
func Watch(ctx context.Context, st *State, acc Access) <-chan control.Event {
	out := make(chan control.Event, 256)
	done := make(chan struct{})
	count := 1
	go func() {
		defer func() { done <- struct{}{} }()
		followEventLog(ctx, st, out)
	}()
	for _, n := range st.Nodes {
		for _, c := range n.Components {
			count++
			go func(node string, c ComponentState) {
				defer func() { done <- struct{}{} }()
				follow(ctx, acc, st.Name, node, c, out)
			}(n.Name, c)
		}
	}
	go func() {
		for i := 0; i < count; i++ {
			<-done
		}
		close(out)
	}()
	return out
}

// follow reads one component's events, resuming after breaks.
func follow(ctx context.Context, acc Access, labName, node string, c ComponentState, out chan<- control.Event) {
	client := acc.Control(node, c)
	var since uint64
	exitSent := false
	for ctx.Err() == nil {
		last, err := client.Events(ctx, since, func(e control.Event) error {
			exitSent = false
			select {
			case out <- e:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		since = last
		if ctx.Err() != nil {
			return
		}
		if pid := currentPID(labName, node, c.Kind, c.PID); pid != c.PID {
			// Restarted: a new process numbers its events from 1 again.
			c.PID, since, exitSent = pid, 0, false
		}
		if !exitSent && !acc.Alive(ctx, node, c.PID) {
			exitSent = true
			since = 0
			e := control.Event{
				Time: time.Now(), Node: node, Component: c.Kind, Kind: control.KindExit, Level: "error",
				Message: fmt.Sprintf("%s on %s is not running (pid %d)", c.Kind, node, c.PID),
				Exit:    &control.Exit{PID: c.PID, Status: exitReason(err)},
			}
			select {
			case out <- e:
			case <-ctx.Done():
				return
			}
		}
		select {
		case <-time.After(reconnectDelay):
		case <-ctx.Done():
			return
		}
	}
}

func exitReason(err error) string {
	if err == nil {
		return "stream ended"
	}
	return err.Error()
}

// currentPID reads a component's pid from the lab's state again: a fault
// may have restarted it since the watch began.
func currentPID(labName, node, kind string, old int) int {
	st, err := LoadState(labName)
	if err != nil {
		return old
	}
	if n, err := st.Node(node); err == nil {
		for _, c := range n.Components {
			if c.Kind == kind {
				return c.PID
			}
		}
	}
	return old
}
