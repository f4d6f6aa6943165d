package ui

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/ui/fake"
	"github.com/halab/halab/ui/labview"
)

func TestRenderSnapshotIsTheScreen(t *testing.T) {
	for _, sc := range scenarios {
		m, _ := testModel(t, sc.events(fake.Now))
		resize(m, 160, 48)
		live := labview.New(fake.SeedState(fake.Now.Add(-fake.Uptime)))
		for _, e := range sc.events(fake.Now) {
			live.Apply(e)
		}
		if got, want := RenderSnapshot(live, 160, 48, fake.Now), plain(m); got != want {
			t.Errorf("%s: RenderSnapshot differs from the screen:\n%s\nscreen:\n%s", sc.name, got, want)
		}
	}
}

func TestCapture(t *testing.T) {
	b := fake.New(fake.Now.Add(-fake.Uptime), fake.NodeDown(fake.Now)...)
	live, err := Capture(context.Background(), b, 200*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if got := live.VIPHolders(); len(got) != 1 || got[0] != "lb2" {
		t.Errorf("captured holders %v", got)
	}
	if s := RenderSnapshot(live, 100, 30, fake.Now); !strings.Contains(s, "POWERED OFF") {
		t.Errorf("capture renders:\n%s", s)
	}
}

func TestExportTimelineSVG(t *testing.T) {
	live := labview.New(fake.SeedState(fake.Now.Add(-fake.Uptime)))
	for _, e := range fake.NodeDown(fake.Now) {
		live.Apply(e)
	}
	var buf bytes.Buffer
	buckets := live.Traffic.Buckets(fake.Now.Add(-time.Minute))
	if err := ExportTimelineSVG(&buf, buckets, live.VIPMarks, live.FaultMarks); err != nil {
		t.Fatal(err)
	}
	svg := buf.String()
	for _, want := range []string{"<svg", "VIP on lb2", "lb1 powered off", "no answer for 3.", "</svg>"} {
		if !strings.Contains(svg, want) {
			t.Errorf("svg lacks %q", want)
		}
	}
	// Well-formed XML, self-contained (no external reference).
	d := xml.NewDecoder(strings.NewReader(svg))
	for {
		_, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("svg is not well-formed: %v", err)
		}
	}
	if strings.Contains(svg, "href") {
		t.Error("svg refers to something outside itself")
	}
	buf.Reset()
	if err := ExportTimelineSVG(&buf, nil, nil, nil); err != nil || !strings.Contains(buf.String(), "no client requests") {
		t.Errorf("empty export: %v %s", err, buf.String())
	}
}

// BenchmarkView160x48 renders a full dashboard: the event log full (2000
// events), the timeline full (1200 buckets), an outage open.
func BenchmarkView160x48(b *testing.B) {
	evs := fake.Failover(fake.Now)
	nodes := []string{"client", "lb1", "lb2", "web1"}
	for i := range labview.LogSize {
		evs = append(evs, fake.Event(fake.Now.Add(-time.Duration(labview.LogSize-i)*time.Millisecond),
			nodes[i%4], "vrrp", control.KindLog, "info", "(LB_VIP) an event of the log, long enough to be cut at the pane's edge when narrow"))
	}
	m, _ := testModel(b, evs)
	resize(m, 160, 48)
	if m.live.Log.Len() != labview.LogSize || m.live.Traffic.Len() != labview.BucketCap {
		b.Fatalf("log %d, buckets %d: not full", m.live.Log.Len(), m.live.Traffic.Len())
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}
