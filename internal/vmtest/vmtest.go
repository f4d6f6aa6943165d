// Package vmtest makes "virtual machines" for the SSH provider's tests:
// one network namespace per machine, each with the lab links the test asks
// for (its own network, set up as a VM's would be) and a management link,
// and a real OpenSSH sshd listening on the management address. The test
// process reaches the management network through one veth whose root end
// the cluster creates, so that every packet goes only to interfaces the
// test made. Everything is removed when the test ends.
//
// Each sshd runs in a mount namespace of its own where /etc/passwd,
// /etc/shadow, /etc/group and /etc/sudoers are the cluster's: users for
// the sudo tests exist only there, and the host's files are not touched.
package vmtest

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// ManagementNet is the management network: 198.18.0.0/15 is reserved for
// network tests (RFC 2544), so it collides with no real network.
var ManagementNet = netip.MustParsePrefix("198.18.77.0/24")

// Link is one lab link of a machine.
type Link struct {
	Network string       // the bridge it plugs into
	Address netip.Prefix // its address; zero for none
}

// VM describes one machine.
type VM struct {
	Name  string
	Links map[string]Link // interface name → link
	// Machine, when set, is what `uname -m` says on the machine.
	Machine string
	// NoSSHD leaves the machine without sshd (an unreachable port).
	NoSSHD bool
}

// Users that exist on every machine besides root: a user with
// passwordless sudo and one whose sudo asks for a password.
const (
	SudoUser     = "hbob"
	PasswordUser = "halice"
)

// Cluster is a running set of machines.
type Cluster struct {
	Prefix string
	Dir    string
	// Key is the client's private key file, KnownHosts a known_hosts file
	// listing every machine's host key.
	Key, KnownHosts string
	// Hosts maps a machine to its management address.
	Hosts map[string]netip.Addr
	// HostKeys maps a machine to its host public key.
	HostKeys map[string]gossh.PublicKey

	t       testing.TB
	mu      sync.Mutex
	sshds   map[string]*exec.Cmd
	logs    map[string]*bytes.Buffer
	rootEnd string
	madeRun bool
}

func run(args ...string) error {
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %v: %s", strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return nil
}

func (c *Cluster) must(args ...string) {
	c.t.Helper()
	if err := run(args...); err != nil {
		c.t.Fatal(err)
	}
}

// ns runs a command inside a namespace.
func (c *Cluster) ns(name string, args ...string) {
	c.t.Helper()
	c.must(append([]string{"ip", "netns", "exec", c.Prefix + name}, args...)...)
}

// Start builds the machines. prefix names the namespaces (PREFIX-NAME) and
// must be short.
func Start(t testing.TB, prefix string, vms []VM) *Cluster {
	t.Helper()
	if _, err := exec.LookPath("sshd"); err != nil {
		if _, err := os.Stat("/usr/sbin/sshd"); err != nil {
			t.Fatalf("the SSH tests need OpenSSH's sshd (Debian package openssh-server)")
		}
	}
	dir, err := os.MkdirTemp("", "halab-vmtest-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	// Readable by every user: sshd reads authorized_keys as the user
	// logging in.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	c := &Cluster{Prefix: prefix + "-", Dir: dir, Hosts: map[string]netip.Addr{}, HostKeys: map[string]gossh.PublicKey{},
		t: t, sshds: map[string]*exec.Cmd{}, logs: map[string]*bytes.Buffer{}, rootEnd: prefix + "-r"}
	t.Cleanup(c.stop)
	c.checkFree()
	if _, err := os.Stat("/run/sshd"); os.IsNotExist(err) {
		c.must("mkdir", "-p", "-m", "0755", "/run/sshd")
		c.madeRun = true
	}
	c.writeAccounts()
	c.Key = c.clientKey()

	// The switch: one bridge per network, and the management bridge.
	c.must("ip", "netns", "add", c.Prefix+"sw")
	networks := map[string]bool{"mgmt": true}
	for _, vm := range vms {
		for _, l := range vm.Links {
			networks[l.Network] = true
		}
	}
	var names []string
	for n := range networks {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		c.ns("sw", "ip", "link", "add", "br-"+n, "type", "bridge")
		c.ns("sw", "ip", "link", "set", "br-"+n, "up")
	}
	// The test's own way in: a veth from the root namespace to the
	// management bridge.
	gw := ManagementNet.Addr().Next()
	c.must("ip", "link", "add", c.rootEnd, "type", "veth", "peer", "name", "rt", "netns", c.Prefix+"sw")
	c.ns("sw", "ip", "link", "set", "rt", "master", "br-mgmt", "up")
	c.must("ip", "addr", "add", netip.PrefixFrom(gw, ManagementNet.Bits()).String(), "dev", c.rootEnd)
	c.must("ip", "link", "set", c.rootEnd, "up")

	var known bytes.Buffer
	for i, vm := range vms {
		host := ManagementNet.Addr()
		for j := 0; j < 11+i; j++ {
			host = host.Next()
		}
		c.Hosts[vm.Name] = host
		c.addVM(i, vm, host)
		fmt.Fprintln(&known, knownhosts.Line([]string{knownhosts.Normalize(host.String() + ":22")}, c.HostKeys[vm.Name]))
	}
	c.KnownHosts = filepath.Join(c.Dir, "known_hosts")
	if err := os.WriteFile(c.KnownHosts, known.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, vm := range vms {
		if !vm.NoSSHD {
			c.waitListening(vm.Name)
		}
	}
	return c
}

// checkFree refuses to run when the management network is in use here.
func (c *Cluster) checkFree() {
	out, _ := exec.Command("ip", "-4", "route", "show").Output()
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if p, err := netip.ParsePrefix(f[0]); err == nil && p.Overlaps(ManagementNet) && p.Bits() > 0 {
			c.t.Fatalf("this machine already routes %s (%s); the SSH tests need that test range for themselves", ManagementNet, line)
		}
	}
}

// addVM makes one machine's namespace, links and sshd.
func (c *Cluster) addVM(index int, vm VM, host netip.Addr) {
	name := vm.Name
	c.must("ip", "netns", "add", c.Prefix+name)
	c.ns(name, "ip", "link", "set", "lo", "up")
	plug := func(ifname, network string, k int) {
		swEnd := fmt.Sprintf("v%d-%d", index, k)
		c.ns("sw", "ip", "link", "add", swEnd, "type", "veth", "peer", "name", ifname, "netns", c.Prefix+name)
		c.ns("sw", "ip", "link", "set", swEnd, "master", "br-"+network, "up")
		c.ns(name, "ip", "link", "set", ifname, "up")
	}
	plug("mgmt0", "mgmt", 0)
	c.ns(name, "ip", "addr", "add", netip.PrefixFrom(host, ManagementNet.Bits()).String(), "dev", "mgmt0")
	var ifnames []string
	for n := range vm.Links {
		ifnames = append(ifnames, n)
	}
	sort.Strings(ifnames)
	for k, ifname := range ifnames {
		l := vm.Links[ifname]
		plug(ifname, l.Network, k+1)
		if l.Address.IsValid() {
			c.ns(name, "ip", "addr", "add", l.Address.String(), "dev", ifname)
		}
	}
	hostKey, hostPub := newKey(c.t)
	keyFile := filepath.Join(c.Dir, name+"_host_ed25519")
	if err := os.WriteFile(keyFile, hostKey, 0o600); err != nil {
		c.t.Fatal(err)
	}
	c.HostKeys[name] = hostPub
	if vm.NoSSHD {
		return
	}
	cfg := filepath.Join(c.Dir, name+"_sshd_config")
	conf := fmt.Sprintf(`ListenAddress %s
Port 22
HostKey %s
AuthorizedKeysFile %s
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
PidFile none
PasswordAuthentication no
KbdInteractiveAuthentication no
AllowStreamLocalForwarding yes
X11Forwarding no
LogLevel VERBOSE
`, host, keyFile, filepath.Join(c.Dir, "authorized_keys"))
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		c.t.Fatal(err)
	}
	mounts := []string{
		"mount --bind " + filepath.Join(c.Dir, "passwd") + " /etc/passwd",
		"mount --bind " + filepath.Join(c.Dir, "shadow") + " /etc/shadow",
		"mount --bind " + filepath.Join(c.Dir, "group") + " /etc/group",
		"mount --bind " + filepath.Join(c.Dir, "sudoers") + " /etc/sudoers",
	}
	if vm.Machine != "" {
		fake := filepath.Join(c.Dir, name+"_uname")
		script := fmt.Sprintf("#!/bin/sh\ncase \"$1\" in -m) echo %s;; *) echo Linux;; esac\n", vm.Machine)
		if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
			c.t.Fatal(err)
		}
		real, _ := filepath.EvalSymlinks("/usr/bin/uname")
		mounts = append(mounts, "mount --bind "+fake+" "+real)
	}
	sshd, _ := exec.LookPath("sshd")
	if sshd == "" {
		sshd = "/usr/sbin/sshd"
	}
	script := strings.Join(mounts, " && ") + " && exec " + sshd + " -D -e -f " + cfg
	cmd := exec.Command("ip", "netns", "exec", c.Prefix+name, "sh", "-c", script)
	log := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		c.t.Fatalf("%s: start sshd: %v", name, err)
	}
	c.mu.Lock()
	c.sshds[name], c.logs[name] = cmd, log
	c.mu.Unlock()
}

// waitListening waits until the machine's sshd accepts connections.
func (c *Cluster) waitListening(name string) {
	c.t.Helper()
	addr := net.JoinHostPort(c.Hosts[name].String(), "22")
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if conn, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			conn.Close()
			return
		}
	}
	c.t.Fatalf("%s: sshd does not listen on %s; its log: %s", name, addr, c.Log(name))
}

// Log is what a machine's sshd said.
func (c *Cluster) Log(name string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if b := c.logs[name]; b != nil {
		return b.String()
	}
	return ""
}

// Namespace is a machine's namespace.
func (c *Cluster) Namespace(name string) string { return c.Prefix + name }

// Exec runs a command on a machine directly (not over SSH) and returns its
// output, for checks.
func (c *Cluster) Exec(name string, args ...string) (string, error) {
	out, err := exec.Command("ip", append([]string{"netns", "exec", c.Prefix + name}, args...)...).CombinedOutput()
	return string(out), err
}

// writeAccounts writes the machines' passwd, shadow, group and sudoers.
func (c *Cluster) writeAccounts() {
	passwd, err := os.ReadFile("/etc/passwd")
	if err != nil {
		c.t.Fatal(err)
	}
	group, _ := os.ReadFile("/etc/group")
	var shadow strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(string(passwd)), "\n") {
		user, _, _ := strings.Cut(line, ":")
		// "*": no password to log in with, and not locked, so that sshd
		// (without PAM) lets keys in.
		fmt.Fprintf(&shadow, "%s:*:19000:0:99999:7:::\n", user)
	}
	files := map[string]string{
		"passwd": string(passwd) + SudoUser + ":x:20011:20011::/tmp:/bin/sh\n" + PasswordUser + ":x:20012:20012::/tmp:/bin/sh\n",
		"shadow": shadow.String() + SudoUser + ":*:19000:0:99999:7:::\n" + PasswordUser + ":*:19000:0:99999:7:::\n",
		"group":  string(group) + SudoUser + ":x:20011:\n" + PasswordUser + ":x:20012:\n",
		"sudoers": "Defaults env_reset\nroot ALL=(ALL:ALL) ALL\n" + SudoUser + " ALL=(ALL:ALL) NOPASSWD: ALL\n" +
			PasswordUser + " ALL=(ALL:ALL) ALL\n",
	}
	for name, text := range files {
		mode := os.FileMode(0o644)
		if name == "shadow" || name == "sudoers" {
			mode = 0o440
		}
		p := filepath.Join(c.Dir, name)
		if err := os.WriteFile(p, []byte(text), mode); err != nil {
			c.t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			c.t.Fatal(err)
		}
	}
}

// clientKey writes the client's key pair and authorizes it for every user.
func (c *Cluster) clientKey() string {
	priv, pub := newKey(c.t)
	p := filepath.Join(c.Dir, "id_ed25519")
	if err := os.WriteFile(p, priv, 0o600); err != nil {
		c.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(c.Dir, "authorized_keys"), gossh.MarshalAuthorizedKey(pub), 0o644); err != nil {
		c.t.Fatal(err)
	}
	return p
}

// NewKeyFile writes a fresh private key nobody authorized, for the
// wrong-key test.
func (c *Cluster) NewKeyFile(name string) string {
	priv, _ := newKey(c.t)
	p := filepath.Join(c.Dir, name)
	if err := os.WriteFile(p, priv, 0o600); err != nil {
		c.t.Fatal(err)
	}
	return p
}

// newKey makes an ed25519 key: the OpenSSH private key file and the
// public key.
func newKey(t testing.TB) ([]byte, gossh.PublicKey) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := gossh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	sp, err := gossh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(block), sp
}

// stop kills every sshd and every process left in the machines, and
// removes the namespaces and the root end of the management link.
func (c *Cluster) stop() {
	c.mu.Lock()
	for _, cmd := range c.sshds {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
	c.mu.Unlock()
	out, _ := exec.Command("ip", "netns", "list").Output()
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || !strings.HasPrefix(f[0], c.Prefix) {
			continue
		}
		pids, _ := exec.Command("ip", "netns", "pids", f[0]).Output()
		for _, p := range strings.Fields(string(pids)) {
			_ = run("kill", "-9", p)
		}
		_ = run("ip", "netns", "del", f[0])
	}
	_ = run("ip", "link", "del", c.rootEnd)
	if c.madeRun {
		_ = os.Remove("/run/sshd")
	}
}
