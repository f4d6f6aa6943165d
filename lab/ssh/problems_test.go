package ssh

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/halab/halab/internal/roottest"
	"github.com/halab/halab/internal/vmtest"
	"github.com/halab/halab/lab"
)

// hostLab is a one-machine lab: a bare host on the public network.
func hostLab(t *testing.T, name, sshBlock, iface, addr string) *lab.Lab {
	t.Helper()
	subnet := mustPrefix(addr).Masked()
	vip := subnet.Addr().As4()
	vip[3] = 200
	text := fmt.Sprintf(`name: %s
provider: ssh
networks: {public: {subnet: %s}}
vip: {address: %s, network: public}
nodes:
  vm:
    role: host
    ssh: %s
    interfaces: {%s: {network: public, address: %s}}
`, name, subnet, netip.AddrFrom4(vip), sshBlock, iface, addr)
	l, err := lab.Parse("t.yaml", []byte(text), nil)
	if err != nil {
		t.Fatalf("test lab: %v", err)
	}
	return l
}

// TestConnectionProblems checks that each way of failing to reach or use a
// machine is refused before anything is changed on it, with an error that
// names the node and says the cause and what to do.
func TestConnectionProblems(t *testing.T) {
	roottest.Require(t)
	old := DialTimeout
	DialTimeout = 2 * time.Second
	t.Cleanup(func() { DialTimeout = old })
	p := func(s string) vmtest.Link { return vmtest.Link{Network: "public", Address: mustPrefix(s)} }
	c := vmtest.Start(t, fmt.Sprintf("hp%d", os.Getpid()%10000), []vmtest.VM{
		{Name: "ok", Links: map[string]vmtest.Link{"eth0": p("172.16.0.11/24")}},
		{Name: "arm", Machine: "aarch64", Links: map[string]vmtest.Link{"eth0": p("172.16.0.12/24")}},
		{Name: "off", NoSSHD: true, Links: map[string]vmtest.Link{"eth0": p("172.16.0.13/24")}},
	})
	other := c.NewKeyFile("stranger")
	wrongHosts := filepath.Join(c.Dir, "wrong_known_hosts")
	_, strangerPub := strangerKey(t, other)
	if err := os.WriteFile(wrongHosts, []byte(knownhosts.Line([]string{knownhosts.Normalize(c.Hosts["ok"].String() + ":22")}, strangerPub)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	emptyHosts := filepath.Join(c.Dir, "empty_known_hosts")
	block := func(vm, extra string) string {
		return fmt.Sprintf("{host: %s, identity_file: %s, known_hosts: %s, remote_dir: %s%s}", c.Hosts[vm], c.Key, c.KnownHosts, remoteDirFor(c, vm), extra)
	}
	tests := []struct {
		name        string
		ssh         string
		iface, addr string
		want        []string
	}{
		{"host key mismatch", strings.Replace(block("ok", ""), c.KnownHosts, wrongHosts, 1), "eth0", "172.16.0.11/24",
			[]string{"vm: HOST KEY MISMATCH", gossh.FingerprintSHA256(c.HostKeys["ok"]), wrongHosts + ":1", "ssh-keygen -R"}},
		{"unknown host", strings.Replace(block("ok", ""), c.KnownHosts, emptyHosts, 1), "eth0", "172.16.0.11/24",
			[]string{"vm: host " + c.Hosts["ok"].String() + ":22 is not in " + emptyHosts, gossh.FingerprintSHA256(c.HostKeys["ok"]), "--accept-new-host-keys"}},
		{"wrong user", block("ok", ", user: nosuchuser"), "eth0", "172.16.0.11/24",
			[]string{"vm: authentication failed for user nosuchuser"}},
		{"wrong key", strings.Replace(block("ok", ""), c.Key, other, 1), "eth0", "172.16.0.11/24",
			[]string{"vm: authentication failed for user root", "key file " + other}},
		{"connection refused", block("off", ""), "eth0", "172.16.0.13/24",
			[]string{"vm: cannot reach " + c.Hosts["off"].String() + ":22: connection refused"}},
		{"nobody there", strings.Replace(block("ok", ""), c.Hosts["ok"].String(), "198.18.77.99", 1), "eth0", "172.16.0.11/24",
			[]string{"vm: cannot reach 198.18.77.99:22"}},
		{"sudo asks for a password", block("ok", ", user: "+vmtest.PasswordUser), "eth0", "172.16.0.11/24",
			[]string{"vm: sudo needs a password for " + vmtest.PasswordUser, "NOPASSWD"}},
		{"missing interface", block("ok", ""), "enp0s3", "172.16.0.11/24",
			[]string{"vm: it has no interface enp0s3 (it has eth0, mgmt0)"}},
		{"wrong address", block("ok", ""), "eth0", "172.16.0.99/24",
			[]string{"vm: eth0 has 172.16.0.11/24, not 172.16.0.99/24"}},
		{"the SSH session's interface", block("ok", ""), "mgmt0", c.Hosts["ok"].String() + "/24",
			[]string{"vm: mgmt0 carries the SSH session (" + c.Hosts["ok"].String() + ")"}},
		{"another architecture", block("arm", ""), "eth0", "172.16.0.12/24",
			[]string{"vm is linux/arm64 (uname -m: aarch64)", "GOOS=linux GOARCH=arm64 go build", "--remote-binary"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := hostLab(t, fmt.Sprintf("cp%d", i), tt.ssh, tt.iface, tt.addr)
			_, err := (&Provider{Binary: roottest.Binary(t)}).Up(context.Background(), l, nil)
			if err == nil {
				(&Provider{Lab: l}).Down(context.Background(), l.Name, nil)
				t.Fatal("up succeeded")
			}
			t.Logf("refused: %v", err)
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			for _, vm := range []string{"ok", "arm"} {
				if _, serr := os.Stat(remoteDirFor(c, vm)); !os.IsNotExist(serr) {
					t.Errorf("a refused up left %s on %s", remoteDirFor(c, vm), vm)
				}
			}
			if _, serr := os.Stat(lab.LabDir(l.Name)); !os.IsNotExist(serr) {
				t.Errorf("a refused up left %s here", lab.LabDir(l.Name))
			}
		})
	}

	// Accept-new: the unknown host is trusted, recorded like OpenSSH's
	// accept-new, and known from then on; down removes what up made, also
	// when the state here is lost.
	t.Run("unknown host accepted", func(t *testing.T) {
		fresh := filepath.Join(c.Dir, "fresh_known_hosts")
		l := hostLab(t, "cpaccept", strings.Replace(block("ok", ""), c.KnownHosts, fresh, 1), "eth0", "172.16.0.11/24")
		if _, err := (&Provider{Binary: roottest.Binary(t), AcceptNewHostKeys: true}).Up(context.Background(), l, nil); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(fresh)
		if err != nil || !strings.Contains(string(data), c.Hosts["ok"].String()) || !strings.Contains(string(data), strings.TrimSpace(string(gossh.MarshalAuthorizedKey(c.HostKeys["ok"])))) {
			t.Errorf("known_hosts after accept-new: %q, %v", data, err)
		}
		// This machine loses the lab's state; down finds the machine
		// through the lab file and still removes everything.
		if err := os.RemoveAll(lab.LabDir(l.Name)); err != nil {
			t.Fatal(err)
		}
		if err := (&Provider{Lab: l}).Down(context.Background(), l.Name, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(remoteDirFor(c, "ok")); !os.IsNotExist(err) {
			t.Errorf("down left %s", remoteDirFor(c, "ok"))
		}
		// Known now: a plain dial is accepted.
		client, err := dial(context.Background(), "vm", *l.Nodes[0].SSH, dialOptions{})
		if err != nil {
			t.Fatalf("recorded host refused: %v", err)
		}
		client.Close()
	})
}

func remoteDirFor(c *vmtest.Cluster, vm string) string {
	return filepath.Join("/tmp", "halab-vm-"+strings.TrimSuffix(c.Prefix, "-")+"-"+vm)
}

// strangerKey reads a private key file and returns its signer and public key.
func strangerKey(t *testing.T, path string) (gossh.Signer, gossh.PublicKey) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.ParsePrivateKey(data)
	if err != nil {
		t.Fatal(err)
	}
	return s, s.PublicKey()
}
