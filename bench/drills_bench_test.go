package bench

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/halab/halab/internal/roottest"
)

// failoverLab is one implementation of the seed topology a failover
// benchmark drives: halab's seed or fast lab, or the reference lab.
type failoverLab interface {
	name() string
	// probe is the client probe's control socket.
	probe() string
	// ns is the namespace of lb1 or lb2.
	ns(lb string) string
	// inject applies a fault to lb1; mend undoes it.
	inject(b *testing.B, fault string)
	mend(b *testing.B, fault string)
}

// The faults measured, in the order of the table.
const (
	faultPowerOff  = "master power-off"
	faultKillProxy = "proxy killed on master"
	faultStop      = "graceful master stop"
)

type halabLab struct{ lab, builtin string }

func (h halabLab) name() string        { return "halab, " + h.builtin + " lab" }
func (h halabLab) probe() string       { return filepath.Join("/run/halab", h.lab, "client", "probe.sock") }
func (h halabLab) ns(lb string) string { return "halab-" + h.lab + "-" + lb }

func (h halabLab) inject(b *testing.B, fault string) {
	words := map[string][]string{faultPowerOff: {"crash", "lb1"}, faultKillProxy: {"kill", "lb1", "proxy"}, faultStop: {"stop", "lb1", "vrrp"}}[fault]
	roottest.MustRun(b, append([]string{"fault", "--lab", h.lab}, words...)...)
}

func (h halabLab) mend(b *testing.B, fault string) {
	words := map[string][]string{faultPowerOff: {"restore", "lb1"}, faultKillProxy: {"start", "lb1", "proxy"}, faultStop: {"start", "lb1", "vrrp"}}[fault]
	roottest.MustRun(b, append([]string{"fault", "--lab", h.lab}, words...)...)
}

// refLab is shared/tools/reflab.sh's lab; faults are made by hand as
// halab's provider makes them, and mended by starting the daemons again
// exactly as reflab.sh starts them.
type refLab struct{}

const reflabRun = "/tmp/reflab"

func (refLab) name() string        { return "keepalived + HAProxy (reference)" }
func (refLab) probe() string       { return filepath.Join(reflabRun, "bench-probe.sock") }
func (refLab) ns(lb string) string { return "rl-" + lb }

func (r refLab) inject(b *testing.B, fault string) {
	switch fault {
	case faultPowerOff:
		if err := PowerOff("rl-lb1", []netip.Addr{netip.MustParseAddr("172.16.0.101"), netip.MustParseAddr("192.168.10.101")}); err != nil {
			b.Fatal(err)
		}
	case faultKillProxy:
		signalByName(b, "rl-lb1", "haproxy", syscall.SIGKILL)
	case faultStop:
		signalByName(b, "rl-lb1", "keepalived", syscall.SIGTERM)
	}
}

func (r refLab) mend(b *testing.B, fault string) {
	haproxy := []string{"haproxy", "-D", "-f", reflabRun + "/lb1-haproxy.cfg", "-p", reflabRun + "/lb1-haproxy.pid"}
	keepalived := []string{"keepalived", "-f", reflabRun + "/lb1-keepalived.conf", "-p", reflabRun + "/lb1-ka.pid",
		"-r", reflabRun + "/lb1-vrrp.pid", "-c", reflabRun + "/lb1-chk.pid", "-l", "-D"}
	switch fault {
	case faultPowerOff:
		if err := setLinksUp("rl-lb1"); err != nil {
			b.Fatal(err)
		}
		runIn(b, "rl-lb1", haproxy)
		runIn(b, "rl-lb1", keepalived)
	case faultKillProxy:
		runIn(b, "rl-lb1", haproxy)
	case faultStop:
		waitGoneByName("rl-lb1", "keepalived")
		runIn(b, "rl-lb1", keepalived)
	}
}

// signalByName signals every process called comm in a namespace.
func signalByName(b *testing.B, namespace, comm string, sig syscall.Signal) {
	n := 0
	for _, pid := range NamespacePIDs([]string{namespace}) {
		if c, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid)); strings.TrimSpace(string(c)) == comm {
			syscall.Kill(pid, sig)
			n++
		}
	}
	if n == 0 {
		b.Fatalf("no %s in %s", comm, namespace)
	}
}

func waitGoneByName(namespace, comm string) {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		found := false
		for _, pid := range NamespacePIDs([]string{namespace}) {
			c, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
			found = found || strings.TrimSpace(string(c)) == comm
		}
		if !found {
			return
		}
	}
}

// runIn runs a daemonizing command inside a namespace and waits for it.
func runIn(b *testing.B, namespace string, argv []string) {
	cmd := exec.Command(argv[0], argv[1:]...)
	if err := StartIn(namespace, cmd); err != nil {
		b.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		b.Fatalf("%v in %s: %v", argv, namespace, err)
	}
}

// measureFault makes one fault on lb1 and returns the outage the client saw,
// then mends it and returns the requests that failed while lb1 took the VIP
// back (preemption).
func measureFault(b *testing.B, l failoverLab, fault string) (outage time.Duration, failed, preemptFailed int) {
	if _, err := WaitAddress(l.ns("lb1"), vip, 15*time.Second); err != nil {
		b.Fatalf("%s: %v", l.name(), err)
	}
	waitSteady(b, l.probe())
	// Faults land at a random phase of the adverts and the track script's
	// 2 s interval, as they would in life: a fixed rhythm of the benchmark
	// would otherwise always hit the same phase and report one end of the
	// range as the median.
	time.Sleep(time.Duration(rand.Int64N(int64(2 * time.Second))))
	l.inject(b, fault)
	if _, err := WaitAddress(l.ns("lb2"), vip, 15*time.Second); err != nil {
		b.Fatalf("%s, %s: %v", l.name(), fault, err)
	}
	outage, failed = waitOutage(b, l.probe())
	waitSteady(b, l.probe())
	l.mend(b, fault)
	if _, err := WaitAddress(l.ns("lb1"), vip, 15*time.Second); err != nil {
		b.Fatalf("%s, mending %s: %v", l.name(), fault, err)
	}
	time.Sleep(time.Second)
	st, err := probeStatus(l.probe())
	if err != nil {
		b.Fatal(err)
	}
	return outage, failed, int(st.Failed)
}

type cell struct {
	outages []time.Duration
	failed  []int
}

func (c cell) median() (time.Duration, time.Duration, time.Duration) {
	o := append([]time.Duration(nil), c.outages...)
	sort.Slice(o, func(i, j int) bool { return o[i] < o[j] })
	return o[0], o[len(o)/2], o[len(o)-1]
}

// BenchmarkFailoverDrills measures, in one run, the outage the client probe
// sees (100 requests/s) for a master power-off, the master's proxy killed
// and a graceful stop of the master's VRRP daemon, on keepalived + HAProxy
// (reflab.sh, the tutorial's configuration), halab's seed lab and halab's
// fast lab, 3 times each; and the requests lost when the master returns and
// preempts. `make bench-failover`.
func BenchmarkFailoverDrills(b *testing.B) {
	roottest.Require(b)
	faults := []string{faultPowerOff, faultKillProxy, faultStop}
	seed, fast := halabLab{lab: roottest.LabName("bds"), builtin: "seed"}, halabLab{lab: roottest.LabName("bdf"), builtin: "fast"}
	labs := []failoverLab{refLab{}, seed, fast}
	results := map[string]map[string]*cell{}
	for _, l := range labs {
		results[l.name()] = map[string]*cell{}
		for _, f := range faults {
			results[l.name()][f] = &cell{}
		}
	}
	for _, l := range labs {
		func() {
			defer startLab(b, l)() // removed also when a measurement fails
			for i := 0; i < 3*b.N; i++ {
				for _, f := range faults {
					o, failed, preempt := measureFault(b, l, f)
					c := results[l.name()][f]
					c.outages = append(c.outages, o)
					c.failed = append(c.failed, failed, preempt)
					b.Logf("%s, %s: outage %v (%d failed); return cost %d failed", l.name(), f, o.Round(time.Millisecond), failed, preempt)
				}
			}
		}()
	}
	fmt.Printf("\nfailover drills, client probe at 100 req/s, median (min–max) of %d\n", 3*b.N)
	fmt.Printf("| drill | %s | %s | %s |\n|---|---|---|---|\n", labs[0].name(), labs[1].name(), labs[2].name())
	for _, f := range faults {
		row := "| " + f + " |"
		for _, l := range labs {
			lo, med, hi := results[l.name()][f].median()
			row += fmt.Sprintf(" %s (%s–%s) |", secs(med), secs(lo), secs(hi))
			b.ReportMetric(med.Seconds(), strings.ReplaceAll(l.name()+" "+f, " ", "-")+"-s")
		}
		fmt.Println(row)
	}
	row := "| master returns (preempt): failed requests, max |"
	for _, l := range labs {
		worst := 0
		for _, f := range faults {
			fs := results[l.name()][f].failed
			for i := 1; i < len(fs); i += 2 {
				worst = max(worst, fs[i])
			}
		}
		row += fmt.Sprintf(" %d |", worst)
	}
	fmt.Println(row)
}

func secs(d time.Duration) string { return fmt.Sprintf("%.3f s", d.Seconds()) }

// startLab builds a lab and starts what measures it; it returns the teardown.
func startLab(b *testing.B, l failoverLab) func() {
	switch l := l.(type) {
	case halabLab:
		roottest.MustRun(b, "up", "--no-ui", "-q", "--name", l.lab, "--lab", l.builtin)
		return func() { roottest.Run(b, "down", "--lab", l.lab) }
	default:
		if err := Reflab("up"); err != nil {
			b.Skipf("reference lab unavailable: %v", err)
		}
		logf, _ := os.Create(filepath.Join(reflabRun, "bench-probe.log"))
		cmd := exec.Command(roottest.Binary(b), "run", "probe", "--node", "client", "--control", l.probe(),
			"--target", "http://172.16.0.200/", "--duration", "30m",
			"--peer-names", "192.168.10.101=lb1,192.168.10.102=lb2")
		cmd.Stdout, cmd.Stderr = logf, logf
		if err := StartIn("rl-client", cmd); err != nil {
			b.Fatal(err)
		}
		return func() {
			cmd.Process.Kill()
			cmd.Wait()
			logf.Close()
			Reflab("down")
		}
	}
}
