package kaconf

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp/cmpopts"
)

// cmpAddrs lets cmp compare netip values.
var cmpAddrs = cmpopts.EquateComparable(netip.Addr{}, netip.Prefix{})

// instanceSrc is a valid vrrp_instance VI (interface eth0, VRID 42, VIP
// 10.0.0.1) with body from line 5.
func instanceSrc(body string) string {
	return "vrrp_instance VI {\n  interface eth0\n  virtual_router_id 42\n  virtual_ipaddress { 10.0.0.1 }\n" + body + "\n}\n"
}

// parseText parses src as keepalived.conf and checks what holds for every
// parse: a Config, and an error exactly when there are errors.
func parseText(t *testing.T, src string) *Config {
	t.Helper()
	cfg, err := Parse("keepalived.conf", []byte(src))
	if cfg == nil {
		t.Fatalf("Parse returned no Config (error %v)", err)
	}
	if (err == nil) != (len(cfg.Errors) == 0) {
		t.Errorf("Parse error %v with %d errors", err, len(cfg.Errors))
	}
	if len(cfg.Diagnostics()) != len(cfg.Warnings)+len(cfg.Errors) {
		t.Errorf("%d diagnostics, %d warnings, %d errors", len(cfg.Diagnostics()), len(cfg.Warnings), len(cfg.Errors))
	}
	return cfg
}

// diagWant is a diagnostic expected at line with severity, whose message
// contains text.
type diagWant struct {
	line int
	sev  Severity
	text string
}

func warn(line int, text string) diagWant { return diagWant{line, SeverityWarning, text} }
func fail(line int, text string) diagWant { return diagWant{line, SeverityError, text} }

// checkDiags checks that the diagnostics of cfg are exactly wants, in order.
func checkDiags(t *testing.T, cfg *Config, wants []diagWant) {
	t.Helper()
	got := cfg.Diagnostics()
	ok := len(got) == len(wants)
	for i := 0; ok && i < len(got); i++ {
		w, d := wants[i], got[i]
		ok = d.File == "keepalived.conf" && d.Line == w.line && d.Severity == w.sev && strings.Contains(d.Message, w.text)
	}
	if !ok {
		var b strings.Builder
		for _, d := range got {
			b.WriteString("\n\t" + d.String())
		}
		t.Errorf("diagnostics:%s\nwant %v", b.String(), wants)
	}
}

// only returns the single instance of cfg.
func only(t *testing.T, cfg *Config) *Instance {
	t.Helper()
	if len(cfg.Instances) != 1 {
		t.Fatalf("%d instances, want 1", len(cfg.Instances))
	}
	return cfg.Instances[0]
}
