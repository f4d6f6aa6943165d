package ssh_test

import (
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/halab/halab/assets"
	"github.com/halab/halab/internal/roottest"
	"github.com/halab/halab/internal/vmtest"
)

// seedVMs are the tutorial's machines with the seed lab's addresses: the
// public 172.16.0.0/24 and private 192.168.10.0/24 networks are their own
// (bridges between the namespaces), reached by nothing else.
func seedVMs() []vmtest.VM {
	p := netip.MustParsePrefix
	return []vmtest.VM{
		{Name: "client", Links: map[string]vmtest.Link{"eth0": {Network: "public", Address: p("172.16.0.10/24")}}},
		{Name: "lb1", Links: map[string]vmtest.Link{
			"enp0s8": {Network: "private", Address: p("192.168.10.101/24")},
			"enp0s9": {Network: "public", Address: p("172.16.0.101/24")}}},
		{Name: "lb2", Links: map[string]vmtest.Link{
			"enp0s8": {Network: "private", Address: p("192.168.10.102/24")},
			"enp0s9": {Network: "public", Address: p("172.16.0.102/24")}}},
		{Name: "web1", Links: map[string]vmtest.Link{"enp0s8": {Network: "private", Address: p("192.168.10.200/24")}}},
	}
}

// nodeSSH is one node's ssh block in a test lab file.
type nodeSSH struct {
	user, identity, knownHosts string
	port                       int
}

// writeSeedLab writes the seed lab for the cluster's machines, with the
// seed's keepalived.conf and haproxy.cfg next to it, and returns its path.
// Each node gets its own remote_dir under dir; over overrides ssh settings
// per node.
func writeSeedLab(t *testing.T, c *vmtest.Cluster, name string, over map[string]nodeSSH) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"lb1.keepalived.conf", "lb2.keepalived.conf", "haproxy.cfg"} {
		data, err := fs.ReadFile(assets.Labs, "seed/"+f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ssh := func(node string) string {
		o := over[node]
		s := fmt.Sprintf("{host: %s, remote_dir: %s", c.Hosts[node], RemoteDir(c, node))
		if o.user != "" {
			s += ", user: " + o.user
		}
		if o.identity != "" {
			s += ", identity_file: " + o.identity
		}
		if o.knownHosts != "" {
			s += ", known_hosts: " + o.knownHosts
		}
		if o.port != 0 {
			s += fmt.Sprintf(", port: %d", o.port)
		}
		return s + "}"
	}
	text := fmt.Sprintf(`name: %s
provider: ssh
ssh:
  user: root
  identity_file: %s
  known_hosts: %s
networks:
  public: {subnet: 172.16.0.0/24}
  private: {subnet: 192.168.10.0/24}
vip: {address: 172.16.0.200, port: 80, network: public}
nodes:
  client:
    role: client
    ssh: %s
    interfaces:
      eth0: {network: public, address: 172.16.0.10/24}
    probe: {rate: 100, timeout: 300ms}
  lb1:
    role: lb
    ssh: %s
    interfaces:
      enp0s8: {network: private, address: 192.168.10.101/24}
      enp0s9: {network: public, address: 172.16.0.101/24}
    sysctl: {net.ipv4.ip_forward: "1", net.ipv4.ip_nonlocal_bind: "1"}
    keepalived: lb1.keepalived.conf
    haproxy: haproxy.cfg
  lb2:
    role: lb
    ssh: %s
    interfaces:
      enp0s8: {network: private, address: 192.168.10.102/24}
      enp0s9: {network: public, address: 172.16.0.102/24}
    sysctl: {net.ipv4.ip_forward: "1", net.ipv4.ip_nonlocal_bind: "1"}
    keepalived: lb2.keepalived.conf
    haproxy: haproxy.cfg
  web1:
    role: web
    ssh: %s
    interfaces:
      enp0s8: {network: private, address: 192.168.10.200/24}
`, name, c.Key, c.KnownHosts, ssh("client"), ssh("lb1"), ssh("lb2"), ssh("web1"))
	path := filepath.Join(dir, "seed-vms.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// RemoteDir is the node's remote_dir in the tests: a directory of its own
// on the shared filesystem.
func RemoteDir(c *vmtest.Cluster, node string) string {
	return filepath.Join("/tmp", "halab-vm-"+strings.TrimSuffix(c.Prefix, "-")+"-"+node)
}

// halab runs the halab binary and fails the test on a non-zero exit.
func halab(t *testing.T, args ...string) roottest.Result {
	t.Helper()
	return roottest.MustRun(t, args...)
}
