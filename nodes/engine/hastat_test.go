package engine

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/halab/halab/nodes/proxy"
)

// TestParseShowStat reads what HAProxy 2.6.12 answered to `show stat` in
// a lab node: a frontend that served six requests through webserver1, a
// second server DOWN after a Layer4 timeout, and a backup server put in
// maintenance with `disable server`.
func TestParseShowStat(t *testing.T) {
	data, err := os.ReadFile("testdata/showstat-haproxy-2.6.12.csv")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 26, 18, 0, 0, 0, time.UTC)
	fes, bes, err := ParseShowStat(data, now)
	if err != nil {
		t.Fatal(err)
	}
	wantFE := []proxy.FrontendStatus{{Name: "webserverlb", Mode: "http", MaxConns: 1, ConnLimit: 4000, TotalConns: 6,
		Requests: 6, BytesIn: 520, BytesOut: 5561}}
	if diff := cmp.Diff(wantFE, fes); diff != "" {
		t.Errorf("frontends (-want +got):\n%s", diff)
	}
	wantBE := []proxy.BackendStatus{{Name: "webserverapp", Mode: "http", Balance: "roundrobin", Up: true, Active: 1,
		LastChange: now.Add(-3 * time.Second), Requests: 6, BytesOut: 5561,
		Servers: []proxy.ServerStatus{
			{Name: "webserver1", Addr: "192.168.10.200:80", Up: true, State: "UP", Weight: 1, Checked: true,
				LastChange: now.Add(-3 * time.Second), LastSession: now, Sessions: 6, BytesOut: 5561,
				LastCheck: &proxy.CheckStatus{Status: "L4OK", Description: "Layer4 check passed"}},
			{Name: "webserver2", Addr: "192.168.10.201:80", State: "DOWN", Weight: 1, Checked: true,
				LastChange: now.Add(-2 * time.Second), FailedChecks: 1, DownTransitions: 1,
				LastCheck: &proxy.CheckStatus{Status: "L4TOUT", Description: "Layer4 timeout", Duration: 502 * time.Millisecond}},
			{Name: "spare", Addr: "192.168.10.200:80", State: "MAINT", Maintenance: true, Backup: true, Weight: 1, LastChange: now},
		}}}
	if diff := cmp.Diff(wantBE, bes); diff != "" {
		t.Errorf("backends (-want +got):\n%s", diff)
	}
}

func TestParseShowStatRows(t *testing.T) {
	header := "# pxname,svname,scur,stot,status,check_status,check_desc,last_chk,lastchg\n"
	tests := []struct {
		name    string
		csv     string
		wantErr string
		up      []bool
		states  []string
	}{
		{"going down: still UP", header + "b,s1,0,0,UP 1/3,L4CON,Layer4 connection problem,Connection refused,5\nb,BACKEND,0,0,UP,,,,5\n", "", []bool{true}, []string{"UP 1/3"}},
		{"coming up: still DOWN", header + "b,s1,0,0,DOWN 1/2,L4OK,Layer4 check passed,,5\nb,BACKEND,0,0,DOWN,,,,5\n", "", []bool{false}, []string{"DOWN 1/2"}},
		{"no check counts as up", header + "b,s1,0,0,no check,,,,\nb,BACKEND,0,0,UP,,,,\n", "", []bool{true}, []string{"no check"}},
		{"a check in progress", header + "b,s1,0,0,UP,* L7OK,Layer7 check passed,,1\nb,BACKEND,0,0,UP,,,,\n", "", []bool{true}, []string{"UP"}},
		{"drain is up", header + "b,s1,0,0,DRAIN,L4OK,,,1\nb,BACKEND,0,0,UP,,,,\n", "", []bool{true}, []string{"DRAIN"}},
		{"maintenance", header + "b,s1,0,0,MAINT (via b2/s1),,,,1\nb,BACKEND,0,0,DOWN,,,,\n", "", []bool{false}, []string{"MAINT (via b2/s1)"}},
		{"not show stat", "Unknown command. Please enter one of the following commands only :\n  help\n", "no header line", nil, nil},
		{"a header without status", "# pxname,svname,scur,stot\nb,s1,0,0\n", "no status column", nil, nil},
		{"empty", "", "no header line", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, bes, err := ParseShowStat([]byte(tt.csv), time.Now())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(bes) != 1 || len(bes[0].Servers) != len(tt.up) {
				t.Fatalf("backends %+v", bes)
			}
			for i, s := range bes[0].Servers {
				if s.Up != tt.up[i] || s.State != tt.states[i] {
					t.Errorf("server %s: up %v state %q, want %v %q", s.Name, s.Up, s.State, tt.up[i], tt.states[i])
				}
			}
		})
	}
}
