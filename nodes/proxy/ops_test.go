package proxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"testing"
	"time"

	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/nodes/proxy/hacfg"
)

func TestStatsPageAndStatus(t *testing.T) {
	b := newBackend(t, "web1", nil)
	p := startProxy(t, timeoutsHTTP+`
frontend webserverlb
  bind @FE@
  default_backend webserverapp
  stats enable
  stats uri /haproxy?stats
  stats refresh 5s
backend webserverapp
  server webserver1 `+b.addr+` check inter 50
  server spare `+deadAddr(t)+` backup
`)
	srv := p.inst.rt.backends[0].servers[0]
	waitFor(t, 3*time.Second, "a check", func() bool { return srv.status().LastCheck != nil })
	get(t, p.addr, "/")
	// the proxy releases the server just after the answer went out
	waitFor(t, time.Second, "the request to end", func() bool { return srv.status().InFlight == 0 })
	code, html, h := get(t, p.addr, "/haproxy?stats")
	if code != 200 || h.Get("Refresh") != "5" || !strings.Contains(h.Get("Content-Type"), "text/html") {
		t.Fatalf("stats: %d %v", code, h)
	}
	for _, want := range []string{"webserverlb", "webserverapp", "webserver1", b.addr, "L4OK", "<tr class=up>", "no check"} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	_, csv, _ := get(t, p.addr, "/haproxy?stats;csv")
	lines := strings.Split(strings.TrimSpace(csv), "\n")
	if !strings.HasPrefix(lines[0], "# pxname,svname,qcur,qmax,scur,smax,slim,stot,") || len(lines) != 5 {
		t.Fatalf("csv:\n%s", csv)
	}
	if !strings.HasPrefix(lines[2], "webserverapp,webserver1,0,0,0,,,1,") || !strings.Contains(lines[2], ",UP,1,1,0,") || !strings.Contains(lines[2], ",L4OK,") {
		t.Errorf("server line: %s", lines[2])
	}
	if !strings.Contains(lines[3], "webserverapp,spare,") || !strings.Contains(lines[3], ",no check,1,0,1,") {
		t.Errorf("backup line: %s", lines[3])
	}
	if !strings.HasPrefix(lines[4], "webserverapp,BACKEND,") {
		t.Errorf("backend line: %s", lines[4])
	}
	// the same information as JSON on the control socket
	c := controlClient(t, p.ctl)
	var st Status
	if _, err := c.Status(context.Background(), &st); err != nil {
		t.Fatal(err)
	}
	if st.Node != "lb1" || len(st.Frontends) != 1 || st.Frontends[0].Requests < 3 || len(st.Backends) != 1 {
		t.Fatalf("status = %+v", st)
	}
	s0 := st.Backends[0].Servers[0]
	if s0.Name != "webserver1" || !s0.Up || s0.Sessions != 1 || s0.LastCheck == nil || s0.LastCheck.Status != "L4OK" {
		t.Errorf("server status = %+v", s0)
	}
}

func TestControlDisableEnableServer(t *testing.T) {
	b1, b2 := newBackend(t, "web1", nil), newBackend(t, "web2", nil)
	p := startProxy(t, timeoutsHTTP+`
frontend f
  bind @FE@
  default_backend be
backend be
  server s1 `+b1.addr+` check inter 50
  server s2 `+b2.addr+`
`)
	c := controlClient(t, p.ctl)
	ctx := context.Background()
	if err := c.Do(ctx, "disable-server", map[string]string{"backend": "be", "server": "s1"}, nil); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		if _, body, _ := get(t, p.addr, "/"); body != "web2" {
			t.Fatalf("s1 in maintenance still got traffic")
		}
	}
	if err := c.Do(ctx, "enable-server", map[string]string{"backend": "be", "server": "s1"}, nil); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i := 0; i < 4; i++ {
		_, body, _ := get(t, p.addr, "/")
		seen[body] = true
	}
	if !seen["web1"] {
		t.Fatal("s1 got no traffic after enable-server")
	}
	err := c.Do(ctx, "disable-server", map[string]string{"backend": "be", "server": "nope"}, nil)
	if err == nil || !strings.Contains(err.Error(), `backend "be" has no server "nope"`) {
		t.Fatalf("unknown server: %v", err)
	}
	logs := p.logs.String()
	for _, want := range []string{"Server be/s1 is going DOWN for maintenance. 1 active and 0 backup servers left.", "Server be/s1 is UP/READY (leaving forced maintenance)."} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q", want)
		}
	}
}

func TestTCPModeIsByteExactWithHalfClose(t *testing.T) {
	server := serveConns(t, func(c net.Conn) { // echo everything, then a trailer after the client's FIN
		data, _ := io.ReadAll(c)
		_, _ = c.Write(data)
		_, _ = io.WriteString(c, "|bye")
	})
	p := startProxy(t, `defaults
  mode tcp
  timeout connect 1s
  timeout client 5s
  timeout server 5s
listen db
  bind @FE@
  server s `+server+`
`)
	c, err := net.Dial("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	payload := make([]byte, 300000)
	for i := range payload {
		payload[i] = byte(i * 7)
	}
	go func() {
		_, _ = c.Write(payload)
		_ = c.(*net.TCPConn).CloseWrite()
	}()
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(payload)+"|bye" {
		t.Fatalf("got %d bytes, want the %d sent plus the trailer", len(got), len(payload))
	}
}

func TestFrontendMaxconnQueuesInTheKernel(t *testing.T) {
	b := newBackend(t, "b", nil)
	p := startProxy(t, timeoutsHTTP+`
frontend f
  bind @FE@
  maxconn 2
  default_backend b
backend b
  server s `+b.addr+`
`)
	r1, r2 := dialRaw(t, p.addr), dialRaw(t, p.addr)
	for _, r := range []*rawConn{r1, r2} {
		r.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
		if resp, _ := r.response("GET"); resp.StatusCode != 200 {
			t.Fatal(resp.Status)
		}
	}
	// a third connection is accepted by the kernel but not served yet
	r3 := dialRaw(t, p.addr)
	r3.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
	_ = r3.c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if _, err := r3.br.Peek(1); err == nil {
		t.Fatal("third connection served beyond maxconn 2")
	}
	r1.c.Close()
	_ = r3.c.SetReadDeadline(time.Now().Add(3 * time.Second))
	if resp, body := r3.response("GET"); resp.StatusCode != 200 || body != "b" {
		t.Fatalf("after a slot freed: %d %q", resp.StatusCode, body)
	}
}

func TestUpgradeTunnel(t *testing.T) {
	server := serveConns(t, func(c net.Conn) {
		buf := make([]byte, 4096)
		n, _ := c.Read(buf)
		if !strings.Contains(string(buf[:n]), "Upgrade: echo") {
			return
		}
		_, _ = io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
		_, _ = io.Copy(c, c)
	})
	p := startOneServer(t, server)
	r := dialRaw(t, p.addr)
	r.send("GET /ws HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
	resp, err := http.ReadResponse(r.br, nil)
	if err != nil || resp.StatusCode != 101 || resp.Header.Get("Upgrade") != "echo" {
		t.Fatalf("upgrade: %v %v", resp, err)
	}
	r.send("ping over the tunnel")
	buf := make([]byte, 64)
	n, err := io.ReadAtLeast(r.br, buf, len("ping over the tunnel"))
	if err != nil || string(buf[:n]) != "ping over the tunnel" {
		t.Fatalf("tunnel echo: %q %v", buf[:n], err)
	}
}

func TestGracefulStopFinishesInFlightRequests(t *testing.T) {
	release := make(chan struct{})
	b := newBackend(t, "b", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			<-release
		}
		_, _ = io.WriteString(w, "finished")
	})
	before := goruntime.NumGoroutine()
	p := startProxy(t, timeoutsHTTP+`
frontend f
  bind @FE@
  default_backend b
backend b
  server s `+b.addr+` check inter 50
`)
	idle := dialRaw(t, p.addr) // a keep-alive connection between requests
	idle.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
	if resp, _ := idle.response("GET"); resp.StatusCode != 200 {
		t.Fatal(resp.Status)
	}
	busy := dialRaw(t, p.addr)
	busy.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
	time.Sleep(50 * time.Millisecond)
	stopped := make(chan struct{})
	go func() { p.stop(); close(stopped) }()
	if !idle.closed(time.Second) {
		t.Error("idle keep-alive connection not closed at once by the stop")
	}
	if _, err := net.DialTimeout("tcp", p.addr, 200*time.Millisecond); err == nil {
		t.Error("still accepting after the stop began")
	}
	close(release)
	resp, body := busy.response("GET")
	if resp.StatusCode != 200 || body != "finished" || !resp.Close {
		t.Fatalf("in-flight request: %d %q close=%v", resp.StatusCode, body, resp.Close)
	}
	select {
	case <-stopped:
	case <-time.After(6 * time.Second):
		t.Fatal("stop did not return")
	}
	b.close()
	waitFor(t, 3*time.Second, "goroutines to end", func() bool { return goruntime.NumGoroutine() <= before+2 })
}

func TestRunReportsConfigErrorsAndStops(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.cfg")
	if err := os.WriteFile(bad, []byte("frontend f\n  bind 127.0.0.1:1\n  frob\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctl := control.NewServer("lb1", "proxy")
	err := Run(context.Background(), Options{ConfigPath: bad, Node: "lb1", Control: ctl})
	var inv *hacfg.InvalidError
	if !errors.As(err, &inv) || !strings.Contains(err.Error(), bad+":3: error: unknown keyword 'frob'") {
		t.Fatalf("err = %v", err)
	}
	if err := Run(context.Background(), Options{ConfigPath: filepath.Join(dir, "missing.cfg"), Control: ctl}); err == nil {
		t.Fatal("missing file accepted")
	}
	// a bind that cannot work names its line
	busy, _ := net.Listen("tcp", "127.0.0.1:0")
	defer busy.Close()
	used := filepath.Join(dir, "used.cfg")
	_ = os.WriteFile(used, []byte(fmt.Sprintf("defaults\n  mode http\n  timeout client 1s\n  timeout connect 1s\n  timeout server 1s\nfrontend f\n  bind %s\n", busy.Addr())), 0o600)
	err = Run(context.Background(), Options{ConfigPath: used, Control: ctl})
	if err == nil || !strings.Contains(err.Error(), used+":7: frontend f: bind") {
		t.Fatalf("busy port: %v", err)
	}
	// a good configuration runs until the context ends, then returns nil
	good := filepath.Join(dir, "good.cfg")
	_ = os.WriteFile(good, []byte(fmt.Sprintf("defaults\n  mode http\n  timeout client 1s\n  timeout connect 1s\n  timeout server 1s\nfrontend f\n  bind 127.0.0.1:%d\n", freePort(t))), 0o600)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := Run(ctx, Options{ConfigPath: good, Node: "lb1", Control: ctl}); err != nil {
		t.Fatalf("Run: %v", err)
	}
}

// TestBindsAddressNotHeldByThisNode binds an address no interface has,
// which HAProxy needs ip_nonlocal_bind or "transparent" for and halab does
// with IP_FREEBIND (the VIP case). 127.0.0.0/8 is all local, so this uses
// TEST-NET-1 without ever sending to it.
func TestBindsAddressNotHeldByThisNode(t *testing.T) {
	ln, err := listenTCP(context.Background(), fmt.Sprintf("192.0.2.200:%d", freePort(t)))
	if err != nil {
		t.Fatalf("IP_FREEBIND bind: %v", err)
	}
	ln.Close()
}
