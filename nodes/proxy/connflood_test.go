package proxy

import (
	"bufio"
	"io"
	"net/http"
	"testing"
	"time"
)

// TestConnectionFloodOverMaxconn floods a frontend with "maxconn 20" with
// 300 connections while 20 keep-alive clients hold its slots. As HAProxy,
// the proxy stops accepting at maxconn: the flood waits in the kernel's
// listen queue (its connects succeed, nothing is answered), the proxy
// never holds more than 20 connections, and the 20 clients within the
// limit keep being served promptly. Once they leave, the queued
// connections are accepted in turn and all answered, and afterwards the
// proxy serves new clients at once and holds nothing more than before.
func TestConnectionFloodOverMaxconn(t *testing.T) {
	const limit, flood = 20, 300
	b := newBackend(t, "b", nil)
	p := startProxy(t, `defaults
  mode http
  timeout connect 1s
  timeout client 10s
  timeout server 10s
  timeout http-keep-alive 10s
frontend f
  bind @FE@
  maxconn 20
  default_backend b
backend b
  server s `+b.addr+`
`)
	fe := p.inst.rt.frontends[0]
	before := takeBaseline(t)
	const req = "GET / HTTP/1.1\r\nHost: t\r\n\r\n"
	members := make([]*rawConn, limit)
	for i := range members {
		members[i] = dialRaw(t, p.addr)
		members[i].send(req)
		if resp, _ := members[i].response("GET"); resp.StatusCode != 200 {
			t.Fatalf("member %d: %d", i, resp.StatusCode)
		}
	}
	start := time.Now()
	floodConns := dialMany(t, p.addr, flood, "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
	t.Logf("%d connections beyond maxconn %d opened in %v", flood, limit, time.Since(start).Round(time.Millisecond))

	// the members are served while the flood waits
	var worst time.Duration
	for round := 0; round < 3; round++ {
		for i, m := range members {
			began := time.Now()
			m.send(req)
			if resp, _ := m.response("GET"); resp.StatusCode != 200 {
				t.Fatalf("member %d during the flood: %d", i, resp.StatusCode)
			}
			worst = max(worst, time.Since(began))
		}
	}
	if worst > 500*time.Millisecond {
		t.Errorf("a client within maxconn waited %v during the flood, want under 500ms", worst)
	}
	for _, c := range floodConns[:10] {
		_ = c.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
		if n, _ := c.Read(make([]byte, 1)); n > 0 {
			t.Fatal("a connection beyond maxconn was answered while the slots were held")
		}
	}
	if cur, peak := fe.curConns.Load(), fe.maxConns.Load(); cur != limit || peak != limit {
		t.Fatalf("proxy holds %d connections (peak %d), want %d", cur, peak, limit)
	}
	t.Logf("slowest answer to a client within maxconn during the flood: %v", worst)

	// the members leave: every queued connection is accepted and answered
	for _, m := range members {
		m.c.Close()
	}
	start = time.Now()
	answered := 0
	for _, c := range floodConns {
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			if resp.StatusCode == 200 {
				answered++
			}
		}
		c.Close()
	}
	t.Logf("%d of %d queued connections answered in %v after the slots freed", answered, flood, time.Since(start).Round(time.Millisecond))
	if answered != flood {
		t.Errorf("%d of %d queued connections answered", answered, flood)
	}
	if peak := fe.maxConns.Load(); peak > limit {
		t.Errorf("peak of %d connections over maxconn %d", peak, limit)
	}
	waitFor(t, 2*time.Second, "the proxy to drop every connection", func() bool { return fe.curConns.Load() == 0 })
	if code, took := timedGet(p.addr); code != 200 || took > 500*time.Millisecond {
		t.Errorf("after the flood: %d in %v", code, took)
	}
	g, fds := before.settle(t, 10)
	t.Logf("after: %d goroutines (%d before), %d open files (%d before)", g, before.goroutines, fds, before.fds)
}
