package lab

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/halab/halab/nodes/control"
)

// EventLogFile is the lab's own event log inside its directory: faults
// injected and removed, by whichever halab process applied them, so that a
// dashboard sees a fault typed in another shell as it lands.
const EventLogFile = "events.ndjson"

// eventLogPoll is how often Watch looks for new lines in the event log.
const eventLogPoll = 50 * time.Millisecond

// AppendEvent records a lab-level event (component "lab") in the lab's
// event log. Each event is one short write to a file opened for appending,
// which the kernel keeps whole across writers.
func AppendEvent(st *State, e control.Event) error {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	if e.Component == "" {
		e.Component = "lab"
	}
	if e.Level == "" {
		e.Level = "info"
	}
	line, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("lab %s: encode event: %w", st.Name, err)
	}
	f, err := os.OpenFile(filepath.Join(st.Dir, EventLogFile), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("lab %s: event log: %w", st.Name, err)
	}
	defer f.Close()
	if _, err := f.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("lab %s: event log: %w", st.Name, err)
	}
	return nil
}

// followEventLog sends the lab event log's events, from the start, then as
// they are appended, until ctx is done.
func followEventLog(ctx context.Context, st *State, out chan<- control.Event) {
	path := filepath.Join(st.Dir, EventLogFile)
	var f *os.File
	defer func() {
		if f != nil {
			f.Close()
		}
	}()
	var r *bufio.Reader
	var partial []byte
	var seq uint64
	tick := time.NewTicker(eventLogPoll)
	defer tick.Stop()
	for {
		if f == nil {
			if opened, err := os.Open(path); err == nil {
				f, r = opened, bufio.NewReader(opened)
			}
		}
		for r != nil {
			chunk, err := r.ReadBytes('\n')
			partial = append(partial, chunk...)
			if errors.Is(err, io.EOF) {
				break // an unfinished line waits for the rest
			}
			if err != nil {
				return
			}
			var e control.Event
			if json.Unmarshal(partial, &e) == nil {
				seq++
				e.Seq = seq
				select {
				case out <- e:
				case <-ctx.Done():
					return
				}
			}
			partial = partial[:0]
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
