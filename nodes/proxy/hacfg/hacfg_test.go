package hacfg

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// base is a valid preamble (timeouts set, so no "missing timeouts" warning).
const base = `defaults
  mode http
  timeout connect 5s
  timeout client 50s
  timeout server 50s
`

func parse(t *testing.T, text string) (*Config, []Diagnostic, error) {
	t.Helper()
	return Parse("t.cfg", []byte(text))
}

func mustParse(t *testing.T, text string) *Config {
	t.Helper()
	cfg, diags, err := parse(t, text)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	for _, d := range diags {
		if !strings.Contains(d.Message, "no listener") {
			t.Logf("diagnostic: %s", d)
		}
	}
	return cfg
}

func TestTutorialConfig(t *testing.T) {
	cfg, diags, err := ParseFile("testdata/tutorial.cfg")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diags {
		if d.Severity != Warning || d.Line == 0 {
			t.Errorf("unexpected diagnostic %s", d)
		}
	}
	fe := cfg.Frontends()
	if len(fe) != 1 || fe[0].Name != "webserverlb" || fe[0].Mode != ModeHTTP || !fe[0].ForwardFor ||
		fe[0].DefaultBackend != "webserverapp" || len(fe[0].Binds) != 1 || fe[0].Binds[0].Addr != "172.16.0.200:80" {
		t.Fatalf("frontend = %+v", fe)
	}
	be := cfg.Backend("webserverapp")
	if be == nil || be.Balance != RoundRobin || be.Retries != 3 || len(be.Servers) != 1 {
		t.Fatalf("backend = %+v", be)
	}
	want := &Server{Name: "webserver1", Addr: "192.168.10.200:80", Line: 37, Check: true,
		Inter: 2 * time.Second, Rise: 2, Fall: 3, Weight: 1}
	if diff := cmp.Diff(want, be.Servers[0]); diff != "" {
		t.Errorf("server (-want +got):\n%s", diff)
	}
	wantT := Timeouts{Connect: 5 * time.Second, Client: 50 * time.Second, Server: 50 * time.Second}
	if be.Timeout != wantT || fe[0].Timeout != wantT {
		t.Errorf("timeouts = %+v / %+v, want %+v", fe[0].Timeout, be.Timeout, wantT)
	}
	if g := cfg.Global; g.BufSize != 16384 || g.MaxRewrite != 1024 || g.MaxHdr != 101 {
		t.Errorf("global defaults = %+v, want HAProxy 2.6's tune.bufsize 16384, tune.maxrewrite 1024, tune.http.maxhdr 101", g)
	}
}

// TestDebianDefaultConfig parses Debian's stock /etc/haproxy/haproxy.cfg:
// it has no error, and every line halab ignores is a warning at its line.
func TestDebianDefaultConfig(t *testing.T) {
	_, diags, err := ParseFile("testdata/debian-default.cfg")
	if err != nil {
		t.Fatal(err)
	}
	byLine := map[int]string{}
	for _, d := range diags {
		if d.Severity != Warning {
			t.Errorf("unexpected %s", d)
		}
		byLine[d.Line] = d.Message
	}
	want := map[int]string{
		2: "global 'log'", 3: "global 'log'", 4: "global 'chroot'", 5: "global 'stats socket'",
		6: "global 'stats timeout'", 7: "global 'user'", 8: "global 'group'", 9: "global 'daemon'",
		12: "global 'ca-base'", 13: "global 'crt-base'", 16: "'ssl-default-bind-ciphers'",
		17: "'ssl-default-bind-ciphersuites'", 18: "'ssl-default-bind-options'",
		21: "'log' ignored", 23: "'option httplog'", 24: "'option dontlognull'",
		28: "'errorfile'", 34: "'errorfile'", 0: "no listener",
	}
	for line, sub := range want {
		if !strings.Contains(byLine[line], sub) {
			t.Errorf("line %d: got %q, want a warning containing %q", line, byLine[line], sub)
		}
	}
	if len(byLine) != 24 {
		t.Errorf("%d warnings, want 24 (one per ignored line plus 'no listener')", len(byLine))
	}
}

func TestFullConfigValues(t *testing.T) {
	cfg, diags, err := ParseFile("testdata/full.cfg")
	if err != nil || len(diags) != 0 {
		t.Fatalf("err=%v diags=%v", err, diags)
	}
	if cfg.Global.MaxConn != 2000 || cfg.Global.BufSize != 16384 || cfg.Global.MaxRewrite != 1024 || cfg.Global.MaxHdr != 150 {
		t.Errorf("global = %+v", cfg.Global)
	}
	www := cfg.Frontends()[0]
	if got := []string{www.Binds[0].Addr, www.Binds[1].Addr, www.Binds[2].Addr}; !cmp.Equal(got, []string{"127.0.0.1:18480", "127.0.0.1:18481", ":18482"}) {
		t.Errorf("binds = %v", got)
	}
	if www.MaxConn != 500 || len(www.Rules) != 3 || www.Timeout.HTTPRequest != 10*time.Second || www.Timeout.HTTPKeepAlive != 2*time.Second {
		t.Errorf("www = %+v", www)
	}
	app := cfg.Backend("app")
	wantCheck := &HTTPCheck{Method: "GET", URI: "/health", Version: "HTTP/1.1", Host: "app.example.com", ExpectStatus: []int{200}}
	if diff := cmp.Diff(wantCheck, app.HTTPCheck); diff != "" {
		t.Errorf("httpchk (-want +got):\n%s", diff)
	}
	if !app.Redispatch || app.RedispatchEvery != -1 || app.Retries != 2 || app.Timeout.Check != 1500*time.Millisecond || app.Timeout.Queue != time.Minute {
		t.Errorf("app = %+v", app)
	}
	s := app.Servers
	// default-server inter 3s rise 3 fall 2 applies to every server line
	if s[0].Inter != 3*time.Second || s[0].Rise != 3 || s[0].Fall != 2 || s[0].Weight != 3 {
		t.Errorf("app1 = %+v", s[0])
	}
	if s[1].Inter != 500*time.Millisecond || s[1].FastInter != 200*time.Millisecond || s[1].DownInter != 5*time.Second || s[1].Rise != 1 || s[1].Fall != 5 {
		t.Errorf("app2 = %+v", s[1])
	}
	if !s[2].Backup || !s[3].Disabled || s[3].Check || s[4].CheckAddr() != "127.0.0.1:18499" {
		t.Errorf("app3..5 = %+v %+v %+v", s[2], s[3], s[4])
	}
	api := cfg.Backend("api")
	if api.Balance != LeastConn || !api.AllBackups || api.Redispatch || api.Retries != 0 {
		t.Errorf("api = %+v", api)
	}
	if st := cfg.Backend("static"); st.Balance != Source || st.Timeout.Server != 5*time.Second {
		t.Errorf("static = %+v", st)
	}
	if st := cfg.Backend("stats").Stats; !st.Enabled || st.URI != "/admin?stats" || st.Refresh != 10*time.Second {
		t.Errorf("stats = %+v", st)
	}
	db := cfg.Backend("tcp-db")
	if db.Mode != ModeTCP || db.Balance != First || !db.IsFrontend() || db.Timeout.Tunnel != time.Hour || db.Kind() != "proxy" {
		t.Errorf("tcp-db = %+v", db)
	}
	ws := cfg.Backend("web-and-stats")
	if ws.Balance != StaticRR || ws.RedispatchEvery != 1 || ws.Stats.URI != "/stats" || !ws.Stats.Enabled {
		t.Errorf("web-and-stats = %+v", ws)
	}
}

func TestTimeUnits(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"5000", 5 * time.Second, ""},
		{"100ms", 100 * time.Millisecond, ""},
		{"1500us", 2 * time.Millisecond, ""}, // rounded up to whole milliseconds
		{"0us", 0, ""},
		{"3s", 3 * time.Second, ""},
		{"2m", 2 * time.Minute, ""},
		{"1h", time.Hour, ""},
		{"1d", 24 * time.Hour, ""},
		{"24d", 24 * 24 * time.Hour, ""},
		{"25d", 0, "timer overflow"},
		{"2147483648", 0, "timer overflow"},
		{"10x", 0, "unexpected character 'x'"},
		{"5 s", 0, "unexpected character ' '"},
		{"s", 0, "starts with a number"},
		{"", 0, "missing"},
	}
	for _, tt := range tests {
		got, err := ParseTime(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseTime(%q) err = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestDefaultsInheritance(t *testing.T) {
	cfg := mustParse(t, `
defaults
  mode http
  balance leastconn
  retries 5
  option forwardfor
  timeout connect 1s
  timeout client 2s
  timeout server 3s
  default-server inter 700 fall 4
backend a
  server s 127.0.0.1:1 check
defaults
  mode tcp
  timeout connect 1s
  timeout client 2s
  timeout server 3s
backend b
  server s 127.0.0.1:1 check
defaults named
  mode http
  balance source
  timeout connect 9s
  timeout client 9s
  timeout server 9s
defaults
  timeout connect 1s
  timeout client 2s
  timeout server 3s
backend c from named
  server s 127.0.0.1:1
backend d
  server s 127.0.0.1:1
`)
	a, b, c, d := cfg.Backend("a"), cfg.Backend("b"), cfg.Backend("c"), cfg.Backend("d")
	if a.Mode != ModeHTTP || a.Balance != LeastConn || a.Retries != 5 || !a.ForwardFor || a.Servers[0].Inter != 700*time.Millisecond || a.Servers[0].Fall != 4 {
		t.Errorf("a = %+v %+v", a, a.Servers[0])
	}
	// a new defaults section resets everything to HAProxy's built-in values
	if b.Mode != ModeTCP || b.Balance != RoundRobin || b.Retries != 3 || b.ForwardFor || b.Servers[0].Inter != 2*time.Second || b.Servers[0].Fall != 3 {
		t.Errorf("b = %+v %+v", b, b.Servers[0])
	}
	if c.Balance != Source || c.Mode != ModeHTTP || c.Timeout.Connect != 9*time.Second {
		t.Errorf("c (from named) = %+v", c)
	}
	if d.Mode != ModeTCP || d.Balance != RoundRobin || d.Timeout.Connect != time.Second {
		t.Errorf("d (latest defaults) = %+v", d)
	}
}

func TestListenSection(t *testing.T) {
	cfg := mustParse(t, base+`listen web
  bind 127.0.0.1:8080
  balance roundrobin
  option httpchk
  server a 127.0.0.1:81 check
  server b 127.0.0.1:82 check
`)
	p := cfg.Backend("web")
	if p == nil || !p.IsFrontend() || !p.IsBackend() || len(cfg.Frontends()) != 1 || len(p.Servers) != 2 {
		t.Fatalf("listen = %+v", p)
	}
	want := &HTTPCheck{Method: "OPTIONS", URI: "/", Version: "HTTP/1.0"}
	if diff := cmp.Diff(want, p.HTTPCheck); diff != "" {
		t.Errorf("default httpchk (-want +got):\n%s", diff)
	}
}

func TestACLConditions(t *testing.T) {
	cfg := mustParse(t, base+`frontend f
  bind 127.0.0.1:80
  acl api path_beg /api /v2
  acl api path -i /LEGACY
  acl host_a hdr(host) -i a.example
  acl get method GET HEAD
  acl lan src 10.0.0.0/8 192.168.1.5
  use_backend b1 if api get
  use_backend b2 if host_a or lan
  use_backend b3 unless { path_end .html } || !get
  use_backend b4 if { hdr_sub(user-agent) curl } { url_beg /x? }
  default_backend b1
backend b1
backend b2
backend b3
backend b4
`)
	rules := cfg.Frontends()[0].Rules
	route := func(method, uri, host, ua, src string) string {
		r := &Request{Method: method, URI: uri, Src: netip.MustParseAddr(src), Header: func(n string) (string, bool) {
			switch strings.ToLower(n) {
			case "host":
				return host, host != ""
			case "user-agent":
				return ua, ua != ""
			}
			return "", false
		}}
		for _, rule := range rules {
			if rule.Cond.Match(r) {
				return rule.Backend
			}
		}
		return "default"
	}
	tests := []struct {
		method, uri, host, ua, src, want string
	}{
		{"GET", "/api/x?y", "", "", "1.1.1.1", "b1"},
		{"GET", "/legacy", "", "", "1.1.1.1", "b1"},
		{"POST", "/api/x", "", "", "1.1.1.1", "default"}, // not get: rule 1 fails, "unless … || !get" too
		{"GET", "/index.html", "A.EXAMPLE", "", "1.1.1.1", "b2"},
		{"GET", "/index.html", "", "", "10.1.2.3", "b2"},
		{"GET", "/index.html", "", "", "192.168.1.6", "default"},
		{"GET", "/page", "", "", "1.1.1.1", "b3"},
		{"GET", "/x?q", "", "curl/8", "1.1.1.1", "b3"},
		{"POST", "/x?q", "", "curl/8", "1.1.1.1", "b4"},    // two anonymous ACLs, both true
		{"GET", "http://h/api/1", "", "", "1.1.1.1", "b1"}, // absolute form
	}
	for _, tt := range tests {
		if got := route(tt.method, tt.uri, tt.host, tt.ua, tt.src); got != tt.want {
			t.Errorf("%s %s host=%q ua=%q src=%s -> %s, want %s", tt.method, tt.uri, tt.host, tt.ua, tt.src, got, tt.want)
		}
	}
}

func TestInvalidErrorListsEverything(t *testing.T) {
	_, diags, err := parse(t, base+`frontend f
  bind 127.0.0.1:80
  frob
  timeout client 10x
backend b
  server s1 127.0.0.1
`)
	var inv *InvalidError
	if !errors.As(err, &inv) || len(inv.Errors) != 3 || !hasErrors(diags) {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{"t.cfg:8: error: unknown keyword 'frob'", "t.cfg:9: error: 'timeout client'", "t.cfg:11: error: 'server b/s1' : address '127.0.0.1' has no port"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not contain %q:\n%v", want, err)
		}
	}
	d := Diagnostic{File: "x.cfg", Line: 3, Severity: Warning, Message: "m"}
	if d.String() != "x.cfg:3: warning: m" {
		t.Errorf("String = %q", d.String())
	}
}

// hasErrors reports whether any diagnostic is an error.
func hasErrors(diags []Diagnostic) bool {
	for _, d := range diags {
		if d.Severity == Error {
			return true
		}
	}
	return false
}
