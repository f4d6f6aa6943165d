package proxy

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// floodConns is how many connections send each abusive head at once.
const floodConns = 50

// TestHeaderFloods sends heads HAProxy refuses, from 50 connections at
// once each: more header lines than tune.http.maxhdr, thousands of tiny
// headers, one header larger than the buffer, and a head that never ends.
// Each gets HAProxy's 400 and a close within a second, the proxy holds no
// more than its buffer per connection (the heap stays bounded however
// much the clients send), a normal client is served meanwhile, and nothing
// is left behind.
//
// When the proxy closes a connection whose client is still sending, the
// kernel resets it, and the reset may overtake the 400 (HAProxy's answer
// is lost the same way): for the heads that outgrow the buffer, a reset
// counts as refused, a 400 as answered, and at least one 400 must arrive.
func TestHeaderFloods(t *testing.T) {
	b := newBackend(t, "b", nil)
	p := startOneServer(t, b.addr)
	var many strings.Builder
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&many, "X-%d: y\r\n", i)
	}
	tests := []struct {
		name        string
		head        string // sent whole
		endless     bool   // then header bytes until the proxy closes
		mayBeReset  bool
		wantAtLeast int // 400s of floodConns
	}{
		{"101 header lines", "GET / HTTP/1.1\r\nHost: t\r\n" + many.String() + "\r\n", false, false, floodConns},
		{"5000 tiny headers", "GET / HTTP/1.1\r\n" + strings.Repeat("a:b\r\n", 5000) + "\r\n", false, true, 1},
		{"one 64 kB header", "GET / HTTP/1.1\r\nX-Big: " + strings.Repeat("z", 64<<10) + "\r\n\r\n", false, true, 1},
		{"a head that never ends", "GET / HTTP/1.1\r\nX-A: ", true, true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := takeBaseline(t)
			var wg sync.WaitGroup
			var mu sync.Mutex
			got400, resets, sent := 0, 0, int64(0)
			var worst time.Duration
			for i := 0; i < floodConns; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					code, n, took, err := floodOnce(p.addr, tt.head, tt.endless)
					mu.Lock()
					defer mu.Unlock()
					sent += n
					worst = max(worst, took)
					switch {
					case code == 400:
						got400++
					case tt.mayBeReset && errors.Is(err, syscall.ECONNRESET):
						resets++
					default:
						t.Errorf("status %d after %v: %v", code, took, err)
					}
				}()
			}
			code, took := timedGet(p.addr)
			wg.Wait()
			heap := liveHeap()
			t.Logf("%d connections sent %.1f MB: %d got a 400, %d were reset; slowest %v; normal request %d in %v; heap %.1f MB",
				floodConns, mb(uint64(sent)), got400, resets, worst.Round(time.Millisecond), code, took.Round(time.Millisecond), mb(heap))
			if got400 < tt.wantAtLeast {
				t.Errorf("%d of %d connections got a 400, want at least %d", got400, floodConns, tt.wantAtLeast)
			}
			if worst > time.Second {
				t.Errorf("a flooding connection was answered or closed after %v, want under 1s", worst)
			}
			if code != 200 || took > time.Second {
				t.Errorf("normal request during the flood: %d in %v", code, took)
			}
			if heap > before.heap+16<<20 {
				t.Errorf("heap %.1f MB after the flood (%.1f MB before)", mb(heap), mb(before.heap))
			}
			before.settle(t, 10)
		})
	}
}

// floodOnce sends head on a fresh connection (then, when endless, header
// bytes for up to 2 s until the proxy closes) and reads the answer: its
// status (0 if none), the bytes sent, how long until the answer or the
// close, and the error that ended the exchange.
func floodOnce(addr, head string, endless bool) (code int, sent int64, took time.Duration, err error) {
	start := time.Now()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return 0, 0, 0, err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(3 * time.Second))
	written := make(chan int64, 1)
	go func() {
		n, err := io.WriteString(c, head)
		total := int64(n)
		chunk := []byte(strings.Repeat("a", 4096))
		for endless && err == nil && time.Since(start) < 2*time.Second {
			n, err = c.Write(chunk)
			total += int64(n)
		}
		written <- total
	}()
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	took = time.Since(start)
	if err == nil {
		code = resp.StatusCode
		_, _ = io.Copy(io.Discard, resp.Body)
		if !resp.Close {
			err = errors.New("answer without Connection: close")
			code = 0
		}
	}
	c.Close() // ends the writer if the proxy has not
	return code, <-written, took, err
}
