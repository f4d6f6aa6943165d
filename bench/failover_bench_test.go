package bench

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/halab/halab/internal/roottest"
	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/nodes/probe"
	"github.com/halab/halab/nodes/vrrp/fsm"
)

var vip = netip.MustParseAddr("172.16.0.200")

// failoverFigures are one power-off of the master.
type failoverFigures struct {
	takeover time.Duration // power-off until the VIP is on the backup
	outage   time.Duration // longest interval between successful answers, seen by the client
	failed   int
}

// probeClient reads the probe's control socket.
func probeStatus(sock string) (probe.Status, error) {
	var st probe.Status
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err := control.NewClient(sock).Status(ctx, &st)
	return st, err
}

// waitSteady waits until the probe has answers and no outage is open, then
// clears its counters.
func waitSteady(b *testing.B, sock string) {
	b.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		st, err := probeStatus(sock)
		if err == nil && st.Answered && st.Current == nil && time.Since(st.LastAnswer) < 100*time.Millisecond {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			err := control.NewClient(sock).Do(ctx, "reset", nil, nil)
			cancel()
			if err != nil {
				b.Fatal(err)
			}
			time.Sleep(time.Second)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.Fatalf("the probe at %s never got steady answers", sock)
}

// waitOutage waits until the probe reports a closed outage; a failover the
// client never noticed (no outage within 5 s) measures 0.
func waitOutage(b *testing.B, sock string) (time.Duration, int) {
	b.Helper()
	deadline := time.Now().Add(20 * time.Second)
	quiet := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		st, err := probeStatus(sock)
		if err == nil && st.Longest != nil && st.Current == nil {
			return st.Longest.Length, st.Longest.Failed
		}
		if err == nil && st.Current == nil && st.Longest == nil && time.Now().After(quiet) {
			return 0, int(st.Failed)
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.Fatalf("the probe at %s reported an outage that never closed", sock)
	return 0, 0
}

func halabPowerOff(b *testing.B, name string) failoverFigures {
	roottest.MustRun(b, "up", "--no-ui", "-q", "--name", name)
	defer roottest.Run(b, "down", "--lab", name)
	if _, err := WaitAddress("halab-"+name+"-lb1", vip, 10*time.Second); err != nil {
		b.Fatal(err)
	}
	sock := filepath.Join("/run/halab", name, "client", "probe.sock")
	waitSteady(b, sock)
	start := time.Now()
	roottest.MustRun(b, "fault", "--lab", name, "crash", "lb1")
	at, err := WaitAddress("halab-"+name+"-lb2", vip, 10*time.Second)
	if err != nil {
		b.Fatal(err)
	}
	f := failoverFigures{takeover: at.Sub(start)}
	f.outage, f.failed = waitOutage(b, sock)
	return f
}

func reflabPowerOff(b *testing.B) failoverFigures {
	if err := Reflab("up"); err != nil {
		b.Skipf("reference lab unavailable: %v", err)
	}
	defer Reflab("down")
	dir := b.TempDir()
	sock := filepath.Join(dir, "probe.sock")
	logf, _ := os.Create(filepath.Join(dir, "probe.log"))
	defer logf.Close()
	cmd := exec.Command(roottest.Binary(b), "run", "probe", "--node", "client", "--control", sock,
		"--target", "http://172.16.0.200/", "--duration", "2m",
		"--peer-names", "192.168.10.101=lb1,192.168.10.102=lb2")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := StartIn("rl-client", cmd); err != nil {
		b.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	if _, err := WaitAddress("rl-lb1", vip, 10*time.Second); err != nil {
		b.Fatal(err)
	}
	waitSteady(b, sock)
	start := time.Now()
	if err := PowerOff("rl-lb1", []netip.Addr{netip.MustParseAddr("172.16.0.101"), netip.MustParseAddr("192.168.10.101")}); err != nil {
		b.Fatal(err)
	}
	at, err := WaitAddress("rl-lb2", vip, 10*time.Second)
	if err != nil {
		b.Fatal(err)
	}
	f := failoverFigures{takeover: at.Sub(start)}
	f.outage, f.failed = waitOutage(b, sock)
	return f
}

// BenchmarkFailoverPowerOff powers off the master of the seed lab, built by
// halab and by reflab.sh (real keepalived, HAProxy, nginx), alternating,
// and compares the VIP takeover and the outage the client saw, with the
// protocol's bound beside them.
func BenchmarkFailoverPowerOff(b *testing.B) {
	roottest.Require(b)
	name := roottest.LabName("bfo")
	var halab, ref []failoverFigures
	for i := 0; i < 3*b.N; i++ {
		halab = append(halab, halabPowerOff(b, name))
		ref = append(ref, reflabPowerOff(b))
	}
	h, k := medianFailover(halab), medianFailover(ref)
	bound := fsm.MasterDownInterval(2, 102, time.Second, 0)
	b.ReportMetric(h.takeover.Seconds(), "halab-takeover-s")
	b.ReportMetric(k.takeover.Seconds(), "ref-takeover-s")
	b.ReportMetric(h.outage.Seconds(), "halab-outage-s")
	b.ReportMetric(k.outage.Seconds(), "ref-outage-s")
	fmt.Printf("\nmaster power-off, seed lab, median of %d (bound: lb2's master-down interval %.3f s)\n", len(halab), bound.Seconds())
	fmt.Printf("| | halab | keepalived+HAProxy | ratio |\n|---|---|---|---|\n")
	fmt.Printf("| VIP takeover after power-off | %.3f s | %.3f s | %.2f× |\n", h.takeover.Seconds(), k.takeover.Seconds(), h.takeover.Seconds()/k.takeover.Seconds())
	fmt.Printf("| outage seen by the client | %.3f s (%d failed) | %.3f s (%d failed) | %.2f× |\n", h.outage.Seconds(), h.failed, k.outage.Seconds(), k.failed, h.outage.Seconds()/k.outage.Seconds())
	for i := range halab {
		fmt.Printf("  round %d: halab takeover %.3f s outage %.3f s; keepalived takeover %.3f s outage %.3f s\n", i+1,
			halab[i].takeover.Seconds(), halab[i].outage.Seconds(), ref[i].takeover.Seconds(), ref[i].outage.Seconds())
	}
}

func medianFailover(fs []failoverFigures) failoverFigures {
	t := make([]failoverFigures, len(fs))
	copy(t, fs)
	sort.Slice(t, func(i, j int) bool { return t[i].takeover < t[j].takeover })
	m := t[len(t)/2]
	sort.Slice(t, func(i, j int) bool { return t[i].outage < t[j].outage })
	m.outage, m.failed = t[len(t)/2].outage, t[len(t)/2].failed
	return m
}
