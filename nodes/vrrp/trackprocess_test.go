package vrrp

import (
	"context"
	"log/slog"
	"testing"

	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/nodes/vrrp/fsm"
	"github.com/halab/halab/nodes/vrrp/kaconf"
)

// TestProcessTracksReachInstances: the start-up scan sets each track's
// initial state (a weight-0 process without quorum starts the instance in
// FAULT), and a quorum change reaches every tracking instance as a track
// result named "process NAME", like a script result.
func TestProcessTracksReachInstances(t *testing.T) {
	old := procRoot
	procRoot = fakeProc(t, map[string][4]string{"10": {"halab-proxy", "net:[1]", "S", "halab run proxy"}})
	defer func() { procRoot = old }()
	cfg, err := kaconf.Parse("keepalived.conf", []byte(`
vrrp_track_process proxy {
  process halab-proxy
}
vrrp_track_process web {
  process halab-web
  weight -10
}
vrrp_instance VI {
  interface eth0
  virtual_router_id 42
  virtual_ipaddress { 10.0.0.1 }
  track_process {
    proxy
    web weight 20 reverse
  }
}
`))
	if err != nil {
		t.Fatal(err)
	}
	d := &daemon{log: slog.New(slog.DiscardHandler), ctl: control.NewServer("lb1", "vrrp")}
	if err := d.newProcessTrackers(cfg); err != nil {
		t.Fatal(err)
	}
	got := d.processTracks(cfg.Instances[0])
	want := []fsm.Track{
		{Name: "process proxy", Weight: 0, Initial: fsm.TrackOK},
		{Name: "process web", Weight: 20, Reverse: true, Initial: fsm.TrackFailed},
	}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("tracks %+v, want %+v", got, want)
	}

	in := &instance{name: "VI", cfg: cfg.Instances[0], tracks: make(chan trackResult, 2)}
	other := &instance{name: "VJ", tracks: make(chan trackResult, 2)}
	d.reportProcess(context.Background(), d.procs["proxy"], []*instance{in, other}, false, 0)
	for _, i := range []*instance{in, other} {
		select {
		case tr := <-i.tracks:
			if tr.name != "process proxy" || tr.ok || tr.why == "" {
				t.Errorf("%s got %+v", i.name, tr)
			}
		default:
			t.Errorf("%s got no track result", i.name)
		}
	}
}
