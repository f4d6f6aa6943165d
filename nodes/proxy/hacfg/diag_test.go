package hacfg

import (
	"strings"
	"testing"
)

// TestDiagnostics checks every error and warning halab reports, with its
// file:line. The text after base starts at line 6. Messages quoted from
// HAProxy are the ones `haproxy -c` 2.6.12 prints for the same line.
func TestDiagnostics(t *testing.T) {
	tests := []struct {
		name string
		text string
		want string // a substring of one diagnostic's String()
	}{
		// out of and between sections
		{"keyword out of section", "", ""},
		{"unknown global", "global\n  foo bar\n", "t.cfg:7: error: unknown keyword 'foo' in 'global' section"},
		{"global typo hint", "global\n  maxcon 10\n", "did you mean 'maxconn' maybe ?"},
		{"global bad maxconn", "global\n  maxconn abc\n", "t.cfg:7: error: 'maxconn' expects an integer argument"},
		{"global ignored", "global\n  daemon\n", "t.cfg:7: warning: global 'daemon' ignored"},
		{"global unimplemented", "global\n  ulimit-n 4096\n", "t.cfg:7: warning: global 'ulimit-n' ignored"},
		{"nbthread range", "global\n  nbthread 65\n", "t.cfg:7: error: 'nbthread' : value must be between 1 and 64 (got 65)"},
		{"global known not implemented", "global\n  spread-checks 5\n", "t.cfg:7: warning: 'spread-checks' is a HAProxy 2.6 keyword halab does not implement"},
		{"global tls", "global\n  ssl-server-verify none\n", "t.cfg:7: warning: global 'ssl-server-verify' ignored: halab does not terminate TLS"},
		{"other section", "userlist users\n  user a password x\n", "t.cfg:6: warning: 'userlist' sections are not implemented"},
		{"unmatched quote", "backend b\n  server s \"127.0.0.1:80\n", "t.cfg:7: error: unmatched quote"},
		// proxy keywords
		{"unknown proxy keyword", "backend b\n  frob\n", "t.cfg:7: error: unknown keyword 'frob' in 'backend' section"},
		{"proxy typo hint", "backend b\n  balanse roundrobin\n", "did you mean 'balance' maybe ?"},
		{"unknown option", "backend b\n  option frobnicate\n", "t.cfg:7: error: unknown option 'frobnicate'"},
		{"unknown timeout", "backend b\n  timeout forever 1s\n", "t.cfg:7: error: unknown keyword 'timeout forever'"},
		{"known not implemented", "backend b\n  http-reuse always\n", "t.cfg:7: warning: 'http-reuse' is a HAProxy 2.6 keyword halab does not implement"},
		{"option not implemented", "backend b\n  option tcp-smart-connect\n", "t.cfg:7: warning: 'option tcp-smart-connect' is a HAProxy 2.6 keyword"},
		{"log ignored", "frontend f\n  bind :80\n  option httplog\n", "t.cfg:8: warning: 'option httplog' ignored"},
		{"errorfile ignored", "frontend f\n  bind :80\n  errorfile 503 /x\n", "t.cfg:8: warning: 'errorfile' ignored"},
		{"bad mode", "backend b\n  mode foo\n", "t.cfg:7: error: unknown proxy mode 'foo'"},
		{"bad balance", "backend b\n  balance weird\n", "t.cfg:7: error: balance only supports 'roundrobin'"},
		{"balance not implemented", "backend b\n  balance uri\n", "t.cfg:7: warning: 'balance uri' is HAProxy 2.6 syntax halab does not implement; using roundrobin"},
		{"bad retries", "backend b\n  retries x\n", "t.cfg:7: error: 'retries' expects an integer argument"},
		{"bad timeout unit", "backend b\n  timeout connect 10x\n", "t.cfg:7: error: 'timeout connect': unexpected character 'x'"},
		{"timeout overflow", "backend b\n  timeout server 30d\n", "t.cfg:7: error: 'timeout server': timer overflow"},
		{"default_backend args", "frontend f\n  bind :80\n  default_backend\n", "t.cfg:8: error: 'default_backend' expects a backend name"},
		// section capabilities
		{"balance in frontend", "frontend f\n  bind :80\n  balance roundrobin\n", "t.cfg:8: warning: 'balance' ignored because frontend 'f' has no backend capability"},
		{"server in frontend", "frontend f\n  bind :80\n  server s 127.0.0.1:1\n", "t.cfg:8: error: 'server' not allowed because frontend 'f' has no backend capability"},
		{"bind in backend", "backend b\n  bind :80\n", "t.cfg:7: warning: 'bind' ignored because backend 'b' has no frontend capability"},
		{"maxconn in backend", "backend b\n  maxconn 10\n", "Maybe you want 'fullconn' instead ?"},
		{"use_backend in defaults", "defaults\n  use_backend b\n", "t.cfg:7: error: 'use_backend' not allowed in 'defaults' section"},
		{"bind in defaults", "defaults\n  bind :80\n", "t.cfg:7: error: 'bind' not allowed in 'defaults' section"},
		// bind
		{"bind no port", "frontend f\n  bind 127.0.0.1\n", "t.cfg:7: error: 'bind' : missing port specification in '127.0.0.1'"},
		{"bind bad port", "frontend f\n  bind :99999\n", "t.cfg:7: error: 'bind' : invalid port '99999'"},
		{"bind port range", "frontend f\n  bind :80-81\n", "port range '80-81'"},
		{"bind hostname", "frontend f\n  bind localhost:80\n", "halab binds IP addresses, not host names"},
		{"bind unix", "frontend f\n  bind /run/x.sock\n", "halab only listens on TCP/IP addresses"},
		{"bind unknown option", "frontend f\n  bind :80 foo\n", "t.cfg:7: error: 'bind :80' in section 'frontend': unknown keyword 'foo'"},
		{"bind ssl", "frontend f\n  bind :443 ssl crt /x.pem\n", "t.cfg:7: error: 'bind :443' : 'ssl' is not implemented by halab"},
		{"bind option ignored", "frontend f\n  bind :80 v4v6\n", "t.cfg:7: warning: 'bind :80' : 'v4v6' is a HAProxy 2.6 bind option halab does not implement"},
		// server
		{"server args", "backend b\n  server s1\n", "t.cfg:7: error: 'server' expects <name> and <addr>[:<port>] as arguments"},
		{"server no port", "backend b\n  server s1 127.0.0.1\n", "t.cfg:7: error: 'server b/s1' : address '127.0.0.1' has no port"},
		{"server duplicate", "backend b\n  server s1 127.0.0.1:1\n  server s1 127.0.0.1:2\n", "t.cfg:8: error: backend 'b', another server named 's1' was already defined at line 7"},
		{"server unknown option", "backend b\n  server s1 127.0.0.1:1 bogus\n", "t.cfg:7: error: 'server b/s1' : unknown keyword 'bogus'"},
		{"server weight", "backend b\n  server s1 127.0.0.1:1 weight 300\n", "weight is not within 0 and 256 (300)"},
		{"server rise 0", "backend b\n  server s1 127.0.0.1:1 rise 0\n", "'rise' has to be > 0"},
		{"server fall x", "backend b\n  server s1 127.0.0.1:1 fall x\n", "'fall' expects an integer argument"},
		{"server inter 0", "backend b\n  server s1 127.0.0.1:1 inter 0\n", "invalid value 0 for argument 'inter'"},
		{"server inter unit", "backend b\n  server s1 127.0.0.1:1 inter 2x\n", "unexpected character 'x'"},
		{"server missing arg", "backend b\n  server s1 127.0.0.1:1 inter\n", "'inter' expects an argument"},
		{"server ssl", "backend b\n  server s1 127.0.0.1:1 ssl\n", "'ssl' is not implemented by halab"},
		{"server option ignored", "backend b\n  server s1 127.0.0.1:1 maxconn 10\n", "t.cfg:7: warning: 'server b/s1' : 'maxconn' is a HAProxy 2.6 server option halab does not implement"},
		// checks
		{"httpchk version", "backend b\n  option httpchk GET / HTTP/2\n", "unsupported HTTP version 'HTTP/2'"},
		{"expect without pattern", "backend b\n  option httpchk\n  http-check expect status\n", "t.cfg:8: error: 'http-check expect' : 'status' expects a <pattern> as argument"},
		{"expect not a code", "backend b\n  option httpchk\n  http-check expect status abc\n", "'abc' is not an HTTP status code"},
		{"expect string", "backend b\n  option httpchk\n  http-check expect string ok\n", "t.cfg:8: warning: 'http-check expect string' is a HAProxy 2.6 keyword"},
		{"rules without httpchk", "backend b\n  http-check expect status 200\n", "t.cfg:7: warning: backend 'b' uses http-check rules without 'option httpchk', so the rules are ignored"},
		{"check send unknown", "backend b\n  option httpchk\n  http-check send foo\n", "'http-check send' : unknown argument 'foo'"},
		// ACLs and rules
		{"acl unknown criterion", "frontend f\n  bind :80\n  acl a req.ssl_sni -i x\n", "t.cfg:8: error: acl 'a': ACL criterion 'req.ssl_sni' is not implemented by halab"},
		{"acl without value", "frontend f\n  bind :80\n  acl a path_beg\n", "expects at least one value"},
		{"no such acl", "frontend f\n  bind :80\n  use_backend b if nope\nbackend b\n", "t.cfg:8: error: error detected while parsing switching rule : no such ACL : 'nope'"},
		{"missing brace", "frontend f\n  bind :80\n  use_backend b if { path_beg /x\nbackend b\n", "missing '}'"},
		{"bad condition keyword", "frontend f\n  bind :80\n  use_backend b when x\nbackend b\n", "expects 'if' or 'unless'"},
		// stats
		{"stats uri arg", "backend b\n  stats uri\n", "'stats uri' expects a URI prefix"},
		{"stats auth ignored", "backend b\n  stats auth a:b\n", "'stats auth' is a HAProxy 2.6 keyword halab does not implement"},
		{"stats tcp", "frontend f\n  bind :80\n  mode tcp\n  stats enable\n", "t.cfg:6: warning: 'stats' statement ignored for frontend 'f' as it requires HTTP mode"},
		// references checked after parsing
		{"missing default_backend", "frontend f\n  bind :80\n  default_backend nope\n", "t.cfg:8: error: Proxy 'f': unable to find required default_backend: 'nope'"},
		{"missing use_backend", "frontend f\n  bind :80\n  use_backend nope if { path_beg /x }\n", "t.cfg:8: error: Proxy 'f': unable to find required use_backend: 'nope'"},
		{"mode mismatch", "frontend f\n  bind :80\n  default_backend b\nbackend b\n  mode tcp\n", "t.cfg:8: error: http frontend 'f' (t.cfg:6) tries to use incompatible tcp backend 'b' (t.cfg:9) as its default backend (see 'mode')"},
		{"no bind", "frontend f\n  default_backend b\nbackend b\n", "t.cfg:6: warning: frontend 'f' has no 'bind' directive"},
		{"duplicate backend", "backend b\nbackend b\n", "t.cfg:7: error: backend 'b' has the same name as backend 'b' declared at t.cfg:6"},
		{"no backend at all", "frontend f\n  bind :80\n", "t.cfg:6: warning: frontend 'f' has no default_backend and no use_backend rule"},
		{"missing timeouts", "defaults\nfrontend f\n  bind :80\n  default_backend b\nbackend b\n", "t.cfg:7: warning: missing timeouts for frontend 'f'"},
		{"tcp rule on http fetch", "frontend f\n  bind :80\n  mode tcp\n  use_backend b if { path_beg /x }\nbackend b\n  mode tcp\n", "t.cfg:9: warning: frontend 'f' is in tcp mode: HTTP criteria of this use_backend rule never match"},
		{"from unknown defaults", "backend b from nope\n", "unable to find the defaults section 'nope'"},
		{"proxy without name", "backend\n", "t.cfg:6: error: 'backend' expects <name> as an argument"},
	}
	for _, tt := range tests {
		if tt.want == "" {
			_, _, err := parse(t, "maxconn 10\n")
			if err == nil || !strings.Contains(err.Error(), "t.cfg:1: error: unknown keyword 'maxconn' out of section") {
				t.Errorf("%s: err = %v", tt.name, err)
			}
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			_, diags, _ := parse(t, base+tt.text)
			var all []string
			for _, d := range diags {
				all = append(all, d.String())
				if strings.Contains(d.String(), tt.want) {
					return
				}
			}
			t.Errorf("no diagnostic contains %q; got:\n%s", tt.want, strings.Join(all, "\n"))
		})
	}
}

// TestSplitWords follows HAProxy's line tokenizer.
func TestSplitWords(t *testing.T) {
	t.Setenv("HALAB_TEST_PORT", "8080")
	tests := []struct {
		in   string
		want []string
	}{
		{"  server s1 127.0.0.1:80   check # comment", []string{"server", "s1", "127.0.0.1:80", "check"}},
		{`stats realm HAProxy\ Statistics`, []string{"stats", "realm", "HAProxy Statistics"}},
		{`option httpchk GET / "HTTP/1.1\r\nHost: x"`, []string{"option", "httpchk", "GET", "/", "HTTP/1.1\r\nHost: x"}},
		{`a 'single $HOME' "double ${HALAB_TEST_PORT}" x$HALAB_TEST_PORT`, []string{"a", "single $HOME", "double 8080", "x8080"}},
		{`a "#not a comment" \#x`, []string{"a", "#not a comment", "#x"}},
		{`hex \x41\x42`, []string{"hex", "AB"}},
		{"", nil},
	}
	for _, tt := range tests {
		got, err := splitWords(tt.in)
		if err != nil || strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
			t.Errorf("splitWords(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{`a "b`, `a \`, `a \x4`} {
		if _, err := splitWords(bad); err == nil {
			t.Errorf("splitWords(%q) accepted", bad)
		}
	}
}
