package proxy

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"os"
	goruntime "runtime"
	"testing"
	"time"
)

// openFDs counts the file descriptors this process has open.
func openFDs(t testing.TB) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatalf("count open files: %v", err)
	}
	return len(entries)
}

// liveHeap is the heap in use after a collection, in bytes.
func liveHeap() uint64 {
	goruntime.GC()
	var m goruntime.MemStats
	goruntime.ReadMemStats(&m)
	return m.HeapAlloc
}

// baseline is what the process holds before an abuse test opens anything.
type baseline struct {
	goroutines, fds int
	heap            uint64
}

func takeBaseline(t testing.TB) baseline {
	t.Helper()
	return baseline{goroutines: goruntime.NumGoroutine(), fds: openFDs(t), heap: liveHeap()}
}

// settle waits up to 5 s for the goroutines and open files to come back to
// the baseline (plus slack for runtime and pool housekeeping), and fails
// the test if they do not: a leak per connection would show as hundreds.
func (b baseline) settle(t testing.TB, slack int) (goroutines, fds int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		goroutines, fds = goruntime.NumGoroutine(), openFDs(t)
		if goroutines <= b.goroutines+slack && fds <= b.fds+slack {
			return goroutines, fds
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			n := goruntime.Stack(buf, true)
			t.Fatalf("after the abuse: %d goroutines (before %d), %d open files (before %d); stacks:\n%s",
				goroutines, b.goroutines, fds, b.fds, buf[:n])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// dialMany opens n connections to addr, each sending first (may be empty).
func dialMany(t testing.TB, addr string, n int, first string) []net.Conn {
	t.Helper()
	conns := make([]net.Conn, 0, n)
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	for i := 0; i < n; i++ {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			t.Fatalf("connection %d of %d: %v", i+1, n, err)
		}
		conns = append(conns, c)
		if first != "" {
			_ = c.SetWriteDeadline(time.Now().Add(time.Second))
			if _, err := c.Write([]byte(first)); err != nil {
				t.Fatalf("connection %d of %d: write: %v", i+1, n, err)
			}
		}
	}
	return conns
}

// timedGet performs one GET on a fresh connection, closed afterwards, and
// returns its status (0 when it failed) and how long the answer took.
func timedGet(addr string) (int, time.Duration) {
	start := time.Now()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return 0, time.Since(start)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")); err != nil {
		return 0, time.Since(start)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return 0, time.Since(start)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return 0, time.Since(start)
	}
	return resp.StatusCode, time.Since(start)
}

func numGoroutine() int { return goruntime.NumGoroutine() }
