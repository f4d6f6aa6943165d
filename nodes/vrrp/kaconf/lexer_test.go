package kaconf

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

// lexString returns the statements of src as "line:col word word…" strings,
// braces included, and the diagnostics.
func lexString(t *testing.T, src string) ([]string, []Diagnostic) {
	t.Helper()
	diags := &diagnostics{}
	lx := &lexer{diags: diags}
	lx.lexFile("test.conf", []byte(src), 0)
	var out []string
	for _, st := range lx.stmts {
		var b strings.Builder
		b.WriteString(st.pos.String()[len("test.conf:"):])
		for _, w := range st.words {
			b.WriteString(" [" + w.text + "]")
		}
		out = append(out, b.String())
	}
	return out, diags.all
}

func TestLexer(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"words", "priority   101", []string{"1:1 [priority] [101]"}},
		{"block on one line, as in the captures' configs", "global_defs { vrrp_version 2\n  script_user root\n}",
			[]string{"1:1 [global_defs]", "1:13 [{]", "1:15 [vrrp_version] [2]", "2:3 [script_user] [root]", "3:1 [}]"}},
		{"brace on the next line", "vrrp_instance X\n{\n}", []string{"1:1 [vrrp_instance] [X]", "2:1 [{]", "3:1 [}]"}},
		{"closing brace after words", "  10.0.0.1 }", []string{"1:3 [10.0.0.1]", "1:12 [}]"}},
		{"everything on one line", "a { b c } d", []string{"1:1 [a]", "1:3 [{]", "1:5 [b] [c]", "1:9 [}]", "1:11 [d]"}},
		{"hash comment", "state MASTER        # set to BACKUP", []string{"1:1 [state] [MASTER]"}},
		{"bang comment", "! a comment line\nnopreempt ! and one after", []string{"2:1 [nopreempt]"}},
		{"comment glued to a word", "auth_pass ab#cd", []string{"1:1 [auth_pass] [ab]"}},
		{"tab before comment", "auth_pass myP@ssword\t# Password", []string{"1:1 [auth_pass] [myP@ssword]"}},
		{"quoted words keep spaces and comment characters", `script "/usr/bin/killall -0 haproxy # x"`,
			[]string{`1:1 [script] [/usr/bin/killall -0 haproxy # x]`}},
		{"quoted braces do not split", `script "echo {a}" }`, []string{"1:1 [script] [echo {a}]", "1:19 [}]"}},
		{"a quote ends a bare word", `a"b c"`, []string{"1:1 [a] [b c]"}},
		{"empty quoted word", `notify ""`, []string{"1:1 [notify] []"}},
		{"single quotes are not quotes", `a 'b c'`, []string{"1:1 [a] ['b] [c']"}},
		{"backslashes are kept", `auth_pass a\b`, []string{`1:1 [auth_pass] [a\b]`}},
		{"escaped hash in quotes is kept", `auth_pass "a\#b"`, []string{`1:1 [auth_pass] [a\#b]`}},
		{"CRLF line ends", "a 1\r\nb 2\r\n", []string{"1:1 [a] [1]", "2:1 [b] [2]"}},
		{"blank and comment-only lines", "\n   \n# x\n\t! y\n", nil},
		{"white space of every kind", "a\tb\fc\vd", []string{"1:1 [a] [b] [c] [d]"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, diags := lexString(t, tc.src)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("statements (-want +got):\n%s", diff)
			}
			if len(diags) != 0 {
				t.Errorf("unexpected diagnostics: %v", diags)
			}
		})
	}
}

func TestLexerDiagnostics(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // statements
		diag string
	}{
		{"unmatched quote", `script "echo`, []string{"1:1 [script]"}, `test.conf:1: error: Unmatched quote: 'script "echo'`},
		{"escaped hash starts a comment", `auth_pass ab\#cd`, []string{"1:1 [auth_pass] [ab]"}, `test.conf:1: warning: '\#' starts a comment`},
		{"escaped bang starts a comment", `auth_pass ab\!cd`, []string{"1:1 [auth_pass] [ab]"}, `test.conf:1: warning: '\!' starts a comment`},
		{"include without a file system", "include other.conf", nil, "test.conf:1: error: include 'other.conf': no file system"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, diags := lexString(t, tc.src)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("statements (-want +got):\n%s", diff)
			}
			if len(diags) != 1 || !strings.HasPrefix(diags[0].String(), tc.diag) {
				t.Errorf("diagnostics %v, want one starting %q", diags, tc.diag)
			}
		})
	}
}

func TestIncludePattern(t *testing.T) {
	tests := map[string]string{
		"include a.conf":          "a.conf",
		"include\t conf.d/*.conf": "conf.d/*.conf",
		"includer a.conf":         "a.conf",
		"include a b":             "a b", // the rest of the line, spaces and all
		"include":                 "-",
		"includes a":              "-",
		"include_check x":         "-",
		"includex":                "-",
	}
	for text, want := range tests {
		got, ok := includePattern(text)
		if !ok {
			got = "-"
		}
		if got != want {
			t.Errorf("includePattern(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestInclude(t *testing.T) {
	fsys := fstest.MapFS{
		"etc/keepalived/keepalived.conf": {Data: []byte("include conf.d/*.conf\ninclude /etc/keepalived/abs.conf\ninclude missing/*.conf\nend 1\n")},
		"etc/keepalived/conf.d/b.conf":   {Data: []byte("b 1\n")},
		"etc/keepalived/conf.d/a.conf":   {Data: []byte("a 1\ninclude ../nested.conf\n")},
		"etc/keepalived/nested.conf":     {Data: []byte("nested 1\n")},
		"etc/keepalived/abs.conf":        {Data: []byte("abs 1\n")},
		"etc/keepalived/loop.conf":       {Data: []byte("include loop.conf\n")},
	}
	diags := &diagnostics{}
	lx := &lexer{src: fsSource{fsys}, diags: diags}
	lx.lexFile("etc/keepalived/keepalived.conf", fsys["etc/keepalived/keepalived.conf"].Data, 0)
	var got []string
	for _, st := range lx.stmts {
		got = append(got, st.pos.String()+" "+st.keyword())
	}
	want := []string{
		"etc/keepalived/conf.d/a.conf:1:1 a",
		"etc/keepalived/nested.conf:1:1 nested",
		"etc/keepalived/conf.d/b.conf:1:1 b",
		"etc/keepalived/abs.conf:1:1 abs",
		"etc/keepalived/keepalived.conf:4:1 end",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statements (-want +got):\n%s", diff)
	}
	wantFiles := []string{"etc/keepalived/keepalived.conf", "etc/keepalived/conf.d/a.conf", "etc/keepalived/nested.conf", "etc/keepalived/conf.d/b.conf", "etc/keepalived/abs.conf"}
	if diff := cmp.Diff(wantFiles, lx.files); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if len(diags.all) != 1 || diags.all[0].String() != "etc/keepalived/keepalived.conf:3: warning: Config files missing 'missing/*.conf'." {
		t.Errorf("diagnostics %v, want keepalived's missing-file warning", diags.all)
	}

	diags = &diagnostics{}
	lx = &lexer{src: fsSource{fsys}, diags: diags}
	lx.lexFile("etc/keepalived/loop.conf", fsys["etc/keepalived/loop.conf"].Data, 0)
	if len(diags.errors) != 1 || !strings.Contains(diags.errors[0].Message, "nested more than 16 deep") {
		t.Errorf("include loop: diagnostics %v", diags.all)
	}

	diags = &diagnostics{}
	lx = &lexer{src: fsSource{fsys}, diags: diags}
	lx.lexFile("etc/keepalived/keepalived.conf", []byte("include ../../../x.conf"), 0)
	if len(diags.errors) != 1 || !strings.Contains(diags.errors[0].Message, "outside the configuration file system") {
		t.Errorf("include outside the FS: diagnostics %v", diags.all)
	}
}

func TestSplitCommand(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		err  string
	}{
		{`/usr/bin/killall -0 haproxy`, []string{"/usr/bin/killall", "-0", "haproxy"}, ""},
		{`script "/usr/bin/killall -0 haproxy"`, []string{"script", "/usr/bin/killall -0 haproxy"}, ""},
		{`echo 'a b' "c d"e`, []string{"echo", "a b", "c de"}, ""},
		{`a\ b \x41\x4a \101 \cA \t\n \q`, []string{"a b", "AJ", "A", "\x01", "\t\n", "q"}, ""},
		{`"a \"b\" c"`, []string{`a "b" c`}, ""},
		{`'it''s'`, []string{"its"}, ""},
		{`""`, []string{""}, ""},
		{`   `, nil, ""},
		{`\E[0m`, []string{"\x1b[0m"}, ""},
		{`"open`, nil, "missing terminating \""},
		{`a 'open`, []string{"a"}, "missing terminating '"},
		{`end\`, nil, "missing escape char at end"},
	}
	for _, tc := range tests {
		got, err := splitCommand(tc.in)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("splitCommand(%q) (-want +got):\n%s", tc.in, diff)
		}
		if (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("splitCommand(%q) error %v, want %q", tc.in, err, tc.err)
		}
	}
}
