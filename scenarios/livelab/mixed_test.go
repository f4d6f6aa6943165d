package livelab_test

import (
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/halab/halab/assets"
	"github.com/halab/halab/internal/roottest"
	"github.com/halab/halab/lab/netns"
	"github.com/halab/halab/nodes/check"
	"github.com/halab/halab/nodes/proxy"
	"github.com/halab/halab/nodes/vrrp"
	"github.com/halab/halab/nodes/web"
	"github.com/halab/halab/scenarios"
	"github.com/halab/halab/scenarios/livelab"
)

// realPrograms are the programs the mixed lab runs besides halab.
var realPrograms = []string{"keepalived", "haproxy", "nginx"}

// requirePrograms skips (or, with HALAB_REQUIRE_ROOT=1, fails) a test that
// needs the real programs.
func requirePrograms(t *testing.T) {
	t.Helper()
	for _, p := range realPrograms {
		if _, err := exec.LookPath(p); err != nil {
			if os.Getenv("HALAB_REQUIRE_ROOT") == "1" {
				t.Fatalf("%s is not installed (apt-get install keepalived haproxy nginx-light)", p)
			}
			t.Skipf("%s is not installed", p)
		}
	}
}

// swappedMixedLab writes the mixed lab with the roles swapped: real
// keepalived and HAProxy on lb1, the master, and halab's own on lb2.
func swappedMixedLab(t *testing.T) string {
	t.Helper()
	text, err := fs.ReadFile(assets.Labs, "mixed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const engine = "    engine: {vrrp: keepalived, proxy: haproxy}\n"
	s := strings.Replace(string(text), engine, "", 1)
	s = strings.Replace(s, "  lb1:\n    role: lb\n", "  lb1:\n    role: lb\n"+engine, 1)
	if strings.Count(s, engine) != 1 || !strings.Contains(s, "  lb1:\n    role: lb\n"+engine) {
		t.Fatal("mixed.yaml changed: cannot swap lb1 and lb2's engines")
	}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "seed"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"lb1.keepalived.conf", "lb2.keepalived.conf", "haproxy.cfg"} {
		data, err := fs.ReadFile(assets.Labs, "seed/"+f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "seed", f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(dir, "mixed-swapped.yaml")
	if err := os.WriteFile(file, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// TestMixedLabDrills runs the power-off and preemption drills on the
// mixed lab both ways round: halab's lb1 the master and real keepalived on
// lb2 taking over, then real keepalived on lb1 the master and halab's lb2
// taking over. Status must show the real programs' states, a kill fault
// must kill real keepalived, and `halab down` must leave none of the real
// programs behind.
func TestMixedLabDrills(t *testing.T) {
	roottest.Require(t)
	requirePrograms(t)
	tests := []struct {
		name      string
		args      []string
		real      string // the load balancer running real keepalived and HAProxy
		realState string // its VRRP state once the lab settled
	}{
		{"halab-master", []string{"--lab", "mixed"}, "lb2", "BACKUP"},
		{"keepalived-master", []string{"-f", swappedMixedLab(t)}, "lb1", "MASTER"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := roottest.LabName("mx" + strconv.Itoa(i))
			l := up(t, name, tt.args...)
			defer l.Close()
			checkEngines(t, name, tt.real, tt.realState)
			if tt.real == "lb2" {
				killRealKeepalived(t, l, name)
			}
			for _, drill := range []string{"master-poweroff", "master-returns"} {
				d, err := scenarios.LoadBuiltin(drill)
				if err != nil {
					t.Fatal(err)
				}
				t.Run(drill, func(t *testing.T) { runDrillWith(t, l, d, scenarios.Options{AnyLab: true}) })
			}
			downLeavesNothing(t, name)
		})
	}
}

// labStatusJSON is what these tests read of `halab status --json`.
type labStatusJSON struct {
	Labs []struct {
		Nodes []struct {
			Name       string `json:"name"`
			Components []struct {
				Kind   string          `json:"kind"`
				Engine string          `json:"engine"`
				Ready  bool            `json:"ready"`
				Detail json.RawMessage `json:"detail"`
			} `json:"components"`
		} `json:"nodes"`
	} `json:"labs"`
}

// checkEngines waits until the lab settled (the master holds the VIP),
// then checks that status reports the real programs in halab's shapes:
// keepalived's state and priority (the track script found real haproxy:
// base + 2), HAProxy's server UP from its stats socket, and nginx's
// requests from its access log.
func checkEngines(t *testing.T, name, real, wantState string) {
	t.Helper()
	var last string
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		var st labStatusJSON
		out := roottest.MustRun(t, "status", "--lab", name, "--json").Stdout
		if err := json.Unmarshal([]byte(out), &st); err != nil || len(st.Labs) != 1 {
			t.Fatalf("status --json: %v\n%s", err, out)
		}
		var problems []string
		engines := map[string]string{}
		for _, n := range st.Labs[0].Nodes {
			for _, c := range n.Components {
				if c.Engine != "" {
					engines[n.Name+"/"+c.Kind] = c.Engine
				}
				if n.Name == real && c.Kind == "vrrp" {
					var vs vrrp.Status
					if json.Unmarshal(c.Detail, &vs) != nil || len(vs.Instances) != 1 {
						problems = append(problems, "no keepalived status")
						continue
					}
					in := vs.Instances[0]
					if in.State != wantState || in.Priority != in.BasePriority+2 || !strings.Contains(vs.Summary, "keepalived v2") {
						problems = append(problems, "keepalived: "+vs.Summary)
					}
					if held := len(in.HeldVIPs()) == 1; held != (wantState == "MASTER") {
						problems = append(problems, "keepalived VIP held: "+strconv.FormatBool(held))
					}
				}
				if n.Name == real && c.Kind == "proxy" {
					var ps proxy.Status
					if json.Unmarshal(c.Detail, &ps) != nil || len(ps.Backends) != 1 || len(ps.Backends[0].Servers) != 1 || !ps.Backends[0].Servers[0].Up {
						problems = append(problems, "haproxy: "+string(c.Detail))
					}
				}
				if n.Name == "web1" && c.Kind == "web" {
					var ws web.Status
					if json.Unmarshal(c.Detail, &ws) != nil || ws.Pages == 0 {
						problems = append(problems, "nginx: "+string(c.Detail))
					}
				}
			}
		}
		want := map[string]string{real + "/vrrp": "keepalived", real + "/proxy": "haproxy", "web1/web": "nginx"}
		if len(engines) != 3 || engines[real+"/vrrp"] != want[real+"/vrrp"] || engines[real+"/proxy"] != "haproxy" || engines["web1/web"] != "nginx" {
			t.Fatalf("status names engines %v, want %v", engines, want)
		}
		if len(problems) == 0 {
			return
		}
		last = strings.Join(problems, "; ")
	}
	t.Fatalf("status of the real programs after 15 s: %s\n%s", last, roottest.Run(t, "status", "--lab", name).Stdout)
}

// killRealKeepalived: `halab fault kill lb2 vrrp` kills real keepalived
// (its parent and VRRP child), and `start` brings it back as BACKUP.
func killRealKeepalived(t *testing.T, l *livelab.Lab, name string) {
	t.Helper()
	// Two, or three while the VRRP child forks a track script.
	if got := programsIn(name, "lb2"); got["keepalived"] < 2 {
		t.Fatalf("lb2 runs %v, want keepalived's parent and VRRP child", got)
	}
	roottest.MustRun(t, "fault", "--lab", name, "kill", "lb2", "vrrp")
	if got := programsIn(name, "lb2"); got["keepalived"] != 0 || got["halab-keepalive"] != 0 || got["haproxy"] != 1 {
		t.Fatalf("after kill lb2 vrrp, lb2 runs %v: keepalived and its adapter must be gone, haproxy not", got)
	}
	roottest.MustRun(t, "fault", "--lab", name, "start", "lb2", "vrrp")
	assertHealthy(t, l)
}

// programsIn counts the processes in a node by name.
func programsIn(labName, node string) map[string]int {
	out := map[string]int{}
	for _, pid := range netns.NodeProcesses(labName, node) {
		if c := comm(pid); c != "" {
			out[c]++
		}
	}
	return out
}

// downLeavesNothing removes the lab and looks in /proc for any process
// left from it: the real programs that ran in its nodes (by pid), and any
// process whose command line or working directory is in the lab's
// directory (where the adapters run the programs; nginx's workers rename
// their command line).
func downLeavesNothing(t *testing.T, name string) {
	t.Helper()
	var real []int
	for _, n := range []string{"lb1", "lb2", "web1"} {
		for _, pid := range netns.NodeProcesses(name, n) {
			for _, p := range realPrograms {
				if comm(pid) == p {
					real = append(real, pid)
				}
			}
		}
	}
	if len(real) < 5 { // keepalived ×2, haproxy, nginx master and worker
		t.Errorf("only %d real program processes ran before down: %v", len(real), real)
	}
	roottest.MustRun(t, "down", "--lab", name)
	for _, pid := range real {
		if c := comm(pid); c != "" {
			t.Errorf("after halab down, %s (pid %d) is still running", c, pid)
		}
	}
	dir := "/run/halab/" + name + "/"
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		cwd, _ := os.Readlink("/proc/" + e.Name() + "/cwd")
		if strings.Contains(string(cmdline), dir) || strings.HasPrefix(cwd+"/", dir) {
			t.Errorf("after halab down, process %d (%s, in %s) is left: %s", pid, comm(pid), cwd,
				strings.ReplaceAll(string(cmdline), "\x00", " "))
		}
	}
}

// comm is a process's name, "" when it is gone (or a zombie).
func comm(pid int) string {
	if !check.ProcessAlive(pid) {
		return ""
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}
