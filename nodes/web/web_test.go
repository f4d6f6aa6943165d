package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/halab/halab/nodes/control"
)

func TestHandler(t *testing.T) {
	h := newHandler("web1", slog.New(slog.DiscardHandler))
	tests := []struct {
		name, method, path string
		xff                string
		wantCode           int
		wantBody           []string // substrings of the body
		notBody            []string
		wantHdr            map[string]string
	}{
		{
			name: "page", method: "GET", path: "/", xff: "172.16.0.10",
			wantCode: 200,
			wantBody: []string{
				"<h1>web1 — served by halab web</h1>",
				"<title>web1 — halab web</title>",
				"<td>172.16.0.10</td>",
				"<td>192.168.10.101:41234</td>",
				"<td>172.16.0.200</td>",
			},
			wantHdr: map[string]string{"Content-Type": "text/html; charset=utf-8"},
		},
		{
			name: "page without proxy", method: "GET", path: "/",
			wantCode: 200, wantBody: []string{noXFF},
		},
		{
			name: "page escapes what the client sent", method: "GET", path: "/", xff: `<script>"x"&'y'</script>`,
			wantCode: 200,
			wantBody: []string{"&lt;script&gt;&#34;x&#34;&amp;&#39;y&#39;&lt;/script&gt;"},
			notBody:  []string{"<script>"},
		},
		{name: "page HEAD", method: "HEAD", path: "/", wantCode: 200, notBody: []string{"<h1>"}},
		{name: "page OPTIONS (plain option httpchk)", method: "OPTIONS", path: "/", wantCode: 200, wantHdr: map[string]string{"Allow": "GET, HEAD, OPTIONS"}},
		{name: "page POST", method: "POST", path: "/", wantCode: 405, wantHdr: map[string]string{"Allow": "GET, HEAD, OPTIONS"}},
		{
			name: "healthz", method: "GET", path: "/healthz", wantCode: 200,
			wantBody: []string{"ok\n"}, wantHdr: map[string]string{"Content-Type": "text/plain; charset=utf-8", "Content-Length": "3"},
		},
		{name: "healthz HEAD", method: "HEAD", path: "/healthz", wantCode: 200, notBody: []string{"ok"}},
		{name: "not found", method: "GET", path: "/index.html", wantCode: 404, wantBody: []string{"404"}},
		{name: "not found POST", method: "POST", path: "/nope", wantCode: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, "http://172.16.0.200"+tt.path, nil)
			req.RemoteAddr = "192.168.10.101:41234"
			if tt.xff != "" {
				req.Header.Set("X-Forwarded-For", tt.xff)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			res := rec.Result()
			body := rec.Body.String()
			if res.StatusCode != tt.wantCode {
				t.Fatalf("status %d, want %d; body %q", res.StatusCode, tt.wantCode, body)
			}
			for k, v := range map[string]string{"Server": "halab-web", HeaderWeb: "web1", HeaderPeer: "192.168.10.101"} {
				if got := res.Header.Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
			for k, v := range tt.wantHdr {
				if got := res.Header.Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
			if tt.method == "GET" && res.Header.Get("Content-Length") != strconv.Itoa(len(body)) {
				t.Errorf("Content-Length %q, body is %d bytes", res.Header.Get("Content-Length"), len(body))
			}
			for _, s := range tt.wantBody {
				if !strings.Contains(body, s) {
					t.Errorf("body lacks %q:\n%s", s, body)
				}
			}
			for _, s := range tt.notBody {
				if strings.Contains(body, s) {
					t.Errorf("body has %q:\n%s", s, body)
				}
			}
		})
	}
	st := h.stats.status("web1", []string{"x"})
	if st.Requests != uint64(len(tests)) || st.ByPeer["192.168.10.101"] != uint64(len(tests)) ||
		st.Pages != 6 || st.Health != 2 || st.NotFound != 2 {
		t.Errorf("stats = %+v", st)
	}
}

func TestNodeNameIsEscaped(t *testing.T) {
	h := newHandler("<b>web", slog.New(slog.DiscardHandler))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if !strings.Contains(rec.Body.String(), "<h1>&lt;b&gt;web — served by halab web</h1>") {
		t.Fatalf("body:\n%s", rec.Body.String())
	}
	if got := rec.Header().Get(HeaderWeb); got != "<b>web" {
		t.Fatalf("%s = %q", HeaderWeb, got)
	}
}

func TestAccessLogLine(t *testing.T) {
	var buf strings.Builder
	h := newHandler("web1", slog.New(slog.NewTextHandler(&buf, nil)))
	req := httptest.NewRequest("GET", "/healthz", nil)
	req.RemoteAddr = "192.168.10.102:5555"
	h.ServeHTTP(httptest.NewRecorder(), req)
	line := buf.String()
	for _, s := range []string{"msg=access", "peer=192.168.10.102:5555", "method=GET", "path=/healthz", "status=200", "bytes=3"} {
		if !strings.Contains(line, s) {
			t.Errorf("log line lacks %q: %s", s, line)
		}
	}
	if strings.Count(line, "\n") != 1 {
		t.Errorf("want one line, got %q", line)
	}
}

// TestRunServesKeepAliveAndStops runs the server on loopback, checks that a
// connection is reused, that the status detail counts the requests, and that
// cancelling stops it.
func TestRunServesKeepAliveAndStops(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctl := control.NewServer("web1", "web")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, Options{Listeners: []net.Listener{ln}, Node: "web1", Control: ctl}) }()
	defer func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("Run did not return after cancel")
		}
	}()

	url := "http://" + ln.Addr().String() + "/"
	client := &http.Client{Timeout: 2 * time.Second}
	reused := 0
	for i := range 3 {
		trace := &httptrace.ClientTrace{GotConn: func(ci httptrace.GotConnInfo) {
			if ci.Reused {
				reused++
			}
		}}
		req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), "GET", url, nil)
		res, err := client.Do(req)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(string(body), "web1 — served by halab web") {
			t.Fatalf("request %d: %s %q", i, res.Status, body)
		}
		if res.Header.Get(HeaderPeer) != "127.0.0.1" {
			t.Fatalf("%s = %q", HeaderPeer, res.Header.Get(HeaderPeer))
		}
	}
	if reused != 2 {
		t.Errorf("keep-alive: %d of 2 later requests reused the connection", reused)
	}

	rec := httptest.NewRecorder()
	ctl.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/status", nil))
	var st struct {
		Ready  bool
		Detail Status
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &st); err != nil {
		t.Fatal(err)
	}
	if !st.Ready || st.Detail.Requests != 3 || st.Detail.ByPeer["127.0.0.1"] != 3 || len(st.Detail.Listen) != 1 {
		t.Errorf("status = %s", rec.Body.String())
	}
}

func TestBindErrors(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	tests := []struct {
		name, addr string
		want       []string
	}{
		{"port in use", busy.Addr().String(), []string{busy.Addr().String(), "already in use"}},
		{"missing port", "127.0.0.1", []string{`"127.0.0.1"`, "want host:port"}},
		{"bad port", "127.0.0.1:http-ish", []string{"127.0.0.1:http-ish"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err := Run(ctx, Options{Listen: []string{tt.addr}})
			if err == nil {
				t.Fatal("Run succeeded")
			}
			for _, s := range tt.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
		})
	}
	t.Run("address not on any interface", func(t *testing.T) {
		// 192.0.2.1 is TEST-NET-1; binding sends nothing. With
		// ip_nonlocal_bind=1 the bind succeeds and there is nothing to test.
		ln, err := listen("192.0.2.1:0")
		if err == nil {
			ln.Close()
			t.Skip("non-local bind allowed here")
		}
		if !strings.Contains(err.Error(), "not on any interface") || !strings.Contains(err.Error(), "192.0.2.1:0") {
			t.Errorf("error %q", err)
		}
	})
	t.Run("no address", func(t *testing.T) {
		if err := Run(context.Background(), Options{}); err == nil || !strings.Contains(err.Error(), "no listen address") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestBindErrorHints(t *testing.T) {
	opErr := func(errno syscall.Errno) error {
		return &net.OpError{Op: "listen", Net: "tcp", Err: os.NewSyscallError("bind", errno)}
	}
	tests := []struct {
		addr string
		err  error
		want string
	}{
		{"192.168.10.200:80", opErr(syscall.EADDRINUSE), "already in use"},
		{"192.168.10.200:80", opErr(syscall.EADDRNOTAVAIL), "not on any interface"},
		{"192.168.10.200:80", opErr(syscall.EACCES), "below 1024 need root"},
		{":8080", opErr(syscall.EACCES), "permission denied"},
		{":80", errors.New("something else"), "listen on :80: something else"},
	}
	for _, tt := range tests {
		err := bindError(tt.addr, tt.err)
		if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.addr) {
			t.Errorf("bindError(%s, %v) = %q, want it to say %q", tt.addr, tt.err, err, tt.want)
		}
		if !errors.Is(err, tt.err) {
			t.Errorf("bindError(%s) does not wrap the cause", tt.addr)
		}
	}
}

func BenchmarkPage(b *testing.B) {
	h := newHandler("web1", slog.New(slog.DiscardHandler))
	req := httptest.NewRequest("GET", "http://172.16.0.200/", nil)
	req.RemoteAddr = "192.168.10.101:41234"
	req.Header.Set("X-Forwarded-For", "172.16.0.10")
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
	}
}
