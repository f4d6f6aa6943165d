package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func startServer(t *testing.T) (*Server, *Client, string) {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "c.sock")
	s := NewServer("lb1", "vrrp")
	ln, err := Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		if _, err := os.Stat(sock); !os.IsNotExist(err) {
			t.Errorf("socket %s left behind after Serve returned", sock)
		}
	})
	return s, NewClient(sock), sock
}

func TestStatusEnvelopeAndDetail(t *testing.T) {
	s, c, _ := startServer(t)
	s.SetStatus(func() any { return map[string]int{"priority": 101} })
	st, err := c.Status(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Ready || st.Node != "lb1" || st.Component != "vrrp" || st.PID != os.Getpid() {
		t.Fatalf("status = %+v", st)
	}
	s.SetReady("vrrp ready")
	var detail struct{ Priority int }
	st, err = c.Status(context.Background(), &detail)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Ready || detail.Priority != 101 || st.LastSeq != 1 {
		t.Fatalf("status = %+v detail %+v", st, detail)
	}
}

func TestEventsReplayThenLiveThenResume(t *testing.T) {
	s, c, _ := startServer(t)
	for i := 1; i <= 3; i++ {
		s.Logf("info", "before %d", i)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var got []string
	stop := errors.New("enough")
	go func() {
		time.Sleep(50 * time.Millisecond)
		s.Publish(Event{Kind: KindVIP, Message: "VIP added", VIP: &VIPChange{Address: "172.16.0.200", Interface: "enp0s9", Added: true}})
	}()
	last, err := c.Events(ctx, 1, func(e Event) error {
		got = append(got, fmt.Sprintf("%d %s %s/%s", e.Seq, e.Message, e.Node, e.Component))
		if e.Kind == KindVIP {
			if e.VIP == nil || e.VIP.Address != "172.16.0.200" {
				t.Errorf("VIP payload lost: %+v", e)
			}
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Fatalf("Events err = %v", err)
	}
	want := []string{"2 before 2 lb1/vrrp", "3 before 3 lb1/vrrp", "4 VIP added lb1/vrrp"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q, want %q", got, want)
	}
	if last != 3 { // the stopping event was not acknowledged as delivered
		t.Fatalf("last = %d, want 3", last)
	}
}

func TestActions(t *testing.T) {
	s, c, _ := startServer(t)
	s.Handle("rate", func(_ context.Context, body []byte) (any, error) {
		var in struct{ Rate int }
		if err := json.Unmarshal(body, &in); err != nil {
			return nil, err
		}
		if in.Rate <= 0 {
			return nil, fmt.Errorf("rate must be positive, got %d", in.Rate)
		}
		return map[string]int{"rate": in.Rate}, nil
	})
	tests := []struct {
		name, action string
		in           any
		wantErr      string
		want         int
	}{
		{"ok", "rate", map[string]int{"rate": 50}, "", 50},
		{"handler error", "rate", map[string]int{"rate": -1}, "rate must be positive, got -1", 0},
		{"unknown action", "fly", nil, `vrrp has no action "fly"; it has: rate`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out struct{ Rate int }
			err := c.Do(context.Background(), tt.action, tt.in, &out)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || out.Rate != tt.want {
				t.Fatalf("out=%+v err=%v", out, err)
			}
		})
	}
}

func TestListenRefusesLiveSocketReplacesStale(t *testing.T) {
	_, _, sock := startServer(t)
	if _, err := Listen(sock); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("Listen on a live socket: err = %v", err)
	}
	stale := filepath.Join(t.TempDir(), "stale.sock")
	if err := os.WriteFile(stale, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	ln, err := Listen(stale)
	if err != nil {
		t.Fatalf("Listen over a stale file: %v", err)
	}
	ln.Close()
}

func TestSlowSubscriberIsDroppedAndHistoryBounded(t *testing.T) {
	s := NewServer("n", "c")
	_, ch := s.subscribe(0)
	for i := 0; i < HistorySize+subscriberBuffer+10; i++ {
		s.Logf("info", "e%d", i)
	}
	n := 0
	for range ch { // closed once the buffer overflowed
		n++
	}
	if n != subscriberBuffer {
		t.Fatalf("slow subscriber got %d events before being dropped, want %d", n, subscriberBuffer)
	}
	backlog, _ := s.subscribe(0)
	if len(backlog) != HistorySize || backlog[len(backlog)-1].Seq != uint64(HistorySize+subscriberBuffer+10) {
		t.Fatalf("history len %d last %d", len(backlog), backlog[len(backlog)-1].Seq)
	}
}

// TestStatusCountsGoroutines: the envelope's goroutine count follows the
// process's goroutines, up while some are parked and down once they end.
func TestStatusCountsGoroutines(t *testing.T) {
	_, c, _ := startServer(t)
	count := func() int {
		t.Helper()
		st, err := c.Status(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		return st.Goroutines
	}
	before := count()
	const parked = 50
	release := make(chan struct{})
	done := make(chan struct{}, parked)
	for range parked {
		go func() { <-release; done <- struct{}{} }()
	}
	if during := count(); during < before+parked {
		t.Errorf("goroutines with %d parked = %d, want at least %d", parked, during, before+parked)
	}
	close(release)
	for range parked {
		<-done
	}
	deadline := time.Now().Add(5 * time.Second)
	for count() >= before+parked {
		if time.Now().After(deadline) {
			t.Fatalf("goroutines still %d after the %d parked ones ended (before: %d)", count(), parked, before)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
