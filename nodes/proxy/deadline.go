package proxy

import (
	"net"
	"time"
)

// deadlineSlack is how much earlier than asked a timeout may fire: a
// deadline already armed within timeout/16 of the wanted one is kept, so a
// busy keep-alive connection re-arms its timers a few times per second
// instead of on every request (each re-arm costs a runtime timer update).
const deadlineSlack = 16

// lazyDeadline remembers the deadline armed on one direction of a conn.
type lazyDeadline struct{ at time.Time }

// arm makes the deadline now+d (none when d <= 0), unless the armed one is
// already at most d/16 earlier than that. It never leaves a deadline later
// than asked.
func (l *lazyDeadline) arm(set func(time.Time) error, now time.Time, d time.Duration) {
	if d <= 0 {
		if !l.at.IsZero() {
			_ = set(time.Time{})
			l.at = time.Time{}
		}
		return
	}
	want := now.Add(d)
	if !l.at.IsZero() && !l.at.After(want) && want.Sub(l.at) <= d/deadlineSlack {
		return
	}
	_ = set(want)
	l.at = want
}

// force sets a deadline unconditionally (zero for none).
func (l *lazyDeadline) force(set func(time.Time) error, at time.Time) {
	_ = set(at)
	l.at = at
}

// connDeadlines are the lazily armed read and write deadlines of a conn.
type connDeadlines struct {
	conn        *net.TCPConn
	read, write lazyDeadline
}

func (d *connDeadlines) armRead(timeout time.Duration) {
	d.read.arm(d.conn.SetReadDeadline, time.Now(), timeout)
}

func (d *connDeadlines) armWrite(timeout time.Duration) {
	d.write.arm(d.conn.SetWriteDeadline, time.Now(), timeout)
}

func (d *connDeadlines) reset(c *net.TCPConn) {
	*d = connDeadlines{conn: c}
}
