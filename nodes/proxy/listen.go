package proxy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// listenTCP binds addr with IP_FREEBIND (and IPV6_FREEBIND), so that a
// load balancer can bind its virtual IP before VRRP assigns it to this node,
// as HAProxy does with net.ipv4.ip_nonlocal_bind=1 or the "transparent"
// bind option.
func listenTCP(ctx context.Context, addr string) (*net.TCPListener, error) {
	lc := net.ListenConfig{Control: func(network, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			if network == "tcp6" {
				serr = unix.SetsockoptInt(int(fd), unix.SOL_IPV6, unix.IPV6_FREEBIND, 1)
				if serr != nil { // older kernels: IP_FREEBIND also covers IPv6
					serr = unix.SetsockoptInt(int(fd), unix.SOL_IP, unix.IP_FREEBIND, 1)
				}
				return
			}
			serr = unix.SetsockoptInt(int(fd), unix.SOL_IP, unix.IP_FREEBIND, 1)
		})
		if err != nil {
			return err
		}
		return serr
	}}
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("bind %s: %w", addr, err)
	}
	return ln.(*net.TCPListener), nil
}

// fdLimit returns the soft limit of open files.
func fdLimit() int {
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &rl); err != nil || rl.Cur > 1<<30 {
		return 1 << 16
	}
	return int(rl.Cur)
}

// acceptLoop accepts connections on ln until it is closed. Like HAProxy, it
// stops accepting while the frontend or the process is at its maxconn: the
// extra connections wait in the kernel's listen queue until a slot frees up.
func (fe *frontend) acceptLoop(ln *net.TCPListener, serve func(*net.TCPConn)) {
	rt := fe.rt
	var delay time.Duration
	for {
		fe.slots <- struct{}{}
		rt.globalSlots <- struct{}{}
		c, err := ln.AcceptTCP()
		if err != nil {
			<-rt.globalSlots
			<-fe.slots
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// EMFILE and friends: back off as net/http does
			if delay == 0 {
				delay = 5 * time.Millisecond
			} else if delay *= 2; delay > time.Second {
				delay = time.Second
			}
			rt.log.Warn("accept failed", "frontend", fe.name, "err", err)
			time.Sleep(delay)
			continue
		}
		delay = 0
		n := fe.curConns.Add(1)
		for {
			m := fe.maxConns.Load()
			if n <= m || fe.maxConns.CompareAndSwap(m, n) {
				break
			}
		}
		fe.totConns.Add(1)
		go func() {
			defer func() {
				fe.curConns.Add(-1)
				<-rt.globalSlots
				<-fe.slots
			}()
			serve(c)
		}()
	}
}

// connTracker follows client connections for a graceful stop: idle ones are
// closed at once, busy ones when their current request is done.
type connTracker struct {
	mu       sync.Mutex
	conns    map[*clientConn]struct{}
	stopping bool
	wg       sync.WaitGroup
}

func (t *connTracker) add(c *clientConn) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopping {
		return false
	}
	if t.conns == nil {
		t.conns = map[*clientConn]struct{}{}
	}
	t.conns[c] = struct{}{}
	t.wg.Add(1)
	return true
}

func (t *connTracker) remove(c *clientConn) {
	t.mu.Lock()
	delete(t.conns, c)
	t.mu.Unlock()
	t.wg.Done()
}

// stop asks every connection to finish, wakes the idle ones, waits until
// they are gone or the deadline passes, then calls hard (which cancels
// dials and retry waits) and closes what is left.
func (t *connTracker) stop(grace time.Duration, hard func()) {
	t.mu.Lock()
	t.stopping = true
	for c := range t.conns {
		c.stop()
	}
	t.mu.Unlock()
	done := make(chan struct{})
	go func() { t.wg.Wait(); close(done) }()
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case <-done:
		return
	case <-timer.C:
	}
	hard()
	t.mu.Lock()
	for c := range t.conns {
		c.forceClose()
	}
	t.mu.Unlock()
	<-done
}
