package lab

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/halab/halab/assets"
	"github.com/halab/halab/internal/fuzzseed"
)

// FuzzParse feeds lab files to Parse, resolving the configuration files
// they name in the built-in labs' file system (never the disk). Parse must
// never panic; it returns a lab or a *ValidationError, never both; every
// problem is "f.yaml:LINE:COL: message" with LINE a line of the input and
// COL at least 1, in file order; parsing twice gives the same answer; and
// an accepted lab keeps the rules build enforces.
func FuzzParse(f *testing.F) {
	for _, data := range fuzzseed.Files(f, assets.Labs, "*.yaml") {
		f.Add(data)
	}
	for _, s := range []string{
		"", "name: [", "- a", "name: t\rnetworks: [\r", "name: t\u2028vip: {port: x}\n", "name: t\n\tnetworks: x\n", "a: &x [*x]\n", "\x00", "name: \"\\xff\"\n", "\xef\xbb\xbfname: t\n",
		"vip: {port: eighty}\n", "nodes: {1: {role: lb}}\n", "nodes:\n  lb1:\n    keepalived: |\n      inline\n",
		"networks: {p: {subnet: 10.0.0.0/8}, q: {subnet: 10.1.0.0/16}}\n", "<<: {name: x}\nname: y\n",
		"nodes:\n  c:\n    role: client\n    probe: {rate: -5, timeout: 1h}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Parse("f.yaml", data, assets.Labs)
		if (l == nil) == (err == nil) {
			t.Fatalf("lab %v with error %v", l != nil, err)
		}
		again, err2 := Parse("f.yaml", data, assets.Labs)
		if diff := cmp.Diff(l, again, cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
			cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" || fmt.Sprint(err) != fmt.Sprint(err2) {
			t.Fatalf("two parses disagree: %v / %v\n%s", err, err2, diff)
		}
		if err != nil {
			checkProblems(t, data, err)
			return
		}
		checkLab(t, l)
	})
}

// checkProblems asserts that err lists problems placed inside data.
func checkProblems(t *testing.T, data []byte, err error) {
	t.Helper()
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) == 0 {
		t.Fatalf("error %v is not a *ValidationError with problems", err)
	}
	lines := fuzzseed.YAMLLines(data)
	for i, p := range ve.Problems {
		if p.File != "f.yaml" || p.Line < 1 || p.Line > lines || p.Column < 1 || p.Message == "" {
			t.Fatalf("problem %+v is not placed in the %d-line input", p, lines)
		}
		if want := fmt.Sprintf("f.yaml:%d:%d: ", p.Line, p.Column); !strings.HasPrefix(p.String(), want) {
			t.Fatalf("problem renders as %q, want the prefix %q", p.String(), want)
		}
		if i > 0 {
			q := ve.Problems[i-1]
			if q.Line > p.Line || q.Line == p.Line && q.Column > p.Column {
				t.Fatalf("problems out of order: %v before %v", q, p)
			}
		}
	}
}

// checkLab asserts what build promises of an accepted lab.
func checkLab(t *testing.T, l *Lab) {
	t.Helper()
	if CheckName(l.Name) != nil || l.Source != "f.yaml" || len(l.Networks) == 0 || len(l.Nodes) == 0 {
		t.Fatalf("accepted an incomplete lab: %+v", l)
	}
	vipNet := l.Network(l.VIP.Network)
	if vipNet == nil || !vipNet.Subnet.Contains(l.VIP.Address) || l.VIP.Port < 1 || l.VIP.Port > 65535 {
		t.Fatalf("accepted VIP %+v outside its network %+v", l.VIP, vipNet)
	}
	seen := map[netip.Addr]bool{l.VIP.Address: true}
	for _, n := range l.Nodes {
		if !isRole(string(n.Role)) || len(n.Interfaces) == 0 {
			t.Fatalf("accepted node %+v", n)
		}
		for _, i := range n.Interfaces {
			net := l.Network(i.Network)
			if net == nil || !net.Subnet.Contains(i.Address.Addr()) || seen[i.Address.Addr()] {
				t.Fatalf("accepted interface %s/%s %+v", n.Name, i.Name, i)
			}
			seen[i.Address.Addr()] = true
		}
		if n.Role == RoleLB && (n.Component(ComponentVRRP) == nil || n.Component(ComponentProxy) == nil) {
			t.Fatalf("accepted load balancer %s without vrrp and proxy: %+v", n.Name, n.Components)
		}
	}
}
