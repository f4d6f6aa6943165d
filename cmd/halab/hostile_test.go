package main

import (
	"context"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/halab/halab/internal/roottest"
	"github.com/halab/halab/lab"
	"github.com/halab/halab/nodes/vrrp"
	"github.com/halab/halab/nodes/vrrp/wire"
)

// The seed lab's addresses and secrets, as its keepalived.conf files have
// them (auth_pass is cut to 8 characters, as keepalived does).
var (
	seedLB1      = netip.MustParseAddr("192.168.10.101")
	seedLB2      = netip.MustParseAddr("192.168.10.102")
	seedWeb1     = netip.MustParseAddr("192.168.10.200")
	seedVIP      = netip.MustParseAddr("172.16.0.200")
	seedPassword = "myP@sswo"
)

// hostileCase is one kind of hostile VRRP traffic: the datagrams one node
// of the lab sends, and the drop reason each load balancer must count for
// them, with how many.
type hostileCase struct {
	name      string
	from      string // the node that sends
	multicast string // the sender's interface for multicast, "" for unicast
	send      func(t *testing.T) [][]byte
	// payload, when set, is sent instead with a header the kernel builds,
	// as protocol payloadProto to payloadDst, count times (see injectPayload).
	payload      []byte
	payloadProto int
	payloadDst   netip.Addr
	count        int
	want         map[string]map[string]uint64 // node → drop reason → count
}

// run sends the case's traffic.
func (c hostileCase) run(t *testing.T, labName string) {
	t.Helper()
	var err error
	if c.payload != nil {
		err = injectPayload(labName, c.from, c.payloadDst, c.payloadProto, c.payload, c.count)
	} else {
		err = inject(labName, c.from, c.multicast, c.send(t))
	}
	if err != nil {
		t.Fatalf("%s: %v", c.name, err)
	}
}

// mustBuild builds an advert or fails the test.
func mustBuild(t *testing.T, s advertSpec) []byte {
	t.Helper()
	dg, err := s.build()
	if err != nil {
		t.Fatal(err)
	}
	return dg
}

// hostileBaseline is what the lab looked like before the attack.
type hostileBaseline struct {
	states map[string]vrrp.InstanceStatus
	pids   map[string]int // node/kind → pid
}

func takeBaseline(t *testing.T, labName string) hostileBaseline {
	t.Helper()
	b := hostileBaseline{states: vrrpStates(t, labName), pids: map[string]int{}}
	for _, n := range status(t, labName).Nodes {
		for _, c := range n.Components {
			b.pids[n.Name+"/"+c.Kind] = c.PID
		}
	}
	return b
}

// runHostile sends each case in turn. After each it waits until every load
// balancer has counted what it must, then checks that the counts are
// exactly the expected ones (no reason counted too often, none missing)
// and that the kernel still has the VIP on master alone. At the end it
// checks that no instance changed state in the meantime, that every
// component still runs as the same process, and that `halab status` prints
// every count.
func runHostile(t *testing.T, labName, master string, cases []hostileCase) {
	t.Helper()
	base := takeBaseline(t, labName)
	want := map[string]map[string]uint64{}
	for _, c := range cases {
		c.run(t, labName)
		for node, reasons := range c.want {
			if want[node] == nil {
				want[node] = map[string]uint64{}
			}
			for r, n := range reasons {
				want[node][r] += n
			}
		}
		got := waitDrops(t, labName, base.states, want)
		for node := range base.states {
			if !maps.Equal(got[node], want[node]) {
				t.Errorf("after %q: %s counted drops %v since the attack began, want %v", c.name, node, got[node], want[node])
			}
		}
		if holders := kernelVIP(t, labName); !slices.Equal(holders, []string{master}) {
			t.Fatalf("after %q: the kernel has the VIP on %v, want only on %s", c.name, holders, master)
		}
	}

	// A replayed goodbye would have lb2 take over after its skew time
	// (0.6 s in the seed lab): give it longer than that.
	time.Sleep(1500 * time.Millisecond)
	after := takeBaseline(t, labName)
	for node, before := range base.states {
		now := after.states[node]
		if now.State != before.State || now.Counters.BecameMaster != before.Counters.BecameMaster || !sameTransition(now, before) {
			t.Errorf("%s changed during the attack: %s (became master %d times, last %+v), was %s (%d, %+v)", node,
				now.State, now.Counters.BecameMaster, now.LastTransition, before.State, before.Counters.BecameMaster, before.LastTransition)
		}
	}
	if holders := kernelVIP(t, labName); !slices.Equal(holders, []string{master}) {
		t.Errorf("after the attack the kernel has the VIP on %v, want only on %s", holders, master)
	}
	for _, n := range status(t, labName).Nodes {
		for _, c := range n.Components {
			if !c.Running || !c.Ready || c.PID != base.pids[n.Name+"/"+c.Kind] {
				t.Errorf("%s/%s after the attack: running %v, ready %v, pid %d (was %d): %s", n.Name, c.Kind,
					c.Running, c.Ready, c.PID, base.pids[n.Name+"/"+c.Kind], c.Error)
			}
		}
	}

	// `halab status` prints each reason with its count on the node's
	// "adverts … dropped …" line, in both text and JSON.
	text := roottest.MustRun(t, "status", "--lab", labName).Stdout
	for node, reasons := range want {
		line := droppedLine(text, node)
		t.Logf("%s: %s", node, line)
		for r := range reasons {
			n := after.states[node].Counters.Dropped[r]
			if field := fmt.Sprintf("%s %d", r, n); !strings.Contains(line, field+",") && !strings.HasSuffix(line, field) {
				t.Errorf("halab status does not show %q for %s; its line: %q", field, node, line)
			}
		}
	}
	if t.Failed() {
		t.Logf("halab status:\n%s", text)
	}
}

// waitDrops waits (at most 3 s) until every node has counted at least the
// drops in want since base, and returns what each counted since base.
func waitDrops(t *testing.T, labName string, base map[string]vrrp.InstanceStatus, want map[string]map[string]uint64) map[string]map[string]uint64 {
	t.Helper()
	var got map[string]map[string]uint64
	for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		got = map[string]map[string]uint64{}
		done := true
		for node, st := range vrrpStates(t, labName) {
			got[node] = map[string]uint64{}
			for r, n := range st.Counters.Dropped {
				if d := n - base[node].Counters.Dropped[r]; d > 0 {
					got[node][r] = d
				}
			}
			for r, n := range want[node] {
				if got[node][r] < n {
					done = false
				}
			}
		}
		if done || time.Now().After(deadline) {
			return got
		}
	}
}

func sameTransition(a, b vrrp.InstanceStatus) bool {
	if a.LastTransition == nil || b.LastTransition == nil {
		return a.LastTransition == b.LastTransition
	}
	return a.LastTransition.At.Equal(b.LastTransition.At) && a.LastTransition.To == b.LastTransition.To
}

// kernelVIP lists the nodes that hold the lab's VIP, as the kernel says
// (netlink inside each node's namespace).
func kernelVIP(t *testing.T, labName string) []string {
	t.Helper()
	st, err := lab.LoadState(labName)
	if err != nil {
		t.Fatal(err)
	}
	holders, ok := vipHolders(context.Background(), st)
	if !ok {
		t.Fatalf("lab %s: the kernel could not be asked who holds the VIP", labName)
	}
	return holders
}

// droppedLine finds node's "adverts sent …, dropped …" line in the VRRP
// part of `halab status`.
func droppedLine(text, node string) string {
	_, vrrpPart, _ := strings.Cut(text, "\nVRRP\n")
	inNode := false
	for _, line := range strings.Split(vrrpPart, "\n") {
		if fields := strings.Fields(line); len(fields) > 0 && !strings.HasPrefix(line, "         ") {
			inNode = fields[0] == node
		}
		if inNode && strings.Contains(line, "adverts sent") {
			return strings.TrimSpace(line)
		}
	}
	return ""
}

// TestHostileVRRPSeed attacks the seed lab's VRRP (v2, AH, unicast on the
// private network) from web1, a host on the same network, while lb1 is
// master: adverts with priority 254 signed with a wrong password, plain
// VRRP adverts without any authentication (a rogue router that does not
// know the password), a genuine advert of lb1's captured on the wire and
// replayed, lb1's "I am stopping" advert (priority 0) signed with the
// right password but an old AH sequence number, another virtual router's
// adverts, truncated ones and oversized ones (in one frame, and so large
// that the kernel fragments them). Any one of them accepted would move the
// VIP: lb1 would step down before priority 254, lb2 would take over after
// a goodbye. Each must be dropped and counted under its reason on the node
// it was sent to, the VIP must stay on lb1, and every component must run
// on.
func TestHostileVRRPSeed(t *testing.T) {
	roottest.Require(t)
	name := roottest.LabName("hos")
	up(t, name)
	waitMaster(t, name, "lb1", 10*time.Second)

	// A genuine advert of lb1's, as lb2 receives it, once lb2's daemon has
	// accepted it (or a later one): replaying it is a replay.
	received := vrrpStates(t, name)["lb2"].Counters.Received
	genuine, err := capture(name, "lb2", wire.ProtocolAH, seedLB1, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	captured, err := wire.ParsePacket(genuine)
	if err != nil || captured.AH == nil {
		t.Fatalf("captured advert %x: %v", genuine, err)
	}
	if err := wire.VerifyICV(genuine, seedPassword); err != nil {
		t.Fatalf("the captured advert does not verify with the seed's password: %v", err)
	}
	for deadline := time.Now().Add(3 * time.Second); vrrpStates(t, name)["lb2"].Counters.Received <= received; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("lb2 accepted no advert of lb1's after the capture")
		}
	}
	t.Logf("captured lb1's advert with AH sequence %d", captured.AH.Sequence)

	vips := []netip.Addr{seedVIP}
	// rogue is an advert as lb1 would send it, with priority 254.
	rogue := func(dst netip.Addr) advertSpec {
		return advertSpec{src: seedWeb1, dst: dst, vrid: 51, priority: 254, vips: vips, auth: wire.AuthAH, password: "guessed!"}
	}
	both := func(reason string, n uint64) map[string]map[string]uint64 {
		return map[string]map[string]uint64{"lb1": {reason: n}, "lb2": {reason: n}}
	}
	toBoth := func(f func(dst netip.Addr) []byte, n int) func(*testing.T) [][]byte {
		return func(*testing.T) [][]byte {
			return append(copies(f(seedLB1), n), copies(f(seedLB2), n)...)
		}
	}
	// A whole AH advert padded to 4000 bytes: more than the 1500-byte MTU,
	// so the kernel sends it in fragments and lb2's kernel reassembles it.
	huge := mustBuild(t, rogue(seedLB2))[wire.IPv4HeaderLen:]
	huge = append(huge, make([]byte, 4000-len(huge))...)

	cases := []hostileCase{
		{name: "wrong password (bad ICV), priority 254", from: "web1",
			send: toBoth(func(dst netip.Addr) []byte { return mustBuild(t, rogue(dst)) }, 5),
			want: both(string(wire.DropAHICV), 5)},
		{name: "rogue router without the password: plain VRRP, priority 254", from: "web1",
			send: toBoth(func(dst netip.Addr) []byte {
				s := rogue(dst)
				s.auth, s.password = wire.AuthNone, ""
				return mustBuild(t, s)
			}, 4),
			want: both(string(wire.DropAuthType), 4)},
		{name: "another virtual router (VRID 52)", from: "web1",
			send: toBoth(func(dst netip.Addr) []byte {
				s := rogue(dst)
				s.vrid = 52
				return mustBuild(t, s)
			}, 3),
			want: both(string(wire.DropVRID), 3)},
		{name: "truncated in the AH header", from: "web1",
			send: toBoth(func(dst netip.Addr) []byte {
				return mustBuild(t, rogue(dst))[:wire.IPv4HeaderLen+10]
			}, 1),
			want: both(string(wire.DropTruncated), 1)},
		{name: "truncated in the advert", from: "web1",
			send: toBoth(func(dst netip.Addr) []byte {
				return mustBuild(t, rogue(dst))[:wire.IPv4HeaderLen+wire.AHHeaderLen+6]
			}, 2),
			want: both(string(wire.DropTruncated), 2)},
		{name: "oversized: 1000 bytes after the advert, in one frame", from: "web1",
			send: toBoth(func(dst netip.Addr) []byte {
				return append(mustBuild(t, rogue(dst)), make([]byte, 1000)...)
			}, 2),
			want: both(string(wire.DropLength), 2)},
		{name: "oversized: 4000 bytes, fragmented and reassembled", from: "web1",
			payload: huge, payloadProto: wire.ProtocolAH, payloadDst: seedLB2, count: 2,
			want: map[string]map[string]uint64{"lb2": {string(wire.DropLength): 2}}},
		{name: "replay of a captured genuine advert", from: "web1",
			send: func(*testing.T) [][]byte { return copies(genuine, 3) },
			want: map[string]map[string]uint64{"lb2": {string(wire.DropAHSequence): 3}}},
		{name: "replay of lb1's goodbye (priority 0), right password, old sequence number", from: "web1",
			send: func(t *testing.T) [][]byte {
				s := advertSpec{src: seedLB1, dst: seedLB2, vrid: 51, priority: 0, vips: vips,
					auth: wire.AuthAH, password: seedPassword, sequence: captured.AH.Sequence, id: 7}
				return copies(mustBuild(t, s), 3)
			},
			want: map[string]map[string]uint64{"lb2": {string(wire.DropAHSequence): 3}}},
	}
	runHostile(t, name, "lb1", cases)
}

// multicastLab is the seed lab's load balancers and web server with VRRPv2
// over multicast (224.0.0.18 on the private network, where the TTL must be
// 255) with simple password authentication, and a bare host, rogue, on the
// private network. lb1 (priority 150) becomes master.
const multicastLab = `name: %s
networks:
  public: {subnet: 172.16.0.0/24}
  private: {subnet: 192.168.10.0/24}
vip: {address: 172.16.0.200, port: 80, network: public}
nodes:
  lb1:
    role: lb
    interfaces:
      enp0s8: {network: private, address: 192.168.10.101/24}
      enp0s9: {network: public, address: 172.16.0.101/24}
    sysctl: {net.ipv4.ip_nonlocal_bind: "1"}
    keepalived: lb1.conf
    haproxy: haproxy.cfg
  lb2:
    role: lb
    interfaces:
      enp0s8: {network: private, address: 192.168.10.102/24}
      enp0s9: {network: public, address: 172.16.0.102/24}
    sysctl: {net.ipv4.ip_nonlocal_bind: "1"}
    keepalived: lb2.conf
    haproxy: haproxy.cfg
  web1:
    role: web
    interfaces:
      enp0s8: {network: private, address: 192.168.10.200/24}
  rogue:
    role: host
    interfaces:
      eth0: {network: private, address: 192.168.10.66/24}
`

// multicastConf is a load balancer's keepalived.conf for multicastLab.
const multicastConf = `vrrp_instance MC_VIP {
    interface enp0s8
    state %s
    priority %d
    virtual_router_id 51
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass s3cretPw
    }
    virtual_ipaddress {
        172.16.0.200 dev enp0s9
    }
}
`

// writeMulticastLab writes multicastLab, its keepalived.conf files and the
// seed lab's haproxy.cfg into a temporary directory and returns the lab
// file's path.
func writeMulticastLab(t *testing.T, name string) string {
	t.Helper()
	return writeLabDir(t, map[string]string{
		"lab.yaml":    fmt.Sprintf(multicastLab, name),
		"lb1.conf":    fmt.Sprintf(multicastConf, "MASTER", 150),
		"lb2.conf":    fmt.Sprintf(multicastConf, "BACKUP", 100),
		"haproxy.cfg": assetText(t, "seed/haproxy.cfg"),
	})
}

// TestHostileVRRPMulticast attacks VRRPv2 over multicast with a password
// (auth_type PASS) from a bare host on the private network while lb1 is
// master. Every advert says priority 254 and is right in all but one
// thing, so that only the check for that thing stands between it and a
// VIP that moves: a TTL other than 255 (sent from further away than the
// link), a wrong password, no authentication, another advert interval,
// another virtual router, VRRP version 3, a bad checksum, another VIP,
// a unicast advert where multicast is expected, truncated and oversized
// adverts. Both load balancers hear each multicast advert and must count
// it under its reason; the VIP stays on lb1 and every component runs on.
func TestHostileVRRPMulticast(t *testing.T) {
	roottest.Require(t)
	name := roottest.LabName("hosmc")
	up(t, name, "-f", writeMulticastLab(t, name))
	waitMaster(t, name, "lb1", 10*time.Second)

	rogueAddr := netip.MustParseAddr("192.168.10.66")
	vips := []netip.Addr{seedVIP}
	// advert is an advert as lb1 sends it, but from rogue with priority 254:
	// accepted, it would make lb1 step down and lb2 stay backup.
	advert := func() advertSpec {
		return advertSpec{src: rogueAddr, dst: wire.MulticastGroup, vrid: 51, priority: 254, vips: vips,
			auth: wire.AuthSimple, password: "s3cretPw"}
	}
	mc := func(n int, change func(*advertSpec), mutate func([]byte) []byte) func(*testing.T) [][]byte {
		return func(t *testing.T) [][]byte {
			s := advert()
			if change != nil {
				change(&s)
			}
			dg := mustBuild(t, s)
			if mutate != nil {
				dg = mutate(dg)
			}
			return copies(dg, n)
		}
	}
	both := func(reason wire.DropReason, n uint64) map[string]map[string]uint64 {
		return map[string]map[string]uint64{"lb1": {string(reason): n}, "lb2": {string(reason): n}}
	}
	cases := []hostileCase{
		{name: "TTL 1", from: "rogue", multicast: "eth0",
			send: mc(3, func(s *advertSpec) { s.ttl = 1 }, nil), want: both(wire.DropTTL, 3)},
		{name: "TTL 64", from: "rogue", multicast: "eth0",
			send: mc(2, func(s *advertSpec) { s.ttl = 64 }, nil), want: both(wire.DropTTL, 2)},
		{name: "wrong password", from: "rogue", multicast: "eth0",
			send: mc(3, func(s *advertSpec) { s.password = "guessed!" }, nil), want: both(wire.DropAuthPassword, 3)},
		{name: "no authentication", from: "rogue", multicast: "eth0",
			send: mc(3, func(s *advertSpec) { s.auth, s.password = wire.AuthNone, "" }, nil), want: both(wire.DropAuthType, 3)},
		{name: "advert interval 2 s", from: "rogue", multicast: "eth0",
			send: mc(3, func(s *advertSpec) { s.interval = 2 }, nil), want: both(wire.DropInterval, 3)},
		{name: "another virtual router (VRID 52)", from: "rogue", multicast: "eth0",
			send: mc(3, func(s *advertSpec) { s.vrid = 52 }, nil), want: both(wire.DropVRID, 3)},
		{name: "VRRP version 3", from: "rogue", multicast: "eth0",
			send: mc(3, func(s *advertSpec) { s.version, s.interval, s.auth, s.password = 3, 100, wire.AuthNone, "" }, nil),
			want: both(wire.DropVersion, 3)},
		{name: "bad checksum", from: "rogue", multicast: "eth0",
			send: mc(3, nil, func(dg []byte) []byte { dg[wire.IPv4HeaderLen+7] ^= 0xff; return dg }),
			want: both(wire.DropChecksum, 3)},
		{name: "another VIP", from: "rogue", multicast: "eth0",
			send: mc(3, func(s *advertSpec) { s.vips = []netip.Addr{netip.MustParseAddr("172.16.0.99")} }, nil),
			want: both(wire.DropAddressList, 3)},
		{name: "unicast where multicast is expected", from: "rogue",
			send: mc(3, func(s *advertSpec) { s.dst = seedLB2 }, nil),
			want: map[string]map[string]uint64{"lb2": {string(wire.DropDestination): 3}}},
		{name: "truncated", from: "rogue", multicast: "eth0",
			send: mc(3, nil, func(dg []byte) []byte { return dg[:wire.IPv4HeaderLen+12] }), want: both(wire.DropTruncated, 3)},
		{name: "oversized", from: "rogue", multicast: "eth0",
			send: mc(3, nil, func(dg []byte) []byte { return append(dg, make([]byte, 1200)...) }), want: both(wire.DropLength, 3)},
	}
	runHostile(t, name, "lb1", cases)
}
