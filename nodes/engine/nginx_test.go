package engine

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/nodes/web"
)

func TestNginxListen(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{"192.168.10.200:80", "192.168.10.200:80", ""},
		{":80", "80", ""},
		{"0.0.0.0:8080", "8080", ""},
		{"[::1]:80", "[::1]:80", ""},
		{"192.168.10.200", "", "want host:port"},
		{"web1:", "", "want host:port"},
	}
	for _, tt := range tests {
		got, err := nginxListen(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("nginxListen(%q) = %q, %v; want an error with %q", tt.in, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("nginxListen(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// TestNginxConfig checks the generated configuration's lines.
func TestNginxConfig(t *testing.T) {
	dir := t.TempDir()
	text, err := NginxConfig("web1", []string{"192.168.10.200:80", ":8080"}, dir, "root root")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"listen 192.168.10.200:80 default_server;", "listen 8080 default_server;",
		"add_header X-Halab-Web web1 always;", "add_header X-Halab-Peer $remote_addr always;",
		`return 200 "web1 — served by nginx\n`, `location = /healthz`, "return 404;",
		"pid " + filepath.Join(dir, "nginx.pid") + ";", "access_log /dev/stdout halab;",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("nginx.conf lacks %q:\n%s", want, text)
		}
	}
	if _, err := NginxConfig("web1", []string{"nowhere"}, dir, "root root"); err == nil {
		t.Error("a listen address without a port was accepted")
	}
	// nginx -t would bind the addresses: real nginx runs this file in the
	// mixed lab's root test (cmd/halab), inside web1's namespace.
}

func TestNginxAccessLines(t *testing.T) {
	n := &ngAdapter{node: "web1", listen: []string{"192.168.10.200:80"}, byPeer: map[string]uint64{}}
	lines := []string{
		accessPrefix + `192.168.10.101 200 GET "/"`,
		accessPrefix + `192.168.10.101 200 GET "/"`,
		accessPrefix + `192.168.10.102 200 GET "/healthz"`,
		accessPrefix + `192.168.10.102 200 OPTIONS "/"`,
		accessPrefix + `192.168.10.101 404 GET "/favicon.ico"`,
		`2026/11/26 18:00:00 [notice] 123#123: start worker processes`,
		`2026/11/26 18:00:00 [emerg] 123#123: bind() to 192.168.10.200:80 failed (98: Address already in use)`,
		`2026/11/26 18:00:00 [warn] 123#123: the "user" directive makes sense only if the master process runs with super-user privileges, ignored`,
	}
	var events []control.Event
	for _, l := range lines {
		if e, ok := n.line(l); ok {
			events = append(events, e)
		}
	}
	want := web.Status{Node: "web1", Listen: []string{"192.168.10.200:80"}, Requests: 5, Pages: 3, Health: 1, NotFound: 1,
		ByPeer: map[string]uint64{"192.168.10.101": 3, "192.168.10.102": 2}}
	if diff := cmp.Diff(want, n.status()); diff != "" {
		t.Errorf("status (-want +got):\n%s", diff)
	}
	if len(events) != 2 || events[0].Level != "error" || !strings.Contains(events[0].Message, "Address already in use") || events[1].Level != "warn" {
		t.Errorf("events = %+v, want the emerg line as an error and the warn line as a warning", events)
	}
}

func TestFindProgram(t *testing.T) {
	old := lookPath
	defer func() { lookPath = old }()
	lookPath = func(string) (string, error) {
		return "", errors.New(`exec: "nginx": executable file not found in $PATH`)
	}
	if _, err := findProgram("", "nginx", "nginx-light"); err == nil || !strings.Contains(err.Error(), "install the Debian package nginx-light (sudo apt-get install nginx-light)") {
		t.Errorf("missing nginx: %v", err)
	}
	if p, err := findProgram("/opt/nginx/sbin/nginx", "nginx", "nginx-light"); err != nil || p != "/opt/nginx/sbin/nginx" {
		t.Errorf("a given program: %q, %v", p, err)
	}
}
