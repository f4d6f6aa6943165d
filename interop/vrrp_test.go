package interop

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/halab/halab/internal/roottest"
	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/nodes/vrrp"
	"github.com/halab/halab/nodes/vrrp/fsm"
)

// variant is one way to configure a VRRP pair.
type variant struct {
	name     string
	version  int
	auth     string // "", "PASS", "AH"
	unicast  bool
	advert   time.Duration
	password string
}

var variants = []variant{
	{name: "v2-AH-unicast", version: 2, auth: "AH", unicast: true, advert: time.Second, password: "myP@ssword"},
	{name: "v2-PASS-multicast", version: 2, auth: "PASS", advert: time.Second, password: "labPass1"},
	{name: "v3-multicast-100ms", version: 3, advert: 100 * time.Millisecond},
}

// speaker is one VRRP router of a test: which program, its priority, its
// options.
type speaker struct {
	host      string
	program   string // "halab" or "keepalived"
	priority  int
	nopreempt bool
	password  string // overrides the variant's
	vrid      int
}

// conf writes the keepalived.conf both programs read.
func (e *env) conf(v variant, s speaker, peers []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "global_defs {\n  vrrp_version %d\n  script_user root\n}\n", v.version)
	fmt.Fprintf(&b, "vrrp_instance VI {\n  interface eth0\n  state BACKUP\n  priority %d\n", s.priority)
	vrid := 42
	if s.vrid != 0 {
		vrid = s.vrid
	}
	fmt.Fprintf(&b, "  virtual_router_id %d\n  advert_int %g\n", vrid, v.advert.Seconds())
	if s.nopreempt {
		b.WriteString("  nopreempt\n")
	}
	if v.auth != "" {
		pass := v.password
		if s.password != "" {
			pass = s.password
		}
		fmt.Fprintf(&b, "  authentication {\n    auth_type %s\n    auth_pass %s\n  }\n", v.auth, pass)
	}
	if v.unicast {
		fmt.Fprintf(&b, "  unicast_src_ip %s\n  unicast_peer {\n", e.addr(s.host))
		for _, p := range peers {
			fmt.Fprintf(&b, "    %s\n", e.addr(p))
		}
		b.WriteString("  }\n")
	}
	b.WriteString("  virtual_ipaddress {\n    10.77.0.100/24\n  }\n}\n")
	path := filepath.Join(e.dir, s.host+".keepalived.conf")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		e.t.Fatal(err)
	}
	return path
}

// run starts the speaker's program on its host.
func (e *env) run(v variant, s speaker, peers []string) *proc {
	conf := e.conf(v, s, peers)
	if s.program == "keepalived" {
		if _, err := exec.LookPath("keepalived"); err != nil {
			if os.Getenv("HALAB_REQUIRE_ROOT") == "1" {
				e.t.Fatal("keepalived is not installed (apt-get install keepalived)")
			}
			e.t.Skip("keepalived is not installed")
		}
		// Fresh pid files each start: a killed keepalived's VRRP child may
		// still be a zombie, and keepalived would refuse to start beside it.
		e.starts++
		base := filepath.Join(e.dir, fmt.Sprintf("%s-%d", s.host, e.starts))
		return e.start(s.host, "keepalived", "keepalived", "-n", "-l", "-D", "-G", "-P", "-f", conf,
			"-p", base+".ka.pid", "-r", base+".vrrp.pid", "-c", base+".chk.pid")
	}
	return e.start(s.host, "halab", roottest.Binary(e.t), "run", "vrrp", "-f", conf, "--node", s.host,
		"--control", filepath.Join(e.dir, s.host+".sock"))
}

// masterDown is the protocol's master-down interval for a backup of priority.
func masterDown(v variant, priority int) time.Duration {
	return fsm.MasterDownInterval(v.version, uint8(priority), v.advert, 0)
}

const margin = 300 * time.Millisecond

// TestVRRPInteropWithKeepalived runs halab and real keepalived as the two
// routers of a pair, each way round, for the tutorial's setup (v2, AH,
// unicast), v2 with PASS over multicast and v3 over multicast at 100 ms:
// the higher priority wins whichever program it is; kill -9 of the master
// moves the VIP within the master-down interval; the master preempts back
// when it returns; a graceful stop moves the VIP within the skew time; and
// the two never hold the VIP together for longer than one advert interval.
func TestVRRPInteropWithKeepalived(t *testing.T) {
	for _, v := range variants {
		for _, high := range []string{"halab", "keepalived"} {
			low := map[string]string{"halab": "keepalived", "keepalived": "halab"}[high]
			t.Run(fmt.Sprintf("%s/%s-higher", v.name, high), func(t *testing.T) {
				failover(t, v, speaker{host: "a", program: high, priority: 101}, speaker{host: "b", program: low, priority: 100})
			})
		}
	}
}

func failover(t *testing.T, v variant, hi, lo speaker) {
	e := newEnv(t, "vr", "a", "b")
	w := e.watchVIP("10.77.0.100")
	start := time.Now()
	a := e.run(v, hi, []string{"b"})
	b := e.run(v, lo, []string{"a"})
	// Both start as BACKUP; the higher priority's master-down timer runs out first.
	w.waitHolder(t, "a", start, masterDown(v, hi.priority)+2*time.Second)
	time.Sleep(3 * v.advert)
	if h, all := w.holder(); h != "a" {
		t.Fatalf("after the election the VIP is on %v, want a (priority %d, %s)", all, hi.priority, hi.program)
	}

	// kill -9 of the master: the backup's master-down timer expires.
	a.kill()
	killed := time.Now()
	w.alive("a", false)
	took := w.waitHolder(t, "b", killed, masterDown(v, lo.priority)+margin).Sub(killed)
	t.Logf("kill -9 %s: %s took over after %v (master down interval %v)", hi.program, lo.program, took.Round(time.Millisecond), masterDown(v, lo.priority))

	// The old master returns and preempts the lower priority.
	back := time.Now()
	a = e.run(v, hi, []string{"b"})
	w.aliveOnceReleased(t, "a")
	// Allow for the program's own start-up on a loaded machine.
	w.waitHolder(t, "a", back, masterDown(v, hi.priority)+5*time.Second)
	time.Sleep(3 * v.advert)

	// Graceful stop: priority 0 makes the backup take over after its skew.
	stopped := time.Now()
	a.stop(t)
	w.alive("a", false)
	skew := fsm.SkewTime(v.version, uint8(lo.priority), v.advert)
	took = w.waitHolder(t, "b", stopped, skew+margin).Sub(stopped)
	t.Logf("graceful stop of %s: %s took over after %v (skew %v)", hi.program, lo.program, took.Round(time.Millisecond), skew)

	if split := w.longestSplit(); split > v.advert {
		t.Errorf("both held the VIP for %v, longer than one advert interval (%v)", split, v.advert)
	}
	b.stop(t)
	if strings.Contains(b.logText(), "panic") {
		t.Errorf("%s log shows a panic:\n%s", lo.program, b.logText())
	}
}

// TestVRRPNopreempt: with nopreempt the returning higher priority router
// stays backup.
func TestVRRPNopreempt(t *testing.T) {
	v := variants[0]
	e := newEnv(t, "np", "a", "b")
	w := e.watchVIP("10.77.0.100")
	hi := speaker{host: "a", program: "halab", priority: 101, nopreempt: true}
	lo := speaker{host: "b", program: "keepalived", priority: 100, nopreempt: true}
	start := time.Now()
	a := e.run(v, hi, []string{"b"})
	e.run(v, lo, []string{"a"})
	w.waitHolder(t, "a", start, masterDown(v, hi.priority)+2*time.Second)
	a.kill()
	killed := time.Now()
	w.alive("a", false)
	w.waitHolder(t, "b", killed, masterDown(v, lo.priority)+margin)
	back := time.Now()
	e.run(v, hi, []string{"b"})
	w.aliveOnceReleased(t, "a")
	time.Sleep(masterDown(v, hi.priority) + 2*time.Second)
	if !w.heldThroughout("b", back) {
		t.Errorf("with nopreempt the returning router took the VIP back")
	}
}

// TestVRRPWrongCredentialsNeverMoveTheVIP: a third router with a higher
// priority but the wrong password (or another VRID) does not take the VIP
// from the pair's master, and halab counts its adverts as dropped by reason.
func TestVRRPWrongCredentialsNeverMoveTheVIP(t *testing.T) {
	cases := []struct {
		name   string
		v      variant
		rogue  speaker
		reason string
	}{
		{"AH wrong password", variants[0], speaker{host: "c", program: "keepalived", priority: 200, password: "intruder"}, "ah-icv"},
		{"PASS wrong password", variants[1], speaker{host: "c", program: "keepalived", priority: 200, password: "intruder"}, "auth-password"},
		{"wrong vrid", variants[1], speaker{host: "c", program: "keepalived", priority: 200, vrid: 43}, "vrid"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, "rg", "a", "b", "c")
			w := e.watchVIP("10.77.0.100")
			start := time.Now()
			e.run(tc.v, speaker{host: "a", program: "halab", priority: 101}, []string{"b", "c"})
			e.run(tc.v, speaker{host: "b", program: "keepalived", priority: 100}, []string{"a", "c"})
			w.waitHolder(t, "a", start, masterDown(tc.v, 101)+2*time.Second)
			// The rogue holds its own copy of the VIP: watch only the pair.
			w.ignore("c")
			settled := time.Now()
			e.run(tc.v, tc.rogue, []string{"a", "b"})
			time.Sleep(masterDown(tc.v, 100) + 2*time.Second)
			if !w.heldThroughout("a", settled) {
				t.Errorf("the VIP left a after a router with wrong credentials appeared")
			}
			var st struct {
				Instances []vrrp.InstanceStatus `json:"instances"`
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			if _, err := control.NewClient(filepath.Join(e.dir, "a.sock")).Status(ctx, &st); err != nil {
				t.Fatal(err)
			}
			if len(st.Instances) != 1 || st.Instances[0].Counters.Dropped[tc.reason] == 0 {
				t.Errorf("halab did not count the rogue's adverts as dropped (%s): %+v", tc.reason, st.Instances)
			}
		})
	}
}
