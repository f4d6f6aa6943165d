package kaconf

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"testing/fstest"

	"github.com/halab/halab/assets"
	"github.com/halab/halab/internal/fuzzseed"
)

// FuzzParse feeds keepalived.conf texts to the parser. It must never panic
// and always return a Config; every diagnostic must name the file and a
// line of the input; what it accepts must lie within keepalived's own
// bounds; and parsing the same text twice must say the same things.
// Seeds: the configs of the committed captures and testdata, the built-in
// labs' keepalived.conf files, and the shared folder's when present.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join(captureConfigs, "*.conf"))
	more, _ := filepath.Glob("testdata/*.conf")
	for _, name := range append(seeds, more...) {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	labConfs := fuzzseed.Files(f, assets.Labs, "*/*.keepalived.conf")
	if len(labConfs) == 0 {
		f.Fatal("no keepalived.conf among the built-in labs")
	}
	for _, data := range slices.Concat(labConfs, fuzzseed.Shared(f, "testdata/keepalived/*.conf")) {
		f.Add(data)
	}
	for _, src := range []string{
		instanceSrc("state MASTER\nauthentication { auth_type PASS\n auth_pass \"a b#c\" }\nversion 3\nadvert_int 0.015"),
		instanceSrc("unicast_src_ip 10.0.0.1\nunicast_peer {\n 10.0.0.2 min_ttl 3 max_ttl 2\n}\ntrack_interface {\n eth1 weight 254 reverse\n}"),
		"vrrp_script s {\n script \"/bin/echo 'a' \\x41\"\n weight -2 reverse\n}\n" + instanceSrc("track_script {\n s weight 5 noreverse\n}\nnotify_master \"/bin/n\" root root"),
		"include keepalived.conf\nglobal_defs { vrrp_garp_master_repeat 0 }\n}\n{\n$X=1\n@a b\n",
		"vrrp_instance X\n interface eth0\nauth_pass ab\\#cd\nvirtual_ipaddress { 10.0.0.1/33 dev label }\n",
		"vrrp_track_process p {\n process \"/usr/sbin/a b\" -f x\n param_match initial\n weight -254 reverse\n quorum 2\n quorum_max 3\n delay 0.0000015\n full_command\n}\n" +
			instanceSrc("priority 255\ntrack_process {\n p weight 254 noreverse\n q\n p\n}"),
		"vrrp_track_process {\n}\nvrrp_track_process q\n process\n quorum_max 0\n quorum 1\n weight\n param_match exact\n}\n" + instanceSrc("track_process {\n q weight\n q quorum\n}"),
	} {
		f.Add([]byte(src))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := ParseFS(fstest.MapFS{"keepalived.conf": {Data: data}}, "keepalived.conf")
		if cfg == nil {
			t.Fatalf("no Config: %v", err)
		}
		if (err == nil) != (len(cfg.Errors) == 0) || len(cfg.Diagnostics()) != len(cfg.Warnings)+len(cfg.Errors) {
			t.Fatalf("error %v with %d errors, %d warnings, %d diagnostics", err, len(cfg.Errors), len(cfg.Warnings), len(cfg.Diagnostics()))
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		for _, d := range cfg.Diagnostics() {
			if d.File != "keepalived.conf" || d.Line < 1 || d.Line > lines || d.Column < 0 || d.Message == "" {
				t.Fatalf("diagnostic without a place in the %d-line input or without a message: %#v", lines, d)
			}
		}
		again, _ := ParseFS(fstest.MapFS{"keepalived.conf": {Data: data}}, "keepalived.conf")
		if !slices.Equal(cfg.Diagnostics(), again.Diagnostics()) {
			t.Fatalf("two parses disagree:\n%v\n%v", cfg.Diagnostics(), again.Diagnostics())
		}
		for _, s := range cfg.Scripts {
			if len(s.Args) == 0 || s.Interval < 1e9 || s.Rise < 1 || s.Fall < 1 || s.Weight < -253 || s.Weight > 253 {
				t.Fatalf("script out of keepalived's bounds: %+v", s)
			}
		}
		for _, p := range cfg.Processes {
			if p.Command == "" || p.Quorum < 0 || p.Quorum > p.QuorumMax || p.Weight < -254 || p.Weight > 254 ||
				p.ForkDelay < 0 || p.TerminateDelay < 0 || (len(p.Params) > 0 && (!p.FullCommand || p.ParamMatch == ParamMatchNone)) {
				t.Fatalf("process out of keepalived's bounds: %+v", p)
			}
		}
		for _, in := range cfg.Instances {
			if (in.InitialState != StateMaster && in.InitialState != StateBackup) || in.Priority < 1 || in.Priority > 255 ||
				(in.Version != 2 && in.Version != 3) || in.AdvertInterval <= 0 || len(in.AuthPass) > 8 || in.VRID < 0 || in.VRID > 255 ||
				(in.Version == 3 && in.AuthType != AuthNone) || len(in.VirtualIPs) > 255 {
				t.Fatalf("instance out of keepalived's bounds: %+v", in)
			}
			if in.Version == 2 && in.AdvertInterval%1e9 != 0 {
				t.Fatalf("v2 interval %v not whole seconds", in.AdvertInterval)
			}
			for _, tp := range in.TrackProcesses {
				if tp.Process == nil || tp.Weight < -254 || tp.Weight > 254 {
					t.Fatalf("track process %+v", tp)
				}
			}
			for _, ts := range in.TrackScripts {
				if ts.Script == nil || ts.Weight < -253 || ts.Weight > 253 {
					t.Fatalf("track script %+v", ts)
				}
			}
		}
	})
}
