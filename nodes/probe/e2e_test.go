package probe

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/nodes/web"
)

// startWeb runs a web node on ln and returns its stop function, which waits
// until it returned.
func startWeb(t *testing.T, ln net.Listener) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- web.Run(ctx, web.Options{Listeners: []net.Listener{ln}, Node: "web1"}) }()
	var stopped bool
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("web.Run: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("web did not stop")
		}
	}
	t.Cleanup(stop)
	return stop
}

// TestEndToEndOutageOverLoopback probes a real web node on loopback at
// 200 req/s, stops it for 0.5 s, starts it again on the same port, and
// checks the outage measured and reported.
func TestEndToEndOutageOverLoopback(t *testing.T) {
	if testing.Short() {
		t.Skip("takes 2 s")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	stopWeb := startWeb(t, ln)

	ctl := control.NewServer("client", "probe")
	const rate = 200
	probeDone := make(chan error, 1)
	go func() {
		probeDone <- Run(context.Background(), Options{
			Target:      "http://" + addr + "/",
			Rate:        rate,
			Duration:    2 * time.Second,
			MaxRequests: 1000, // a second bound, never reached
			PeerNames:   map[string]string{"127.0.0.1": "lbtest"},
			Control:     ctl,
		})
	}()

	time.Sleep(800 * time.Millisecond)
	stopWeb()
	time.Sleep(500 * time.Millisecond)
	var ln2 net.Listener
	for i := 0; ; i++ {
		if ln2, err = net.Listen("tcp", addr); err == nil {
			break
		}
		if i == 50 {
			t.Fatalf("listen again on %s: %v", addr, err)
		}
		time.Sleep(2 * time.Millisecond)
	}
	startWeb(t, ln2)

	select {
	case err := <-probeDone:
		if err != nil {
			t.Fatalf("probe: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("probe did not stop")
	}

	evs := events(t, ctl)
	var opens, closes []control.Event
	var bucketOK, bucketFailed int
	byLB, byWeb := map[string]int{}, map[string]int{}
	for _, e := range evs {
		switch e.Kind {
		case control.KindOutage:
			if e.Outage.Open {
				opens = append(opens, e)
			} else {
				closes = append(closes, e)
			}
		case control.KindProbe:
			bucketOK += e.Probe.OK
			bucketFailed += e.Probe.Failed
			for k, v := range e.Probe.ByLB {
				byLB[k] += v
			}
			for k, v := range e.Probe.ByWeb {
				byWeb[k] += v
			}
		}
	}
	if len(opens) != 1 || len(closes) != 1 {
		t.Fatalf("%d outage-open and %d outage-close events, want 1 and 1: %v", len(opens), len(closes), evs)
	}
	o := closes[0].Outage
	t.Logf("measured: %s; opened: %s", closes[0].Message, opens[0].Message)
	if o.Length < 450*time.Millisecond || o.Length > 800*time.Millisecond {
		t.Errorf("outage %v, want about 0.5 s", o.Length)
	}
	// Requests go out every 5 ms; those started between the two answers
	// failed. A loaded machine may skip some sends (the pacer drops its
	// backlog rather than bursting), never add any.
	want := float64(o.Length) / float64(time.Second/rate)
	if float64(o.Failed) > want+3 || float64(o.Failed) < want/2 {
		t.Errorf("outage of %v with %d failed, want at most about %.0f and at least half of it", o.Length, o.Failed, want)
	}
	if !strings.Contains(closes[0].Message, "client: answers again via lbtest — outage") {
		t.Errorf("close message %q", closes[0].Message)
	}

	st := statusOf(t, ctl)
	if st.Failed != int64(o.Failed) {
		t.Errorf("%d requests failed in all, %d in the outage; every failure should be in it (errors %v)", st.Failed, o.Failed, st.Errors)
	}
	for kind := range st.Errors {
		if kind != "refused" && kind != "reset" && kind != "closed" {
			t.Errorf("unexpected failure kind %q (%v)", kind, st.Errors)
		}
	}
	if st.Longest == nil || st.Longest.Length != o.Length || st.Current != nil || st.Running {
		t.Errorf("status longest %+v current %+v running %v", st.Longest, st.Current, st.Running)
	}
	if sent := st.Sent; sent < 350 || sent > 410 || int64(bucketOK+bucketFailed) != sent || int64(bucketOK) != st.OK {
		t.Errorf("sent %d (ok %d), buckets %d ok + %d failed", sent, st.OK, bucketOK, bucketFailed)
	}
	if byLB["lbtest"] != bucketOK || byWeb["web1"] != bucketOK || st.LB != "lbtest" || st.Web != "web1" {
		t.Errorf("attribution: by LB %v, by web %v, now %s/%s", byLB, byWeb, st.LB, st.Web)
	}
}

func statusOf(t *testing.T, ctl *control.Server) Status {
	t.Helper()
	h := &harness{t: t, ctl: ctl}
	return h.status()
}
