package ssh

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/halab/halab/lab"
)

func mustPrefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }

func TestShellQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"/opt/halab/x.sock", "/opt/halab/x.sock"},
		{"", "''"},
		{"a b", "'a b'"},
		{"it's", `'it'\''s'`},
		{"$(reboot)", "'$(reboot)'"},
	}
	for _, tt := range tests {
		if got := shellQuote(tt.in); got != tt.want {
			t.Errorf("shellQuote(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestGoArch(t *testing.T) {
	for machine, want := range map[string]string{"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "i686": "386", "riscv64": "riscv64", "loongarch64": "loong64"} {
		if got := goArch(machine); got != want {
			t.Errorf("goArch(%s) = %s, want %s", machine, got, want)
		}
	}
}

func TestCheckNode(t *testing.T) {
	links := `[{"ifname":"lo","flags":["LOOPBACK","UP"],"operstate":"UNKNOWN","addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8}]},
{"ifname":"enp0s3","flags":["BROADCAST","UP"],"operstate":"UP","addr_info":[{"family":"inet","local":"10.0.2.15","prefixlen":24}]},
{"ifname":"enp0s8","flags":["BROADCAST","UP"],"operstate":"UP","addr_info":[{"family":"inet","local":"192.168.10.101","prefixlen":24},{"family":"inet6","local":"fe80::1","prefixlen":64}]},
{"ifname":"enp0s9","flags":["BROADCAST"],"operstate":"DOWN","addr_info":[]}]`
	parsed, err := parseIPJSON([]byte(links))
	if err != nil {
		t.Fatal(err)
	}
	f := &facts{OS: "Linux", Machine: "x86_64", Interfaces: parsed, ManagementAddr: "10.0.2.15", ManagementIface: "enp0s3"}
	node := func(ifaces ...lab.Interface) *lab.Node { return &lab.Node{Name: "lb1", Interfaces: ifaces} }
	tests := []struct {
		name string
		n    *lab.Node
		f    *facts
		want string // "" for accepted
	}{
		{"good", node(lab.Interface{Name: "enp0s8", Address: mustPrefix("192.168.10.101/24")}), f, ""},
		{"missing", node(lab.Interface{Name: "eth1", Address: mustPrefix("192.168.10.101/24")}), f, "lb1: it has no interface eth1 (it has enp0s3, enp0s8, enp0s9)"},
		{"no address", node(lab.Interface{Name: "enp0s9", Address: mustPrefix("172.16.0.101/24")}), f, "lb1: enp0s9 has no IPv4 address, not 172.16.0.101/24"},
		{"other address", node(lab.Interface{Name: "enp0s8", Address: mustPrefix("192.168.10.102/24")}), f, "lb1: enp0s8 has 192.168.10.101/24, not 192.168.10.102/24"},
		{"management", node(lab.Interface{Name: "enp0s3", Address: mustPrefix("10.0.2.15/24")}), f, "lb1: enp0s3 carries the SSH session (10.0.2.15)"},
		{"not linux", node(), &facts{OS: "FreeBSD"}, "lb1 runs FreeBSD; halab's components need Linux"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkNode(tt.n, tt.f)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
	if parsed[3].up() || !parsed[2].up() {
		t.Error("up() misreads flags")
	}
}

func TestBinaryForNamesTheBuild(t *testing.T) {
	_, err := binaryFor("lb1", &facts{Machine: "aarch64"}, map[string]string{"amd64": "/x"})
	if err == nil || !strings.Contains(err.Error(), "GOOS=linux GOARCH=arm64 go build -o halab-linux-arm64 ./cmd/halab") {
		t.Errorf("got %v", err)
	}
	if p, err := binaryFor("lb1", &facts{Machine: "x86_64"}, map[string]string{"amd64": "/x"}); err != nil || p != "/x" {
		t.Errorf("got %q %v", p, err)
	}
}

func TestFaultScripts(t *testing.T) {
	s := nftScript(dropAddressRules([]netip.Addr{netip.MustParseAddr("192.168.10.102")}))
	for _, want := range []string{"add table ip halab_fault", "hook input priority -10", "add rule ip halab_fault input ip saddr 192.168.10.102 drop", "add rule ip halab_fault output ip daddr 192.168.10.102 drop"} {
		if !strings.Contains(s, want) {
			t.Errorf("partition script lacks %q:\n%s", want, s)
		}
	}
	if got := lossRules("enp0s9", 30)[0]; got != `input iifname "enp0s9" numgen random mod 10000 < 3000 drop` {
		t.Errorf("loss rule %s", got)
	}
	if s := signalScript("/opt/halab/l/bin/halab", []int{12, 0, 34}, "KILL", "40"); !strings.Contains(s, "for p in 12 34;") || !strings.Contains(s, "kill -KILL $p") {
		t.Errorf("signal script %s", s)
	}
}
