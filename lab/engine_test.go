package lab

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

// engineFile is goodLab with engine lines: lb's after lb1's keepalived
// line (line 16), web's right under web1 (line 21).
func engineFile(lb, web string) string {
	s := strings.Replace(goodLab, "    keepalived: ka.conf\n", "    keepalived: ka.conf\n    "+lb+"\n", 1)
	return strings.Replace(s, "  web1:\n", "  web1:\n    "+web+"\n", 1)
}

func TestEngines(t *testing.T) {
	l, err := Parse("t.yaml", []byte(engineFile("engine: {vrrp: keepalived, proxy: haproxy}", "engine: {web: nginx}")), testFS)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"lb1/vrrp": "keepalived", "lb1/proxy": "haproxy", "web1/web": "nginx", "client/probe": "probe"}
	for _, n := range l.Nodes {
		for _, c := range n.Components {
			if got := c.Command(); got != want[n.Name+"/"+c.Kind] {
				t.Errorf("%s/%s runs `halab run %s`, want %s", n.Name, c.Kind, got, want[n.Name+"/"+c.Kind])
			}
		}
	}
	lb1, _ := l.Node("lb1")
	if at := lb1.Component(ComponentVRRP).EngineAt; at == nil || *at != (Place{File: "t.yaml", Line: 16, Column: 20}) {
		t.Errorf("keepalived engine named at %+v, want t.yaml:16:20", at)
	}

	l, err = Parse("t.yaml", []byte(engineFile("engine: {vrrp: halab}", "")), testFS)
	if err != nil {
		t.Fatal(err)
	}
	lb1, _ = l.Node("lb1")
	if c := lb1.Component(ComponentVRRP); c.Engine != "" || c.Command() != "vrrp" {
		t.Errorf("vrrp: halab gives engine %q, command %q; want halab's own vrrp", c.Engine, c.Command())
	}
}

// sshEngineLab puts the lab on machines reached over SSH (two lines more
// at the top).
func sshEngineLab(file string) string {
	file = strings.Replace(file, "name: t1", "name: t1\nprovider: ssh\nssh: {user: root}", 1)
	file = strings.Replace(file, "role: client", "role: client\n    ssh: {host: 10.0.0.1}", 1)
	return strings.Replace(file, "role: web", "role: web\n    ssh: {host: 10.0.0.3}", 1)
}

func TestEngineProblems(t *testing.T) {
	trackProcess := fstest.MapFS{"ka.conf": {Data: []byte("vrrp_track_process proxy {\n  process halab-proxy\n}\nvrrp_instance V {}\n")}}
	tests := []struct {
		name    string
		lb, web string
		fsys    fstest.MapFS
		ssh     bool // the lab has provider: ssh
		want    []string
	}{
		{"unknown engine", "engine: {vrrp: bird}", "", testFS, false,
			[]string{`t.yaml:16:20: node lb1: vrrp engine "bird" is not supported; supported: halab, keepalived`}},
		{"an engine of another component", "engine: {proxy: nginx}", "", testFS, false,
			[]string{`t.yaml:16:21: node lb1: proxy engine "nginx" is not supported; supported: halab, haproxy`}},
		{"not a component", "engine: {database: mysql}", "", testFS, false,
			[]string{`t.yaml:16:14: node lb1: engine: "database" is not a component`}},
		{"a component the role lacks", "", "engine: {vrrp: keepalived}", testFS, false,
			[]string{`t.yaml:21:14: node web1: engine for vrrp, but role web runs no vrrp (this node runs web); remove the line`}},
		{"lb has no web", "engine: {web: nginx}", "", testFS, false,
			[]string{`node lb1: engine for web, but role lb runs no web (this node runs proxy and vrrp)`}},
		{"all at once", "engine: {vrrp: bird, web: nginx}", "engine: {proxy: haproxy}", testFS, false,
			[]string{`t.yaml:16:20: node lb1: vrrp engine "bird"`, `t.yaml:16:26: node lb1: engine for web`, `t.yaml:21:14: node web1: engine for proxy`}},
		{"not a mapping", "engine: keepalived", "", testFS, false,
			[]string{`t.yaml:16:13: nodes.lb1.engine: want a mapping of names`}},
		{"real keepalived with vrrp_track_process", "engine: {vrrp: keepalived}", "", trackProcess, false,
			[]string{"t.yaml:16:20: node lb1: real keepalived cannot follow vrrp_track_process proxy in a lab node", "halab check process NAME"}},
		{"ssh lab", "engine: {vrrp: keepalived}\n    ssh: {host: 10.0.0.2}", "", testFS, true,
			[]string{"t.yaml:19:20: node lb1: vrrp engine keepalived: real programs run in netns labs only"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := engineFile(tt.lb, tt.web)
			if tt.ssh {
				file = sshEngineLab(file)
			}
			_, err := Parse("t.yaml", []byte(file), tt.fsys)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want a *ValidationError", err)
			}
			rest := err.Error()
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("error lacks %q (or out of order):\n%s", w, err)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

func TestCheckEngines(t *testing.T) {
	l, err := Parse("t.yaml", []byte(engineFile("engine: {vrrp: keepalived, proxy: haproxy}", "engine: {web: nginx}")), testFS)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		installed []string
		want      []string // the problems, in order
	}{
		{"all installed", []string{"keepalived", "haproxy", "nginx"}, nil},
		{"no nginx", []string{"keepalived", "haproxy"},
			[]string{"t.yaml:21:19: node web1: web engine nginx: nginx is not installed on this machine (not in " + ProgramPath + "); install the Debian package nginx-light (sudo apt-get install nginx-light), or remove the line to run halab's own web"}},
		{"nothing installed", nil, []string{
			"t.yaml:16:20: node lb1: vrrp engine keepalived: keepalived is not installed on this machine (not in " + ProgramPath + "); install the Debian package keepalived (sudo apt-get install keepalived), or remove the line to run halab's own vrrp",
			"t.yaml:16:39: node lb1: proxy engine haproxy: haproxy is not installed on this machine (not in " + ProgramPath + "); install the Debian package haproxy (sudo apt-get install haproxy), or remove the line to run halab's own proxy",
			"t.yaml:21:19: node web1: web engine nginx",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var asked []string
			err := l.CheckEngines(func(p string) (string, error) {
				asked = append(asked, p)
				for _, have := range tt.installed {
					if p == have {
						return "/usr/sbin/" + p, nil
					}
				}
				return "", errors.New("no")
			})
			if len(asked) != 3 {
				t.Errorf("looked up %v, want the three programs", asked)
			}
			if tt.want == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) || len(ve.Problems) != len(tt.want) {
				t.Fatalf("err = %v, want %d problems", err, len(tt.want))
			}
			// Problems are sorted by line, then column.
			for i, w := range tt.want {
				if got := ve.Problems[i].String(); !strings.HasPrefix(got, w) {
					t.Errorf("problem %d = %q, want %q", i, got, w)
				}
			}
		})
	}
}

func TestFindProgram(t *testing.T) {
	if p, err := FindProgram("sh"); err != nil || !strings.HasSuffix(p, "/sh") {
		t.Errorf("FindProgram(sh) = %q, %v; every Linux has a shell", p, err)
	}
	if p, err := FindProgram("halab-no-such-program"); err == nil || !strings.Contains(err.Error(), "not found in /usr/local/sbin") {
		t.Errorf("FindProgram of a missing program = %q, %v", p, err)
	}
}
