package lab

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"testing/fstest"
)

func TestSeedLab(t *testing.T) {
	l, err := LoadBuiltin("seed")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, n := range l.Nodes {
		names = append(names, n.Name+":"+string(n.Role))
	}
	if got := strings.Join(names, " "); got != "client:client lb1:lb lb2:lb web1:web" {
		t.Fatalf("nodes = %s", got)
	}
	want := map[string]string{
		"client/eth0": "172.16.0.10/24",
		"lb1/enp0s8":  "192.168.10.101/24", "lb1/enp0s9": "172.16.0.101/24",
		"lb2/enp0s8": "192.168.10.102/24", "lb2/enp0s9": "172.16.0.102/24",
		"web1/enp0s8": "192.168.10.200/24",
	}
	got := map[string]string{}
	for _, n := range l.Nodes {
		for _, i := range n.Interfaces {
			got[n.Name+"/"+i.Name] = i.Address.String()
		}
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("interfaces = %v", got)
	}
	if l.VIP.Address != netip.MustParseAddr("172.16.0.200") || l.VIP.Port != 80 {
		t.Errorf("VIP = %+v", l.VIP)
	}
	lb1, _ := l.Node("lb1")
	if c := lb1.Component(ComponentVRRP); c == nil || !strings.Contains(string(c.Config), "priority 101") {
		t.Errorf("lb1 keepalived.conf missing or wrong: %+v", c)
	}
	if c := lb1.Component(ComponentProxy); c == nil || !strings.Contains(string(c.Config), "bind 172.16.0.200:80") {
		t.Errorf("lb1 haproxy.cfg missing or wrong: %+v", c)
	}
	client, _ := l.Node("client")
	if c := client.Component(ComponentProbe); c == nil || strings.Join(c.Args, " ") != "--target http://172.16.0.200:80/ --rate 100 --timeout 300ms --peer-names 192.168.10.101=lb1,172.16.0.101=lb1,192.168.10.102=lb2,172.16.0.102=lb2" {
		t.Errorf("probe = %+v", c)
	}
}

const goodLab = `name: t1
networks:
  public: {subnet: 10.1.0.0/24}
  private: {subnet: 10.2.0.0/24}
vip: {address: 10.1.0.200, network: public}
nodes:
  client:
    role: client
    interfaces: {eth0: {network: public, address: 10.1.0.10/24}}
  lb1:
    role: lb
    interfaces:
      pub: {network: public, address: 10.1.0.101/24}
      priv: {network: private, address: 10.2.0.101/24}
    keepalived: ka.conf
    haproxy: |
      frontend f
        bind 10.1.0.200:80
  web1:
    role: web
    interfaces: {eth0: {network: private, address: 10.2.0.200/24}}
`

var testFS = fstest.MapFS{"ka.conf": {Data: []byte("vrrp_instance V {}\n")}}

func TestParseProblems(t *testing.T) {
	tests := []struct {
		name string
		edit func(string) string
		want []string // each must appear in the error, in this order
	}{
		{"good", func(s string) string { return s }, nil},
		{"unknown keys everywhere, all reported",
			func(s string) string {
				s = strings.Replace(s, "name: t1", "name: t1\ncolour: blue", 1)
				return strings.Replace(s, "role: web", "role: web\n    disk: 10G", 1)
			},
			[]string{`t.yaml:2:1: unknown key "colour" in the lab file; known keys: description, name, networks, nodes, provider, ssh, title, vip`,
				`t.yaml:22:5: unknown key "disk" in nodes.web1`}},
		{"bad lab name", func(s string) string { return strings.Replace(s, "name: t1", "name: Big-Lab", 1) },
			[]string{`t.yaml:1:7: lab name "Big-Lab"`}},
		{"address outside network and unknown network",
			func(s string) string {
				s = strings.Replace(s, "10.1.0.10/24", "10.9.0.10/24", 1)
				return strings.Replace(s, "network: private, address: 10.2.0.200/24", "network: backend, address: 10.2.0.200/24", 1)
			},
			[]string{`t.yaml:9:51: node client interface eth0: address 10.9.0.10/24 is not in network public (10.1.0.0/24)`,
				`t.yaml:21:34: node web1 interface eth0: network "backend" is not defined under networks`}},
		{"duplicate address", func(s string) string { return strings.Replace(s, "10.2.0.200/24", "10.2.0.101/24", 1) },
			[]string{"address 10.2.0.101 is already used by lb1 priv"}},
		{"missing config file", func(s string) string { return strings.Replace(s, "ka.conf", "nope.conf", 1) },
			[]string{`t.yaml:15:17: node lb1: keepalived: cannot read nope.conf`}},
		{"wrong type", func(s string) string {
			return strings.Replace(s, "vip: {address: 10.1.0.200", "vip: {port: eighty, address: 10.1.0.200", 1)
		},
			[]string{`t.yaml:5:13: vip.port: want a whole number, got the value "eighty"`}},
		{"bad role", func(s string) string { return strings.Replace(s, "role: web", "role: database", 1) },
			[]string{`node web1: role "database" is not supported; supported: client, lb, web, host`}},
		{"yaml syntax", func(s string) string { return s + "  : : [\n" },
			[]string{"t.yaml:"}},
		{"VIP outside network", func(s string) string { return strings.Replace(s, "10.1.0.200, network", "10.2.0.200, network", 1) },
			[]string{"the VIP 10.2.0.200 is outside its network public (10.1.0.0/24)"}},
		{"empty", func(string) string { return "" }, []string{"t.yaml:1:1: the lab file is empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(tt.edit(goodLab)), testFS)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want a *ValidationError", err)
			}
			msg := err.Error()
			rest := msg
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("error lacks %q (or out of order):\n%s", w, msg)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}
