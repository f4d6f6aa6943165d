package health

import (
	"strconv"
	"strings"
	"testing"
)

// FuzzParseStatusLine feeds a server's first response line to the HTTP
// check's parser. It must never panic, and a line it accepts must be
// "HTTP/x.y NNN reason" with NNN three digits from 100, read back as the
// code, and the reason the rest of the line without its line end or outer
// blanks, as HAProxy's check reports it ("L7STS/404 Not Found").
func FuzzParseStatusLine(f *testing.F) {
	for _, s := range []string{"HTTP/1.1 200 OK\r\n", "HTTP/1.0 404 Not Found\n", "HTTP/1.1 099 x\r\n",
		"HTTP/1.1 +20 x\r\n", "HTTP/1.1 2000\r\n", "HTTP/1.1 503\r\n", "ICY 200 OK\r\n", "HTTP/1.1 20"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		code, reason, ok := parseStatusLine(line)
		if !ok {
			if code != 0 || reason != "" {
				t.Fatalf("refused %q but returned %d %q", line, code, reason)
			}
			return
		}
		s := string(line)
		if !strings.HasPrefix(s, "HTTP/") || s[8] != ' ' || code < 100 || code > 999 || strconv.Itoa(code) != s[9:12] {
			t.Fatalf("accepted %q as code %d", line, code)
		}
		if reason != strings.TrimSpace(strings.TrimRight(s[12:], "\r\n")) {
			t.Fatalf("reason %q from %q", reason, line)
		}
	})
}
