package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/halab/halab/internal/roottest"
	"github.com/halab/halab/lab"
	"github.com/halab/halab/learn"
)

// TestLearnEndToEnd runs `halab learn --lang id` in tmux on a lab it
// builds: the first steps show their Indonesian text, each step runs on
// Enter and its check passes, and the failover step (power off lb1) shows
// lb2's master-down timer and ends with ✓. Leaving keeps the place in the
// bookmark and the lab up.
func TestLearnEndToEnd(t *testing.T) {
	roottest.Require(t)
	if testing.Short() {
		t.Skip("builds a lab and fails it over")
	}
	name := roottest.LabName("lrne")
	t.Cleanup(func() { roottest.Run(t, "down", "--lab", name) })
	stateDir := t.TempDir()
	s := newTmux(t, 100, 30, "XDG_STATE_HOME="+stateDir+" "+roottest.Binary(t)+" learn --lang id --lab "+name)

	s.waitFor("step 1 in Indonesian", 20*time.Second,
		`Lab ini, dan mengapa ada dua load balancer`, `Tutorial ini membangun layanan web`,
		`Enter: jalankan ip --brief addr di setiap node`, `\[·1\]`, `keadaan lab`)
	steps := []struct {
		title string // a pattern of the step's title or text
		seen  string // a pattern of its verdict
	}{
		{`Lab ini, dan mengapa`, `✓ semua 6 komponen menjawab dan siap`},
		{`memerankan nginx di tutorial`, `✓ client tidak tembus`},
		{`Proxy di kedua load balancer`, `✓ proxy di lb2 mendengarkan di 172\.16\.0\.200:80`},
		{`VRRP: keepalived\.conf milik MASTER dan BACKUP`, `✓ daemon di lb1 mengatakan`},
		{`VIP muncul di lb1`, `✓ lb2: tidak ada 172\.16\.0\.200`},
		{`Membuka VIP dari client`, `✓ probe selama 1 s berikutnya`},
	}
	for i, st := range steps {
		if i > 0 {
			s.keys("Enter") // on to the next step
			s.waitFor("the next step", 5*time.Second, st.title)
		}
		s.keys("Enter") // run it
		s.waitFor("its check passing", 25*time.Second, `✓ pemeriksaan lulus`, `\[✓`+strconv.Itoa(i+1)+`\]`, st.seen)
	}

	s.keys("Enter")
	s.waitFor("the failover step", 5*time.Second, `Mematikan lb1`, `Enter: matikan lb1`, `Langkah 7 dari 10`)
	s.keys("Enter")
	s.waitFor("lb2's master-down timer running out", 5*time.Second, `lb1   ✕ mati`, `master down dalam \d,\d\d s`)
	screen := s.waitFor("the failover's check passing", 15*time.Second,
		`✓ pemeriksaan lulus`, `\[✓7\]`, `✓ 172\.16\.0\.200 ada di lb2 \d,\d\d s setelah lb1 dimatikan`, `◉ VIP di lb2`)
	for _, l := range strings.Split(screen, "\n") {
		if parts := strings.Split(l, "│"); len(parts) > 1 && strings.Contains(parts[1], "✓") {
			t.Logf("%s", strings.TrimSpace(parts[1]))
		}
	}

	s.keys("q")
	s.waitFor("the farewell", 10*time.Second, `left at step 7 of 10`, `lab `+name+` is still up`)
	b, err := learn.LoadBookmark(filepath.Join(stateDir, "halab", "learn.json"))
	if err != nil {
		t.Fatal(err)
	}
	if b.Step != "failover" || b.Lang != learn.Indonesian || !b.Checks["failover"].Pass || len(b.Checks) != 7 {
		t.Errorf("bookmark %+v", b)
	}
	if _, err := os.Stat(filepath.Join(lab.LabDir(name), lab.StateFile)); err != nil {
		t.Errorf("the lab is gone after leaving learn: %v", err)
	}
}
