package labview

import "github.com/halab/halab/nodes/control"

// Log is a bounded ring of events, oldest first.
type Log struct {
	ring []control.Event
	head int
	n    int
}

// NewLog returns a Log keeping up to capacity events.
func NewLog(capacity int) *Log { return &Log{ring: make([]control.Event, capacity)} }

// Add keeps an event, dropping the oldest when full.
func (l *Log) Add(e control.Event) {
	if l.n < len(l.ring) {
		l.ring[(l.head+l.n)%len(l.ring)] = e
		l.n++
		return
	}
	l.ring[l.head] = e
	l.head = (l.head + 1) % len(l.ring)
}

// Len is the number of events kept.
func (l *Log) Len() int { return l.n }

// At returns the i-th event kept, 0 the oldest.
func (l *Log) At(i int) *control.Event { return &l.ring[(l.head+i)%len(l.ring)] }

// Matches reports whether an event concerns node ("" matches every event):
// published on it, or a fault aimed at it.
func Matches(e *control.Event, node string) bool {
	if node == "" || e.Node == node {
		return true
	}
	if e.Fault != nil {
		x, _, y := SplitTarget(e.Fault.Target)
		return x == node || y == node
	}
	return false
}

// Count counts the events matching node.
func (l *Log) Count(node string) int {
	if node == "" {
		return l.n
	}
	c := 0
	for i := 0; i < l.n; i++ {
		if Matches(l.At(i), node) {
			c++
		}
	}
	return c
}

// Page returns up to max events matching node, oldest first, ending skip
// matching events before the newest: the log scrolled back by skip.
func (l *Log) Page(node string, skip, max int, out []*control.Event) []*control.Event {
	out = out[:0]
	for i := l.n - 1; i >= 0 && len(out) < max; i-- {
		e := l.At(i)
		if !Matches(e, node) {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		out = append(out, e)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}
