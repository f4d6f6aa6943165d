package proxy

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/halab/halab/nodes/control"
)

// haproxy503 is HAProxy 2.6's built-in 503 body.
const haproxy503 = "<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n"

func TestAllServersDownGives503(t *testing.T) {
	dead1, dead2 := deadAddr(t), deadAddr(t)
	p := startProxy(t, timeoutsHTTP+`
frontend f
  bind @FE@
  default_backend b
backend b
  server s1 `+dead1+` check inter 50 fall 1
  server s2 `+dead2+` check inter 50 fall 1
`)
	waitFor(t, 3*time.Second, "both servers DOWN", func() bool {
		act, _ := p.inst.rt.backends[0].lb.Counts()
		return act == 0
	})
	start := time.Now()
	code, body, h := get(t, p.addr, "/")
	if code != 503 || body != haproxy503 || h.Get("Cache-Control") != "no-cache" || h.Get("X-Halab-LB") != "lb1" {
		t.Fatalf("got %d %q %v", code, body, h)
	}
	if time.Since(start) > 100*time.Millisecond {
		t.Errorf("503 took %v: with no server up there is nothing to retry", time.Since(start))
	}
	logs := p.logs.String()
	for _, want := range []string{
		`Server b/s1 is DOWN, reason: Layer4 connection problem, info: \"Connection refused\", check duration: `,
		`1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.`,
		`backend b has no server available!`,
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
}

func TestRetriesThenRedispatch(t *testing.T) {
	good := newBackend(t, "good", nil)
	dead := deadAddr(t)
	// retries 2 without redispatch: a client sent to the dead server gets a
	// 503 after 3 attempts with min(1s, timeout connect) = 100ms pauses.
	p := startRetrying(t, "100ms", `
  balance roundrobin
  retries 2
  server dead `+dead+`
  server good `+good.addr+`
`)
	start := time.Now()
	code, _, _ := get(t, p.addr, "/") // roundrobin starts with "dead"
	elapsed := time.Since(start)
	if code != 503 || elapsed < 200*time.Millisecond || elapsed > 2*time.Second {
		t.Fatalf("dead server: %d after %v, want 503 after two 100ms turn-arounds", code, elapsed)
	}
	be := p.inst.rt.backends[0]
	if be.retries.Load() != 2 || be.connErrors.Load() != 1 || be.redispatches.Load() != 0 {
		t.Errorf("retries %d conn errors %d redispatches %d", be.retries.Load(), be.connErrors.Load(), be.redispatches.Load())
	}
	if code, body, _ := get(t, p.addr, "/"); code != 200 || body != "good" {
		t.Fatalf("next request: %d %q", code, body)
	}

	// with option redispatch and roundrobin over two active servers, every
	// retry goes to another server at once: no request fails.
	p2 := startRetrying(t, "100ms", `
  balance roundrobin
  option redispatch
  server dead `+dead+`
  server good `+good.addr+`
`)
	for i := 0; i < 6; i++ {
		if code, body, _ := get(t, p2.addr, "/"); code != 200 || body != "good" {
			t.Fatalf("request %d: %d %q", i, code, body)
		}
	}
	be2 := p2.inst.rt.backends[0]
	// each redispatch takes "good"'s turn, so the next request starts on
	// "dead" again, as with HAProxy's fwrr: six requests, six redispatches
	if be2.redispatches.Load() != 6 || be2.connErrors.Load() != 0 {
		t.Errorf("redispatches %d conn errors %d, want 6 and 0", be2.redispatches.Load(), be2.connErrors.Load())
	}

	// "balance first" redispatches at once too (HAProxy 2.6.12 only keeps a
	// client on its server for hash algorithms): no pause, no retry.
	p3 := startRetrying(t, "50ms", `
  balance first
  option redispatch
  retries 3
  server dead `+dead+`
  server good `+good.addr+`
`)
	for i := 0; i < 2; i++ {
		start = time.Now()
		if code, body, _ := get(t, p3.addr, "/"); code != 200 || body != "good" || time.Since(start) > 40*time.Millisecond {
			t.Fatalf("first + redispatch: %d %q after %v", code, body, time.Since(start))
		}
	}
	be3 := p3.inst.rt.backends[0]
	if be3.retries.Load() != 0 || be3.redispatches.Load() != 2 {
		t.Errorf("retries %d redispatches %d, want 0 and 2 (as HAProxy 2.6.12's wretr/wredis)", be3.retries.Load(), be3.redispatches.Load())
	}

	// "balance source" keeps the client on its server: the retries wait for
	// the turn-around, and the redispatch of the last retry hashes the
	// client to the same server again (map-based hashing ignores the
	// server to avoid), which HAProxy counts as a retry
	p4 := startRetrying(t, "50ms", `
  balance source
  option redispatch
  retries 3
  server dead `+dead+`
  server dead2 `+deadAddr(t)+`
`)
	start = time.Now()
	if code, _, _ := get(t, p4.addr, "/"); code != 503 || time.Since(start) < 100*time.Millisecond {
		t.Fatalf("source: %d after %v", code, time.Since(start))
	}
	be4 := p4.inst.rt.backends[0]
	if be4.retries.Load() != 3 || be4.redispatches.Load() != 0 {
		t.Errorf("source: retries %d redispatches %d, want 3 and 0", be4.retries.Load(), be4.redispatches.Load())
	}
}

// startRetrying starts a proxy whose HTTP frontend f sends everything to
// backend b, made of backendLines, with "timeout connect" connect.
func startRetrying(t *testing.T, connect, backendLines string) *testProxy {
	t.Helper()
	return startProxy(t, `defaults
  mode http
  timeout connect `+connect+`
  timeout client 5s
  timeout server 5s
frontend f
  bind @FE@
  default_backend b
backend b
`+backendLines)
}

func TestHealthChecksPublishTransitions(t *testing.T) {
	b := newBackend(t, "web1", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/health" {
			_, _ = io.WriteString(w, "ok")
		}
	})
	addr := b.addr
	p := startProxy(t, timeoutsHTTP+`
frontend f
  bind @FE@
  default_backend webserverapp
backend webserverapp
  option httpchk GET /health
  server webserver1 `+addr+` check inter 50 rise 2 fall 2
`)
	srv := p.inst.rt.backends[0].servers[0]
	waitFor(t, 3*time.Second, "a first check", func() bool { return srv.status().LastCheck != nil })
	if st := srv.status(); st.State != "UP" || st.LastCheck.Status != "L7OK" || st.LastCheck.Code != 200 {
		t.Fatalf("status = %+v %+v", st, st.LastCheck)
	}
	b.close()
	waitFor(t, 3*time.Second, "DOWN", func() bool { return !srv.usable() })
	if code, _, _ := get(t, p.addr, "/"); code != 503 {
		t.Fatalf("DOWN server: status %d, want 503", code)
	}
	// restart the server on the same address
	ln2, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen again on %s: %v", addr, err)
	}
	srv2 := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "back") })}
	go func() { _ = srv2.Serve(ln2) }()
	defer srv2.Close()
	waitFor(t, 3*time.Second, "UP", srv.usable)
	if code, body, _ := get(t, p.addr, "/"); code != 200 || body != "back" {
		t.Fatalf("UP again: %d %q", code, body)
	}
	// the control socket carried both transitions, worded as HAProxy's
	var events []control.Event
	c := controlClient(t, p.ctl)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, _ = c.Events(ctx, 0, func(e control.Event) error {
		if e.Kind == control.KindBackend {
			events = append(events, e)
		}
		if len(events) == 2 {
			return errors.New("done")
		}
		return nil
	})
	if len(events) != 2 {
		t.Fatalf("events = %+v", events)
	}
	down := regexp.MustCompile(`^Server webserverapp/webserver1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: \d+ms\. 0 active and 0 backup servers left\. 0 sessions active, 0 requeued, 0 remaining in queue\.$`)
	up := regexp.MustCompile(`^Server webserverapp/webserver1 is UP, reason: Layer7 check passed, code: 200, check duration: \d+ms\. 1 active and 0 backup servers online\. 0 sessions requeued, 0 total in queue\.$`)
	if !down.MatchString(events[0].Message) || events[0].Backend.Up || events[0].Level != "warn" {
		t.Errorf("DOWN event = %+v", events[0])
	}
	if !strings.HasPrefix(events[0].Backend.Reason, `Layer4 connection problem, info: "Connection refused"`) {
		t.Errorf("DOWN reason = %q", events[0].Backend.Reason)
	}
	if !up.MatchString(events[1].Message) || !events[1].Backend.Up || events[1].Backend.Server != "webserver1" {
		t.Errorf("UP event = %+v", events[1])
	}
}

func TestBadServerResponses(t *testing.T) {
	server := serveConns(t, func(c net.Conn) {
		line, _ := bufio.NewReader(c).ReadString('\n')
		switch {
		case strings.Contains(line, "/garbage"):
			_, _ = io.WriteString(c, "NOT HTTP AT ALL\r\n\r\n")
		case strings.Contains(line, "/slow"):
			time.Sleep(600 * time.Millisecond)
		case strings.Contains(line, "/short"):
			_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this")
		}
		// "/close": close without answering
	})
	p := startProxy(t, `defaults
  mode http
  timeout connect 1s
  timeout client 5s
  timeout server 300ms
frontend f
  bind @FE@
  default_backend b
backend b
  server s `+server+`
`)
	for path, want := range map[string]int{"/close": 502, "/garbage": 502, "/slow": 504} {
		code, body, _ := get(t, p.addr, path)
		if code != want || !strings.Contains(body, "<h1>"+map[int]string{502: "502 Bad Gateway", 504: "504 Gateway Time-out"}[want]+"</h1>") {
			t.Errorf("%s: %d %q, want %d", path, code, body, want)
		}
	}
	// a response cut short: the client sees the cut (its connection closes)
	r := dialRaw(t, p.addr)
	r.send("GET /short HTTP/1.1\r\nHost: t\r\n\r\n")
	resp, err := http.ReadResponse(r.br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(resp.Body); err == nil {
		t.Error("a truncated body must not look complete")
	}
}
