package lab

import (
	"context"
	"fmt"
	"time"

	"github.com/halab/halab/nodes/check"
	"github.com/halab/halab/nodes/control"
)

// reconnectDelay is how long Watch waits before reading a component's
// stream again after it broke.
const reconnectDelay = 250 * time.Millisecond

// Watch merges the event streams of every component of a running lab into
// one channel, in arrival order, until ctx is done. When a component's
// stream breaks because its process is gone, Watch publishes one KindExit
// event for it and keeps watching, so that a restarted component is picked
// up again. The channel closes after ctx is done.
func Watch(ctx context.Context, st *State) <-chan control.Event {
	out := make(chan control.Event, 256)
	done := make(chan struct{})
	count := 0
	for _, n := range st.Nodes {
		for _, c := range n.Components {
			count++
			go func(node string, c ComponentState) {
				defer func() { done <- struct{}{} }()
				follow(ctx, node, c, out)
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
func follow(ctx context.Context, node string, c ComponentState, out chan<- control.Event) {
	client := control.NewClient(c.Socket)
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
		if last < since { // a restarted component numbers from 1 again
			since = 0
		} else {
			since = last
		}
		if ctx.Err() != nil {
			return
		}
		if !exitSent && !check.ProcessAlive(c.PID) {
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
