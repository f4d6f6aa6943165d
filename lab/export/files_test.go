package export

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/halab/halab/lab"
)

func TestSelectNodes(t *testing.T) {
	tests := []struct {
		nodes   []string
		files   []string // besides README.txt
		wantErr []string
	}{
		{nodes: []string{"lb1"}, files: []string{"haproxy.cfg", "lb1.keepalived.conf", "lb1.sysctl.conf"}},
		{nodes: []string{"web1", "lb2"}, files: []string{"haproxy.cfg", "lb2.keepalived.conf", "lb2.sysctl.conf", "web1.nginx.conf"}},
		{nodes: []string{"lb3"}, wantErr: []string{`lab seed has no node "lb3"`, "lb1"}},
		{nodes: []string{"client"}, wantErr: []string{"node client (role client) has nothing to export", "curl the VIP"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.nodes, ","), func(t *testing.T) {
			r, err := Export(mustLoad(t, "seed"), Options{Nodes: tt.nodes})
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatal("Export succeeded")
				}
				for _, want := range tt.wantErr {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error does not say %q: %v", want, err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := append([]string{ReadmeName}, tt.files...)
			slices.Sort(want)
			if diff := cmp.Diff(want, mapKeys(r.Files)); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHAProxy(t *testing.T) {
	differ := func(l *lab.Lab) {
		n, _ := l.Node("lb2")
		c := n.Component(lab.ComponentProxy)
		c.Config = []byte(strings.Replace(string(c.Config), "maxconn 4000", "maxconn 3000", 1))
	}
	noNonlocal := func(l *lab.Lab) {
		n, _ := l.Node("lb2")
		n.Sysctls = slices.DeleteFunc(n.Sysctls, func(s lab.Sysctl) bool { return s.Key == "net.ipv4.ip_nonlocal_bind" })
	}
	tests := []struct {
		name   string
		change func(*lab.Lab)
		nodes  []string
		files  map[string][]string
		notes  []string // note texts, in part
	}{
		{name: "shared", files: map[string][]string{"haproxy.cfg": {"lb1", "lb2"}}},
		{name: "shared, one node", nodes: []string{"lb2"}, files: map[string][]string{"haproxy.cfg": {"lb2"}}},
		{name: "different", change: differ, files: map[string][]string{"lb1.haproxy.cfg": {"lb1"}, "lb2.haproxy.cfg": {"lb2"}}},
		{name: "no nonlocal bind", change: noNonlocal, files: map[string][]string{"haproxy.cfg": {"lb1", "lb2"}},
			notes: []string{"frontend webserverlb binds the VIP 172.16.0.200:80, but the lab gives lb2 no net.ipv4.ip_nonlocal_bind=1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := mustLoad(t, "seed")
			if tt.change != nil {
				tt.change(l)
			}
			nodes := tt.nodes
			if nodes == nil {
				nodes = []string{"lb1", "lb2"}
			}
			r, err := Export(l, Options{Nodes: nodes})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string][]string{}
			var notes []string
			for _, p := range r.Placements {
				if p.Path == HAProxyPath {
					got[p.File] = p.Nodes
				}
			}
			for _, n := range r.Notes {
				if strings.Contains(n.File, "haproxy") {
					notes = append(notes, n.Text)
				}
			}
			if diff := cmp.Diff(tt.files, got); diff != "" {
				t.Errorf("haproxy files (-want +got):\n%s", diff)
			}
			if len(notes) != len(tt.notes) {
				t.Fatalf("notes %q, want %d", notes, len(tt.notes))
			}
			for i := range notes {
				if !strings.Contains(notes[i], tt.notes[i]) {
					t.Errorf("note %q does not say %q", notes[i], tt.notes[i])
				}
			}
			for name := range got {
				text := string(r.Files[name])
				n, _ := l.Node(got[name][0])
				if !strings.HasSuffix(text, "\n"+string(n.Component(lab.ComponentProxy).Config)) {
					t.Errorf("%s does not end with the lab's file:\n%s", name, text)
				}
				if !strings.HasPrefix(text, "# "+HAProxyPath+" on ") {
					t.Errorf("%s does not begin with its path:\n%s", name, text)
				}
			}
		})
	}
}

func TestHAProxyNotesWhatHalabIgnores(t *testing.T) {
	l := mustLoad(t, "seed")
	n, _ := l.Node("lb1")
	c := n.Component(lab.ComponentProxy)
	c.Config = []byte(strings.Replace(string(c.Config), "global\n", "global\n    log /dev/log local0\n", 1))
	r, err := Export(l, Options{Nodes: []string{"lb1"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Notes) == 0 || !strings.Contains(r.Notes[len(r.Notes)-1].Text, "'log'") {
		t.Fatalf("no note about the log line: %v", r.Notes)
	}
	if !strings.Contains(string(r.Files["lb1.haproxy.cfg"]), "#   - line 8: halab reads:") {
		t.Errorf("the header does not list the note:\n%s", r.Files["lb1.haproxy.cfg"])
	}
}

func TestNginx(t *testing.T) {
	tests := []struct {
		name    string
		addrs   []string // the web node's interface addresses
		listen  string   // its --listen
		want    []string // listen lines
		wantErr string
	}{
		{name: "every address", addrs: []string{"192.168.10.200/24"}, listen: "192.168.10.200:80", want: []string{"listen 80 default_server;"}},
		{name: "every address of two", addrs: []string{"192.168.10.200/24", "10.0.0.5/24"}, listen: "192.168.10.200:80,10.0.0.5:80", want: []string{"listen 80 default_server;"}},
		{name: "one of two", addrs: []string{"192.168.10.200/24", "10.0.0.5/24"}, listen: "192.168.10.200:8080", want: []string{"listen 192.168.10.200:8080 default_server;"}},
		{name: "wildcard and a second port", addrs: []string{"192.168.10.200/24"}, listen: "0.0.0.0:80,192.168.10.200:8080", want: []string{"listen 80 default_server;", "listen 8080 default_server;"}},
		{name: "not an address", addrs: []string{"192.168.10.200/24"}, listen: "web:80", wantErr: `web server web1: listen address "web:80"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := mustLoad(t, "seed")
			n, _ := l.Node("web1")
			n.Interfaces = nil
			for i, a := range tt.addrs {
				n.Interfaces = append(n.Interfaces, lab.Interface{Name: "eth" + string(rune('0'+i)), Address: netip.MustParsePrefix(a)})
			}
			n.Component(lab.ComponentWeb).Args = []string{"--listen", tt.listen}
			r, err := Export(l, Options{Nodes: []string{"web1"}})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			text := string(r.Files["web1.nginx.conf"])
			var got []string
			for _, l := range configLines(text) {
				if strings.HasPrefix(l, "listen ") {
					got = append(got, l)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("listen lines (-want +got):\n%s\n%s", diff, text)
			}
			for _, want := range []string{
				"add_header X-Halab-Web web1 always;",
				"add_header X-Halab-Peer $remote_addr always;",
				"location = / {",
				"location = /healthz {",
				`return 200 "ok\n";`,
				"return 404;",
			} {
				if !slices.Contains(configLines(text), want) {
					t.Errorf("no line %q in:\n%s", want, text)
				}
			}
			if !strings.Contains(text, `return 200 "web1 answered (nginx on `) {
				t.Errorf("the page does not name web1:\n%s", text)
			}
		})
	}
}

func TestSysctl(t *testing.T) {
	r, err := Export(mustLoad(t, "seed"), Options{Nodes: []string{"lb1"}})
	if err != nil {
		t.Fatal(err)
	}
	text := string(r.Files["lb1.sysctl.conf"])
	want := []string{"net.ipv4.ip_forward = 1", "net.ipv4.ip_nonlocal_bind = 1"}
	if diff := cmp.Diff(want, configLines(text)); diff != "" {
		t.Errorf("settings (-want +got):\n%s\n%s", diff, text)
	}
	if !strings.Contains(text, "# Lets HAProxy bind the VIP") {
		t.Errorf("ip_nonlocal_bind is not explained:\n%s", text)
	}
	if !strings.HasPrefix(text, "# "+SysctlPath+" on lb1.\n") {
		t.Errorf("no path at the top:\n%s", text)
	}
}

func TestReadme(t *testing.T) {
	tests := []struct {
		lab       string
		want, not []string
	}{
		{"seed", []string{
			"  lb1.keepalived.conf  lb1       /etc/keepalived/keepalived.conf\n",
			"  haproxy.cfg          lb1, lb2  /etc/haproxy/haproxy.cfg\n",
			"  web1.nginx.conf      web1      /etc/nginx/sites-available/default\n",
			"lb1:\n  apt-get install -y keepalived haproxy psmisc\n  install -m 644 lb1.sysctl.conf /etc/sysctl.d/99-halab.conf\n  sysctl -p /etc/sysctl.d/99-halab.conf\n  install -m 644 haproxy.cfg /etc/haproxy/haproxy.cfg\n  haproxy -c -f /etc/haproxy/haproxy.cfg && systemctl restart haproxy\n  install -m 644 lb1.keepalived.conf /etc/keepalived/keepalived.conf\n  keepalived -t -f /etc/keepalived/keepalived.conf && systemctl restart keepalived\n",
			"web1:\n  apt-get install -y nginx\n  install -m 644 web1.nginx.conf /etc/nginx/sites-available/default\n  nginx -t && systemctl restart nginx\n",
			"  lb1      enp0s8   192.168.10.101/24  (private)\n           enp0s9   172.16.0.101/24    (public)\n",
			"`curl http://172.16.0.200/`",
			`keepalived -t on the lab's file says: "(LB_VIP) Initial state master is`,
			"keepalived -t on the lab's file with the translated commands (the\n    tutorial's file) says: \"SECURITY VIOLATION",
		}, nil},
		{"fast", []string{"apt-get install -y keepalived haproxy\n", "counts processes called halab-proxy"}, []string{"psmisc", "keepalived -t says"}},
	}
	for _, tt := range tests {
		t.Run(tt.lab, func(t *testing.T) {
			r, err := Export(mustLoad(t, tt.lab), Options{})
			if err != nil {
				t.Fatal(err)
			}
			text := string(r.Files[ReadmeName])
			for _, want := range tt.want {
				if !strings.Contains(text, want) {
					t.Errorf("README.txt does not have %q:\n%s", want, text)
				}
			}
			for _, bad := range tt.not {
				if strings.Contains(text, bad) {
					t.Errorf("README.txt has %q:\n%s", bad, text)
				}
			}
			if got := r.Names(); got[0] != ReadmeName || len(got) != len(r.Files) {
				t.Errorf("Names() = %v for %d files", got, len(r.Files))
			}
		})
	}
}

func TestWrap(t *testing.T) {
	tests := []struct {
		text  string
		width int
		want  []string
	}{
		{"", 10, []string{""}},
		{"short", 10, []string{"short"}},
		{"one two three four", 9, []string{"one two", "three", "four"}},
		{"averyveryverylongword x", 5, []string{"averyveryverylongword", "x"}},
		{"  kept as it is although long", 5, []string{"  kept as it is although long"}},
		{"a b\nc d", 3, []string{"a b", "c d"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, wrap(tt.text, tt.width)); diff != "" {
			t.Errorf("wrap(%q, %d) (-want +got):\n%s", tt.text, tt.width, diff)
		}
	}
}
