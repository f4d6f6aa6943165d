package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/halab/halab/assets"
	"github.com/halab/halab/internal/roottest"
	"github.com/halab/halab/lab"
	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/nodes/proxy"
)

// proxyServer reads one server's state from lb's proxy status.
func proxyServer(t *testing.T, name, lb, server string) proxy.ServerStatus {
	t.Helper()
	for _, n := range status(t, name).Nodes {
		if n.Name != lb {
			continue
		}
		for _, c := range n.Components {
			if c.Kind != "proxy" {
				continue
			}
			var st proxy.Status
			if err := json.Unmarshal(c.Detail, &st); err != nil {
				t.Fatal(err)
			}
			for _, b := range st.Backends {
				for _, s := range b.Servers {
					if s.Name == server {
						return s
					}
				}
			}
		}
	}
	t.Fatalf("no server %s on %s", server, lb)
	return proxy.ServerStatus{}
}

// curlVIP fetches the VIP from the client and returns the HTTP status and
// the web server that answered.
func curlVIP(t *testing.T, name string) (code, web string) {
	t.Helper()
	r := roottest.Run(t, "exec", "--lab", name, "client", "--", "curl", "-s", "-m", "2", "-o", "/dev/null",
		"-w", "%{http_code} %header{x-halab-web}", "http://172.16.0.200/")
	code, web, _ = strings.Cut(strings.TrimSpace(r.Stdout), " ")
	return code, web
}

// serverTurns applies `halab fault ACTION web1 web` and returns how long
// lb1's proxy then took to see webserver1 up (or down), 0 when it did not
// within 10 s.
func serverTurns(t *testing.T, name string, wantUp bool, action string) time.Duration {
	t.Helper()
	start := time.Now()
	roottest.MustRun(t, "fault", "--lab", name, action, "web1", "web")
	for time.Now().Before(start.Add(10 * time.Second)) {
		if proxyServer(t, name, "lb1", "webserver1").Up == wantUp {
			return time.Since(start)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return 0
}

// TestProxyHealthChecksInLab: the tutorial's haproxy.cfg through the VIP;
// web1 stopped → its checks (inter 2000, fall 3) mark it DOWN and the proxy
// answers 503; started again → UP after rise 2 checks.
func TestProxyHealthChecksInLab(t *testing.T) {
	roottest.Require(t)
	name := roottest.LabName("hc")
	up(t, name)
	waitMaster(t, name, "lb1", 8*time.Second)
	if code, web := curlVIP(t, name); code != "200" || web != "web1" {
		t.Fatalf("through the VIP: %s from %q, want 200 from web1", code, web)
	}
	// Let the server's health reach the top of its range (rise+fall-1).
	time.Sleep(4 * time.Second)

	down := serverTurns(t, name, false, "kill")
	t.Logf("webserver1 DOWN %v after web1 stopped (fall 3 × inter 2 s)", down.Round(10*time.Millisecond))
	if down < 3*time.Second || down > 7*time.Second {
		t.Errorf("webserver1 went DOWN after %v, want within (fall-1)×inter .. fall×inter (+1 s): 4-7 s", down)
	}
	if code, _ := curlVIP(t, name); code != "503" {
		t.Errorf("with every server down the proxy answered %s, want 503", code)
	}

	upAgain := serverTurns(t, name, true, "start")
	t.Logf("webserver1 UP %v after web1 started (rise 2 × inter 2 s)", upAgain.Round(10*time.Millisecond))
	if upAgain < 2*time.Second || upAgain > 5*time.Second {
		t.Errorf("webserver1 came UP after %v, want within (rise-1)×inter .. rise×inter (+1 s)", upAgain)
	}
	if code, web := curlVIP(t, name); code != "200" || web != "web1" {
		t.Errorf("after the restart: %s from %q", code, web)
	}
}

// twoWebLab is the seed lab with a second web server and the given balance
// algorithm.
func twoWebLab(t *testing.T, balance string) string {
	t.Helper()
	cfg := fmt.Sprintf(`defaults
    mode http
    timeout connect 5s
    timeout client 50s
    timeout server 50s
frontend webserverlb
    bind 172.16.0.200:80
    default_backend webserverapp
    option forwardfor
backend webserverapp
    balance %s
    server webserver1 192.168.10.200:80 check
    server webserver2 192.168.10.201:80 check
`, balance)
	text := strings.Replace(assetText(t, "seed.yaml"), "name: seed", "name: twoweb", 1)
	text = strings.ReplaceAll(text, "seed/", "")
	text += "\n  web2:\n    role: web\n    interfaces:\n      enp0s8: {network: private, address: 192.168.10.201/24}\n"
	return writeLabDir(t, map[string]string{
		"lab.yaml":            text,
		"haproxy.cfg":         cfg,
		"lb1.keepalived.conf": assetText(t, "seed/lb1.keepalived.conf"),
		"lb2.keepalived.conf": assetText(t, "seed/lb2.keepalived.conf"),
	})
}

// TestProxyBalancingInLab: with two web servers, roundrobin alternates,
// leastconn round-robins among servers of equal load, and source keeps the
// client on one server, as HAProxy does.
func TestProxyBalancingInLab(t *testing.T) {
	roottest.Require(t)
	if _, err := exec.LookPath("curl"); err != nil {
		t.Fatal("curl is not installed")
	}
	alternating := func(seq []string) bool {
		for i := 1; i < len(seq); i++ {
			if seq[i] == seq[i-1] {
				return false
			}
		}
		return true
	}
	for _, tc := range []struct {
		balance string
		check   func([]string) bool
		want    string
	}{
		{"roundrobin", alternating, "alternating web1/web2"},
		// Equal loads (one request at a time): HAProxy round-robins among them.
		{"leastconn", alternating, "alternating web1/web2"},
		{"source", func(seq []string) bool {
			for _, s := range seq {
				if s != seq[0] {
					return false
				}
			}
			return true
		}, "always the same server"},
	} {
		t.Run(tc.balance, func(t *testing.T) {
			name := roottest.LabName("bal")
			up(t, name, "-f", twoWebLab(t, tc.balance))
			waitMaster(t, name, "lb1", 8*time.Second)
			// Only these requests may move the balancer: pause the probe.
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			sock := filepath.Join(lab.LabDir(name), "client", "probe.sock")
			if err := control.NewClient(sock).Do(ctx, "rate", map[string]int{"rate": 0}, nil); err != nil {
				t.Fatal(err)
			}
			time.Sleep(500 * time.Millisecond)
			var seq []string
			for i := 0; i < 8; i++ {
				code, web := curlVIP(t, name)
				if code != "200" {
					t.Fatalf("request %d: %s", i, code)
				}
				seq = append(seq, web)
			}
			if !tc.check(seq) {
				t.Errorf("balance %s served %v, want %s", tc.balance, seq, tc.want)
			}
		})
	}
}

// TestAssetsHAProxyConfigsAcceptedByHAProxy: real HAProxy accepts every
// haproxy.cfg halab ships.
func TestAssetsHAProxyConfigsAcceptedByHAProxy(t *testing.T) {
	if _, err := exec.LookPath("haproxy"); err != nil {
		if os.Getenv("HALAB_REQUIRE_ROOT") == "1" {
			t.Fatal("haproxy is not installed (apt-get install haproxy)")
		}
		t.Skip("haproxy is not installed")
	}
	n := 0
	fs.WalkDir(assets.Labs, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".cfg") {
			return err
		}
		n++
		data, _ := fs.ReadFile(assets.Labs, path)
		tmp := filepath.Join(t.TempDir(), "haproxy.cfg")
		os.WriteFile(tmp, data, 0o644)
		if out, err := exec.Command("haproxy", "-c", "-f", tmp).CombinedOutput(); err != nil {
			t.Errorf("haproxy -c rejects assets/labs/%s: %v\n%s", path, err, out)
		}
		return nil
	})
	if n == 0 {
		t.Fatal("no haproxy.cfg found in assets")
	}
}
