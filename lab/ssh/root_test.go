package ssh_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/halab/halab/internal/roottest"
	"github.com/halab/halab/internal/vmtest"
)

// TestSeedOnVMs deploys the tutorial's configuration onto four machines
// reached over SSH (namespaces with a real sshd each; web1 through a user
// with sudo), gets the page through the VIP from the client machine, runs
// the master power-off drill, and checks that down leaves nothing on the
// machines.
func TestSeedOnVMs(t *testing.T) {
	roottest.Require(t)
	name := roottest.LabName("sv")
	c := vmtest.Start(t, "hv"+name[2:], seedVMs())
	file := writeSeedLab(t, c, name, map[string]nodeSSH{"web1": {user: vmtest.SudoUser}})
	t.Cleanup(func() { roottest.Run(t, "down", "-f", file) })

	up := roottest.Run(t, "up", "-f", file, "--no-ui")
	if up.Code != 0 {
		t.Fatalf("up: exit %d\n%s\n%s\nweb1's sshd: %s", up.Code, up.Stdout, up.Stderr, c.Log("web1"))
	}
	for _, want := range []string{"connected: linux/", "web1", "with sudo", "managed over mgmt0", "SHA-256", "vrrp ready"} {
		if !strings.Contains(up.Stderr+up.Stdout, want) {
			t.Errorf("up's progress lacks %q:\n%s\n%s", want, up.Stderr, up.Stdout)
		}
	}

	// The page through the VIP, from the client machine, over halab exec.
	var page string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		r := roottest.Run(t, "exec", "--lab", name, "client", "--", "curl", "-s", "-m", "1", "http://172.16.0.200/")
		if r.Code == 0 && strings.Contains(r.Stdout, "web1") {
			page = r.Stdout
			break
		}
	}
	if page == "" {
		t.Fatalf("the client never got web1's page through the VIP")
	}

	// Status over SSH: the VIP on lb1, every component running, the
	// probe's answers counted.
	var status struct {
		Labs []struct {
			Provider string
			Nodes    []struct {
				Name       string
				Where      string
				Interfaces []struct {
					Name      string
					Addresses []string
				}
				Components []struct {
					Kind    string
					Running bool
					Ready   bool
				}
			}
		}
	}
	out := halab(t, "status", "--lab", name, "--json")
	if err := json.Unmarshal([]byte(out.Stdout), &status); err != nil {
		t.Fatalf("status --json: %v\n%s", err, out.Stdout)
	}
	if len(status.Labs) != 1 || status.Labs[0].Provider != "ssh" {
		t.Fatalf("status: %s", out.Stdout)
	}
	for _, n := range status.Labs[0].Nodes {
		if !strings.Contains(n.Where, c.Hosts[n.Name].String()) {
			t.Errorf("%s is at %q", n.Name, n.Where)
		}
		for _, comp := range n.Components {
			if !comp.Running || !comp.Ready {
				t.Errorf("%s %s: running %v ready %v", n.Name, comp.Kind, comp.Running, comp.Ready)
			}
		}
	}
	if !strings.Contains(out.Stdout, "172.16.0.200/32") {
		t.Errorf("no node holds the VIP in status:\n%s", out.Stdout)
	}

	drill := roottest.Run(t, "drill", "run", "master-poweroff", "--lab", name, "--any-lab")
	if drill.Code != 0 {
		t.Fatalf("master-poweroff drill on the machines: exit %d\n%s\n%s", drill.Code, drill.Stdout, drill.Stderr)
	}
	t.Logf("drill:\n%s", drill.Stdout)

	outputs := []string{up.Stdout, up.Stderr, out.Stdout, drill.Stdout, drill.Stderr}

	// Faults by hand, over SSH, with the netns names.
	for _, step := range []struct {
		fault []string
		vm    string
		check []string
		want  string
		gone  bool
	}{
		{[]string{"partition", "lb1", "lb2"}, "lb1", []string{"nft", "list", "table", "ip", "halab_fault"}, "192.168.10.102", false},
		{[]string{"heal"}, "lb2", []string{"nft", "list", "tables"}, "halab_fault", true},
		{[]string{"link", "lb2", "enp0s9", "down"}, "lb2", []string{"ip", "-o", "link", "show", "enp0s9"}, "state DOWN", false},
		{[]string{"link", "lb2", "enp0s9", "up"}, "lb2", []string{"ip", "-o", "link", "show", "enp0s9"}, "state DOWN", true},
	} {
		r := halab(t, append([]string{"fault", "--lab", name}, step.fault...)...)
		outputs = append(outputs, r.Stdout, r.Stderr)
		got, _ := c.Exec(step.vm, step.check...)
		if strings.Contains(got, step.want) == step.gone {
			t.Errorf("after fault %v, %s on %s says:\n%s", step.fault, strings.Join(step.check, " "), step.vm, got)
		}
	}
	pidOf := func(node, kind string) string {
		var st struct {
			Labs []struct {
				Nodes []struct {
					Name       string
					Components []struct {
						Kind    string
						PID     int
						Running bool
					}
				}
			}
		}
		r := halab(t, "status", "--lab", name, "--json")
		if err := json.Unmarshal([]byte(r.Stdout), &st); err != nil {
			t.Fatal(err)
		}
		for _, n := range st.Labs[0].Nodes {
			for _, comp := range n.Components {
				if n.Name == node && comp.Kind == kind && comp.Running {
					return fmt.Sprint(comp.PID)
				}
			}
		}
		return ""
	}
	before := pidOf("lb1", "proxy")
	halab(t, "fault", "--lab", name, "kill", "lb1", "proxy")
	if status, err := os.ReadFile("/proc/" + before + "/status"); (err == nil && !strings.Contains(string(status), "State:\tZ")) || pidOf("lb1", "proxy") != "" {
		t.Errorf("lb1's proxy (pid %s) still runs after kill", before)
	}
	halab(t, "fault", "--lab", name, "start", "lb1", "proxy")
	if after := pidOf("lb1", "proxy"); after == "" || after == before {
		t.Errorf("lb1's proxy after start: pid %q (was %s)", after, before)
	}

	// The dashboard, as text.
	snap := halab(t, "ui", "--lab", name, "--snapshot", "-")
	for _, want := range []string{"lb1", "lb2", "MASTER", "172.16.0.200"} {
		if !strings.Contains(snap.Stdout, want) {
			t.Errorf("dashboard snapshot lacks %q:\n%s", want, snap.Stdout)
		}
	}
	outputs = append(outputs, snap.Stdout)

	// The VRRP password is in no output and no log.
	for _, n := range []string{"lb1", "lb2"} {
		logs, _ := filepath.Glob(filepath.Join(RemoteDir(c, n), name, n, "*.log"))
		for _, l := range logs {
			data, _ := os.ReadFile(l)
			outputs = append(outputs, string(data))
		}
	}
	for _, o := range outputs {
		if strings.Contains(o, "myP@ssw") {
			t.Errorf("the VRRP auth_pass appears in halab's output or logs:\n%s", o)
		}
	}

	halab(t, "down", "--lab", name)
	assertClean(t, c, []string{"client", "lb1", "lb2", "web1"})
}

// assertClean checks that nothing of halab is left on the machines: no
// process, no directory, no fault rules, no VIP, links up, sysctls back.
func assertClean(t *testing.T, c *vmtest.Cluster, nodes []string) {
	t.Helper()
	for _, n := range nodes {
		if _, err := os.Stat(RemoteDir(c, n)); !os.IsNotExist(err) {
			t.Errorf("%s: %s is left behind", n, RemoteDir(c, n))
		}
		pids, _ := exec.Command("ip", "netns", "pids", c.Namespace(n)).Output()
		for _, p := range strings.Fields(string(pids)) {
			exe, _ := os.Readlink("/proc/" + p + "/exe")
			if strings.Contains(exe, "halab") {
				t.Errorf("%s: process %s (%s) is left running", n, p, exe)
			}
		}
		addrs, _ := c.Exec(n, "ip", "-o", "addr", "show")
		if strings.Contains(addrs, "172.16.0.200") {
			t.Errorf("%s: the VIP is left on an interface:\n%s", n, addrs)
		}
		links, _ := c.Exec(n, "ip", "-o", "link", "show")
		for _, line := range strings.Split(strings.TrimSpace(links), "\n") {
			if strings.Contains(line, "state DOWN") {
				t.Errorf("%s: a link is left down: %s", n, line)
			}
		}
		if rules, _ := c.Exec(n, "nft", "list", "tables"); strings.Contains(rules, "halab") {
			t.Errorf("%s: fault rules are left: %s", n, rules)
		}
		if v, _ := c.Exec(n, "cat", "/proc/sys/net/ipv4/ip_nonlocal_bind"); strings.TrimSpace(v) != "0" {
			t.Errorf("%s: ip_nonlocal_bind is left at %q", n, strings.TrimSpace(v))
		}
	}
}
