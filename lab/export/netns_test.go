package export

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vishvananda/netns"

	"github.com/halab/halab/internal/roottest"
	"github.com/halab/halab/lab"
)

// systemPath is the PATH the real programs run with: the system's
// directories only, so that a halab installed in /usr/local is not found,
// as on the tutorial's machines.
const systemPath = "/usr/sbin:/usr/bin:/sbin:/bin"

// requireTool returns the path of a program the test runs, found in
// systemPath. Without it the test is skipped, or fails when
// HALAB_REQUIRE_ROOT=1 (as in CI, which installs it).
func requireTool(t *testing.T, name, pkg string) string {
	t.Helper()
	if path, ok := lookSystemPath(name); ok {
		return path
	}
	if os.Getenv("HALAB_REQUIRE_ROOT") == "1" {
		t.Fatalf("%s is not installed (apt-get install %s), and HALAB_REQUIRE_ROOT=1 asks for every test to run", name, pkg)
	}
	t.Skipf("%s is not installed (apt-get install %s)", name, pkg)
	return ""
}

// lookSystemPath finds a program in systemPath.
func lookSystemPath(name string) (string, bool) {
	for _, dir := range filepath.SplitList(systemPath) {
		if fi, err := os.Stat(filepath.Join(dir, name)); err == nil && !fi.IsDir() {
			return filepath.Join(dir, name), true
		}
	}
	return "", false
}

// runBounded runs argv with systemPath and a 30 s bound, and returns what
// it printed (stdout and stderr together).
func runBounded(argv ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = []string{"PATH=" + systemPath}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

var namespaceSeq atomic.Int32

// namespace creates a network namespace holding node n's interfaces, by
// name, with its addresses, and removes it when the test ends. Each
// interface is one end of a veth pair whose other end (hxpeerN) stays in
// the namespace too: the dummy module, the natural choice, is missing
// from some kernels, and to keepalived and nginx a veth is an interface
// like any other. Nothing leaves the namespace.
func namespace(t *testing.T, n *lab.Node) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: no network namespaces")
	}
	roottest.Require(t)
	ip := requireTool(t, "ip", "iproute2")
	name := fmt.Sprintf("hxexport%d-%d", os.Getpid()%100000, namespaceSeq.Add(1))
	mustRun(t, ip, "netns", "add", name)
	t.Cleanup(func() {
		if out, err := exec.Command(ip, "netns", "del", name).CombinedOutput(); err != nil {
			t.Errorf("remove namespace %s: %v: %s", name, err, out)
		}
	})
	mustRun(t, ip, "-n", name, "link", "set", "lo", "up")
	for i, iface := range n.Interfaces {
		peer := fmt.Sprintf("hxpeer%d", i)
		mustRun(t, ip, "-n", name, "link", "add", iface.Name, "type", "veth", "peer", "name", peer)
		mustRun(t, ip, "-n", name, "addr", "add", iface.Address.String(), "dev", iface.Name)
		mustRun(t, ip, "-n", name, "link", "set", peer, "up")
		mustRun(t, ip, "-n", name, "link", "set", iface.Name, "up")
	}
	return name
}

func mustRun(t *testing.T, argv ...string) {
	t.Helper()
	if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
		t.Fatalf("%v: %v: %s", argv, err, out)
	}
}

// inNamespace runs argv inside namespace ns (ip netns exec), with
// systemPath and a 30 s bound, and returns what it printed (stdout then
// stderr) and its exit status.
func inNamespace(t *testing.T, ns string, argv ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, requireTool(t, "ip", "iproute2"), append([]string{"netns", "exec", ns}, argv...)...)
	cmd.Env = []string{"PATH=" + systemPath}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return stdout.String() + stderr.String(), ee.ExitCode()
	case err != nil:
		t.Fatalf("%v in %s: %v", argv, ns, err)
	}
	return stdout.String() + stderr.String(), 0
}

// dialIn opens a TCP connection from inside namespace ns: the socket is
// made while this goroutine's thread is in ns, and stays there. A thread
// that cannot return to its own namespace is not unlocked, so that it
// ends with the goroutine instead of serving others.
func dialIn(ns, addr string) (net.Conn, error) {
	type result struct {
		c   net.Conn
		err error
	}
	done := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := netns.Get()
		if err != nil {
			runtime.UnlockOSThread()
			done <- result{nil, err}
			return
		}
		defer orig.Close()
		h, err := netns.GetFromName(ns)
		if err != nil {
			runtime.UnlockOSThread()
			done <- result{nil, err}
			return
		}
		defer h.Close()
		if err := netns.Set(h); err != nil {
			runtime.UnlockOSThread()
			done <- result{nil, err}
			return
		}
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if netns.Set(orig) == nil {
			runtime.UnlockOSThread()
		}
		done <- result{c, err}
	}()
	r := <-done
	return r.c, r.err
}
