package hacfg

import (
	"strings"
	"testing"
)

// TestRequestPathAsHAProxy holds what HAProxy 2.6.12 answered for
// "acl slash path /", "acl found path -m found" and
// "http-request return … if slash|found" on these request targets.
func TestRequestPathAsHAProxy(t *testing.T) {
	tests := []struct {
		uri, path string
		ok        bool
	}{
		{"/", "/", true},
		{"/?q", "/", true},
		{"/a/b?c?d", "/a/b", true},
		{"//x", "//x", true},
		{"http://h/", "/", true},
		{"http://h/x?y", "/x", true},
		{"http:///x", "/x", true},
		{"h://h/x", "/x", true},
		{"http://h", "", false}, // no slash after the authority: no path
		{"http://", "", false},
		{"HTTP://H", "", false},
		{"*", "", false},     // OPTIONS *
		{"h:443", "", false}, // CONNECT's authority form
		{"a+b://h", "", false},
	}
	for _, tt := range tests {
		path, ok := requestPath(tt.uri)
		if path != tt.path || ok != tt.ok {
			t.Errorf("requestPath(%q) = %q, %v; want %q, %v", tt.uri, path, ok, tt.path, tt.ok)
		}
	}
}

// FuzzRequestPath checks the "path" fetch on any target: a path starts
// with a slash, holds no '?', is text of the target running up to a '?'
// or its end (all of an origin form's text before its query), is its own
// path, and path, path_beg and "-m found" ACLs agree with it. As HAProxy,
// an absolute form's authority runs to the first slash after "://".
func FuzzRequestPath(f *testing.F) {
	for _, s := range []string{"/", "/a?b", "http://h/x?y", "http://h", "*", "h:443", "//x?", "a://b://c/d"} {
		f.Add(s, "/x")
	}
	f.Fuzz(func(t *testing.T, uri, pattern string) {
		path, ok := requestPath(uri)
		if !ok {
			if path != "" || strings.HasPrefix(uri, "/") {
				t.Fatalf("requestPath(%q) = %q without a path", uri, path)
			}
		} else {
			if !strings.HasPrefix(path, "/") || strings.Contains(path, "?") {
				t.Fatalf("requestPath(%q) = %q", uri, path)
			}
			tail := strings.HasSuffix(uri, path) || strings.Contains(uri, path+"?")
			if beforeQuery, _, _ := strings.Cut(uri, "?"); !tail || strings.HasPrefix(uri, "/") && beforeQuery != path {
				t.Fatalf("requestPath(%q) = %q is not the target's path", uri, path)
			}
			if again, ok := requestPath(path); !ok || again != path {
				t.Fatalf("requestPath(%q) = %q, %v; the path of a path is itself", path, again, ok)
			}
		}
		r := &Request{Method: "GET", URI: uri}
		for _, tc := range []struct {
			e    ACLExpr
			want bool
		}{
			{ACLExpr{Fetch: "path", Match: MatchStr, Values: []string{pattern}}, ok && path == pattern},
			{ACLExpr{Fetch: "path", Match: MatchBeg, Values: []string{pattern}}, ok && strings.HasPrefix(path, pattern)},
			{ACLExpr{Fetch: "path", Match: MatchFound}, ok},
		} {
			if got := tc.e.match(r); got != tc.want {
				t.Fatalf("%s -m %s %q on %q: %v, want %v", tc.e.Fetch, tc.e.Match, pattern, uri, got, tc.want)
			}
		}
	})
}
