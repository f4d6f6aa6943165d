package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vishvananda/netlink"

	"github.com/halab/halab/assets"
	"github.com/halab/halab/internal/roottest"
	"github.com/halab/halab/lab"
	"github.com/halab/halab/lab/netns"
)

// up builds a lab under a test-unique name and removes it when the test ends.
func up(t *testing.T, name string, args ...string) {
	t.Helper()
	t.Cleanup(func() { roottest.Run(t, "down", "--lab", name) })
	roottest.MustRun(t, append([]string{"up", "--no-ui", "-q", "--name", name}, args...)...)
}

// reach dials addr from inside node: an answer, even a refusal, proves the
// link; a timeout or "unreachable" does not.
func reach(labName, node, addr string) error {
	return netns.InNode(labName, node, func() error {
		c, err := net.DialTimeout("tcp", addr, 500*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		if errors.Is(err, syscall.ECONNREFUSED) {
			return nil
		}
		return err
	})
}

// labLeftovers says what of lab name is still on the machine: its
// namespaces and whether its directory exists.
func labLeftovers(name string) (namespaces []string, dir bool) {
	entries, _ := os.ReadDir(netns.NamespaceDir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), netns.Prefix+name+"-") {
			namespaces = append(namespaces, e.Name())
		}
	}
	_, err := os.Stat(lab.LabDir(name))
	return namespaces, err == nil
}

// assertGone checks that nothing of the lab is left: namespaces, processes,
// directory (sockets, logs, state).
func assertGone(t *testing.T, name string) {
	t.Helper()
	namespaces, dir := labLeftovers(name)
	for _, ns := range namespaces {
		t.Errorf("namespace %s left behind", ns)
	}
	if dir {
		t.Errorf("lab directory %s left behind", lab.LabDir(name))
	}
	procs, _ := os.ReadDir("/proc")
	for _, p := range procs {
		exe, err := os.Readlink(filepath.Join("/proc", p.Name(), "exe"))
		if err == nil && strings.HasPrefix(exe, lab.LabDir(name)+"/") {
			t.Errorf("process %s (%s) left behind", p.Name(), exe)
		}
	}
}

type statusJSON struct {
	Labs []labStatus `json:"labs"`
}

func status(t *testing.T, name string) labStatus {
	t.Helper()
	r := roottest.MustRun(t, "status", "--json", "--lab", name)
	var s statusJSON
	if err := json.Unmarshal([]byte(r.Stdout), &s); err != nil || len(s.Labs) != 1 {
		t.Fatalf("status --json: %v\n%s", err, r.Stdout)
	}
	return s.Labs[0]
}

func TestSeedLabLinksPageAndTeardown(t *testing.T) {
	roottest.Require(t)
	name := roottest.LabName("seed")
	up(t, name)

	st := status(t, name)
	addrs := map[string]string{}
	for _, n := range st.Nodes {
		for _, i := range n.Interfaces {
			if !i.Up {
				t.Errorf("%s %s is down", n.Name, i.Name)
			}
			addrs[n.Name+"/"+i.Name] = strings.Join(i.Addresses, ",")
		}
		for _, c := range n.Components {
			if !c.Running || !c.Ready {
				t.Errorf("%s/%s not running and ready: %+v", n.Name, c.Kind, c)
			}
		}
	}
	for k, v := range map[string]string{
		"client/eth0": "172.16.0.10/24", "web1/enp0s8": "192.168.10.200/24",
		"lb1/enp0s8": "192.168.10.101/24", "lb2/enp0s8": "192.168.10.102/24",
	} {
		if addrs[k] != v {
			t.Errorf("%s has %q, want %q", k, addrs[k], v)
		}
	}

	links := []struct{ from, to string }{
		{"client", "172.16.0.101:9"}, {"client", "172.16.0.102:9"},
		{"lb1", "172.16.0.102:9"}, {"lb1", "192.168.10.102:9"}, {"lb1", "192.168.10.200:80"},
		{"lb2", "172.16.0.101:9"}, {"lb2", "192.168.10.101:9"}, {"lb2", "192.168.10.200:80"},
		{"web1", "192.168.10.101:9"}, {"web1", "192.168.10.102:9"},
	}
	for _, l := range links {
		if err := reach(name, l.from, l.to); err != nil {
			t.Errorf("%s cannot reach %s: %v", l.from, l.to, err)
		}
	}
	// The client has no route to the private network, as in the tutorial.
	if err := reach(name, "client", "192.168.10.200:80"); err == nil {
		t.Errorf("client reached the private network directly")
	}
	assertRootNamespaceUntouched(t)

	// The tutorial's first check: curl the web server from a load balancer.
	page := roottest.MustRun(t, "exec", "--lab", name, "lb1", "--", "curl", "-s", "-m", "2", "http://192.168.10.200/")
	if !strings.Contains(page.Stdout, "web1") {
		t.Errorf("web page from lb1 does not name web1:\n%s", page.Stdout)
	}
	// And the page through the VIP from the client, once a master holds it.
	deadline := time.Now().Add(10 * time.Second)
	var viaVIP roottest.Result
	for time.Now().Before(deadline) {
		viaVIP = roottest.Run(t, "exec", "--lab", name, "client", "--", "curl", "-s", "-m", "1", "http://172.16.0.200/")
		if viaVIP.Code == 0 && strings.Contains(viaVIP.Stdout, "web1") {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if !strings.Contains(viaVIP.Stdout, "web1") {
		t.Errorf("page through the VIP never arrived: exit %d %s", viaVIP.Code, viaVIP.Stderr)
	}

	roottest.MustRun(t, "down", "--lab", name)
	assertGone(t, name)
	// down again is a no-op.
	roottest.MustRun(t, "down", "--lab", name)
}

// assertRootNamespaceUntouched checks the root namespace has no address or
// route in the lab's networks.
func assertRootNamespaceUntouched(t *testing.T) {
	t.Helper()
	l, err := lab.LoadBuiltin("seed")
	if err != nil {
		t.Fatal(err)
	}
	addrs, err := netlink.AddrList(nil, netlink.FAMILY_V4)
	if err != nil {
		t.Fatal(err)
	}
	routes, err := netlink.RouteList(nil, netlink.FAMILY_V4)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range l.Networks {
		_, subnet, _ := net.ParseCIDR(n.Subnet.String())
		for _, a := range addrs {
			if subnet.Contains(a.IP) {
				t.Errorf("root namespace has lab address %s", a.IPNet)
			}
		}
		for _, r := range routes {
			if r.Dst != nil && subnet.Contains(r.Dst.IP) {
				t.Errorf("root namespace has a route to lab network %s: %s", n.Name, r)
			}
		}
	}
}

func TestDownAfterKill9OfEverything(t *testing.T) {
	roottest.Require(t)
	name := roottest.LabName("kill")
	up(t, name)
	st := status(t, name)
	var pids []int
	for _, n := range st.Nodes {
		for _, c := range n.Components {
			pids = append(pids, c.PID)
		}
	}
	if len(pids) < 6 {
		t.Fatalf("expected at least 6 component processes, got %v", pids)
	}
	for _, pid := range pids {
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatalf("kill -9 %d: %v", pid, err)
		}
	}
	// Lose the state as well: down must find the rest by looking.
	os.Remove(filepath.Join(lab.LabDir(name), lab.StateFile))
	r := roottest.MustRun(t, "down", "--lab", name)
	if !strings.Contains(r.Stderr, "removed") {
		t.Errorf("down said: %s", r.Stderr)
	}
	assertGone(t, name)
}

// smallLab is a lab without load balancers, for the bad-input cases.
const smallLab = `name: small
networks:
  net: {subnet: 10.9.0.0/24}
vip: {address: 10.9.0.200, network: net}
nodes:
  client:
    role: client
    interfaces: {eth0: {network: net, address: 10.9.0.10/24}}
  web1:
    role: web
    interfaces: {eth0: {network: net, address: 10.9.0.20/24}}
%s`

// writeLab writes text as lab.yaml into a temporary directory and returns
// its path.
func writeLab(t *testing.T, text string) string {
	t.Helper()
	return writeLabDir(t, map[string]string{"lab.yaml": text})
}

// writeLabDir writes files (name → text; lab.yaml and the files it names)
// into a temporary directory and returns lab.yaml's path.
func writeLabDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for f, text := range files {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "lab.yaml")
}

// assetText reads a file of assets/labs, or fails the test.
func assetText(t *testing.T, path string) string {
	t.Helper()
	data, err := fs.ReadFile(assets.Labs, path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestBadInputAndEnvironment(t *testing.T) {
	roottest.Require(t)
	t.Run("not root", func(t *testing.T) {
		cmd := exec.Command(roottest.Binary(t), "up", "--no-ui", "--name", "nobody1")
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), "needs root: run halab with sudo") {
			t.Fatalf("err=%v output:\n%s", err, out)
		}
		if strings.Count(strings.TrimSpace(string(out)), "\n") > 1 {
			t.Errorf("want one clear sentence, got:\n%s", out)
		}
	})
	t.Run("broken lab file: every problem, no namespace", func(t *testing.T) {
		name := roottest.LabName("broken")
		bad := strings.Replace(fmt.Sprintf(smallLab, "    colour: red\n"), "name: small", "name: "+name, 1)
		bad = strings.Replace(bad, "10.9.0.20/24", "10.8.0.20/24", 1)
		r := roottest.Run(t, "up", "--no-ui", "-f", writeLab(t, bad))
		if r.Code == 0 {
			t.Fatal("up accepted a broken lab")
		}
		for _, want := range []string{"lab.yaml:11:48: node web1 interface eth0: address 10.8.0.20/24 is not in network net", `lab.yaml:12:5: unknown key "colour"`} {
			if !strings.Contains(r.Stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, r.Stderr)
			}
		}
		assertGone(t, name)
		v := roottest.Run(t, "validate", writeLab(t, bad))
		if v.Code == 0 || !strings.Contains(v.Stderr, "lab.yaml:12:5") {
			t.Errorf("validate: exit %d\n%s", v.Code, v.Stderr)
		}
	})
	t.Run("already up", func(t *testing.T) {
		name := roottest.LabName("twice")
		file := writeLab(t, fmt.Sprintf(smallLab, ""))
		up(t, name, "-f", file)
		r := roottest.Run(t, "up", "--no-ui", "-q", "--name", name, "-f", file)
		if r.Code == 0 || !strings.Contains(r.Stderr, "lab "+name+": lab is already up") || !strings.Contains(r.Stderr, "halab down --lab "+name) {
			t.Fatalf("second up: exit %d\n%s", r.Code, r.Stderr)
		}
		// The running lab is untouched by the refused second up.
		st := status(t, name)
		if len(st.Nodes) != 2 || !st.Nodes[1].Components[0].Running {
			t.Errorf("running lab damaged: %+v", st)
		}
	})
	t.Run("failure half-way rolls back", func(t *testing.T) {
		name := roottest.LabName("half")
		file := writeLab(t, fmt.Sprintf(smallLab, "    web: {listen: [\"10.9.0.99:80\"]}\n"))
		r := roottest.Run(t, "up", "--no-ui", "--name", name, "-f", file)
		if r.Code == 0 {
			t.Fatal("up succeeded with a web server that cannot bind")
		}
		if !strings.Contains(r.Stderr, "web1: web exited while starting") || !strings.Contains(r.Stderr, "10.9.0.99:80") {
			t.Errorf("the cause is not reported:\n%s", r.Stderr)
		}
		assertGone(t, name)
	})
}
