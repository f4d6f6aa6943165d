package proxy

import (
	"bufio"
	"net/http"
	"strings"
	"testing"
	"time"
)

// slowConns is how many slowloris connections the test holds open.
const slowConns = 2000

// TestSlowlorisManyConnections opens 2000 connections that trickle a
// request head one header line every 100 ms, as slowloris does. As in
// HAProxy, "timeout http-request" counts from the head's first byte and is
// not pushed back by more bytes: each gets a 408 and is closed once it
// expires. Meanwhile a normal client is answered promptly, the heap stays
// bounded, and once they are gone no goroutine or file is left behind.
func TestSlowlorisManyConnections(t *testing.T) {
	if testing.Short() {
		t.Skip("opens 2000 connections; skipped with -short")
	}
	b := newBackend(t, "b", nil)
	p := startProxy(t, `global
  maxconn 5000
defaults
  mode http
  timeout connect 1s
  timeout client 10s
  timeout server 10s
  timeout http-request 2s
frontend f
  bind @FE@
  default_backend b
backend b
  server s `+b.addr+`
`)
	if code, _ := timedGet(p.addr); code != 200 { // warm the server pool
		t.Fatalf("before the flood: %d", code)
	}
	before := takeBaseline(t)
	start := time.Now()
	conns := dialMany(t, p.addr, slowConns, "GET / HTTP/1.1\r\n")
	fe := p.inst.rt.frontends[0]
	waitFor(t, 5*time.Second, "the proxy to hold every slow connection", func() bool { return fe.curConns.Load() >= slowConns })
	heap := liveHeap()
	t.Logf("%d slow connections open after %v: heap %.1f MB (%.1f MB before), %d goroutines",
		slowConns, time.Since(start).Round(time.Millisecond), mb(heap), mb(before.heap), numGoroutine())
	// each holds its 16 kB read buffer, and no write buffer until it has an
	// answer: 24 kB a connection, both ends of it, is generous
	if heap > before.heap+48<<20 {
		t.Errorf("heap grew by %.1f MB for %d slow connections, want under 48 MB", mb(heap-before.heap), slowConns)
	}

	// trickle a header line on every connection while a client is served
	stopTrickle := make(chan struct{})
	trickled := make(chan int)
	go func() {
		rounds := 0
		defer func() { trickled <- rounds }()
		for ; rounds < 40; rounds++ {
			select {
			case <-stopTrickle:
				return
			case <-time.After(100 * time.Millisecond):
			}
			for _, c := range conns {
				_ = c.SetWriteDeadline(time.Now().Add(50 * time.Millisecond))
				_, _ = c.Write([]byte("X-Slow: y\r\n"))
			}
		}
	}()
	var worst time.Duration
	for i := 0; i < 20; i++ {
		code, took := timedGet(p.addr)
		if code != 200 {
			t.Errorf("normal request %d during the flood: status %d after %v", i, code, took)
		}
		worst = max(worst, took)
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("slowest of 20 normal requests during the flood: %v", worst.Round(time.Millisecond))
	if worst > time.Second {
		t.Errorf("a normal request took %v during the flood, want under 1s", worst)
	}

	// every slow connection gets HAProxy's 408, then the close
	waitFor(t, 6*time.Second, "every slow connection to expire", func() bool { return fe.curConns.Load() == 0 })
	close(stopTrickle)
	t.Logf("trickle rounds: %d", <-trickled)
	got408 := 0
	for _, c := range conns {
		_ = c.SetReadDeadline(time.Now().Add(time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err == nil && resp.StatusCode == 408 && resp.Close {
			got408++
		}
		c.Close()
	}
	if got408 != slowConns {
		t.Errorf("%d of %d slow connections got a 408 and a close", got408, slowConns)
	}
	if n := fe.reqErrors.Load(); n != slowConns {
		t.Errorf("request errors = %d, want %d", n, slowConns)
	}
	if code, took := timedGet(p.addr); code != 200 || took > time.Second {
		t.Errorf("after the flood: %d in %v", code, took)
	}
	g, fds := before.settle(t, 10)
	liveHeap() // the buffer pools keep their buffers through one collection
	after := liveHeap()
	t.Logf("after: %d goroutines (%d before), %d open files (%d before), heap %.1f MB",
		g, before.goroutines, fds, before.fds, mb(after))
	if after > before.heap+16<<20 {
		t.Errorf("heap %.1f MB once the slow connections are gone (%.1f MB before)", mb(after), mb(before.heap))
	}
	if strings.Contains(p.logs.String(), "panic") {
		t.Error("the proxy logged a panic")
	}
}

func mb(n uint64) float64 { return float64(n) / (1 << 20) }
