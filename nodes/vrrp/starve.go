package vrrp

import (
	"time"

	"golang.org/x/sys/unix"
)

// drainLimit bounds how long a due timer waits for the reader to hand over
// adverts the kernel already holds.
const drainLimit = 20 * time.Millisecond

// drainQueued hands the state machine every advert that has already
// reached this instance's socket, at the time the kernel received it (see
// arrival), before its timers fire.
//
// A daemon that did not run for a while (a CPU starved by other programs,
// a stopped process) wakes with its master-down timer due and the master's
// adverts waiting in its socket. They arrived in time and must count:
// otherwise the backup declares a live master down and takes the VIP for
// the few milliseconds until it reads them (two masters, gratuitous ARPs
// both ways). The reader goroutine and the timer race on waking, so the
// timer waits here for the reader; the adverts then count from when they
// arrived, before the deadline. (keepalived's answer to starvation is
// another: with max_auto_priority it raises its own scheduling priority
// when it sees a timer expire late, "A thread timer expired … seconds
// ago".)
func (in *instance) drainQueued() {
	deadline := time.Now().Add(drainLimit)
	for {
		select {
		case dg, ok := <-in.datagrams:
			if !ok {
				return // the run loop sees the closed channel next
			}
			in.receive(dg)
			continue
		default:
		}
		wait := time.Until(deadline)
		if wait <= 0 || in.sock.queued() == 0 {
			return
		}
		// The kernel holds a datagram the reader has not read yet.
		timer := time.NewTimer(wait)
		select {
		case dg, ok := <-in.datagrams:
			timer.Stop()
			if !ok {
				return
			}
			in.receive(dg)
		case <-timer.C:
			return
		}
	}
}

// queued is the size of the next datagram waiting in the socket's receive
// queue (SIOCINQ on a raw socket), 0 when there is none or it cannot be
// known.
func (s *rawSocket) queued() int {
	if s == nil {
		return 0
	}
	n, err := unix.IoctlGetInt(s.fd, unix.SIOCINQ)
	if err != nil {
		return 0
	}
	return n
}
