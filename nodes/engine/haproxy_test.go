package engine

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestParseHAProxyLine reads lines HAProxy 2.6.12 wrote (haproxy -db) in a
// lab node while its web server went away, came back, and a backup
// server was put in maintenance.
func TestParseHAProxyLine(t *testing.T) {
	tests := []struct {
		line string
		want HALine
	}{
		{`[WARNING]  (5406) : Server webserverapp/webserver1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.`,
			HALine{Level: "WARNING", Text: `Server webserverapp/webserver1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.`,
				Backend: "webserverapp", Server: "webserver1", Reason: `Layer4 connection problem, info: "Connection refused"`}},
		{`[WARNING]  (12205) : Server webserverapp/webserver2 is DOWN, reason: Layer4 timeout, check duration: 501ms. 1 active and 1 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.`,
			HALine{Level: "WARNING", Text: `Server webserverapp/webserver2 is DOWN, reason: Layer4 timeout, check duration: 501ms. 1 active and 1 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.`,
				Backend: "webserverapp", Server: "webserver2", Reason: "Layer4 timeout"}},
		{`[WARNING]  (5406) : Server webserverapp/webserver1 is UP, reason: Layer4 check passed, check duration: 0ms. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.`,
			HALine{Level: "WARNING", Text: `Server webserverapp/webserver1 is UP, reason: Layer4 check passed, check duration: 0ms. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.`,
				Backend: "webserverapp", Server: "webserver1", Up: true, Reason: "Layer4 check passed"}},
		{`[WARNING]  (12205) : Backup Server webserverapp/spare is going DOWN for maintenance. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.`,
			HALine{Level: "WARNING", Text: `Backup Server webserverapp/spare is going DOWN for maintenance. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.`,
				Backend: "webserverapp", Server: "spare", Reason: "maintenance"}},
		{`[ALERT]    (5406) : backend 'webserverapp' has no server available!`,
			HALine{Level: "ALERT", Text: `backend 'webserverapp' has no server available!`}},
		{`[NOTICE]   (1) : haproxy version is 2.6.12-1+deb12u4`, HALine{Level: "NOTICE", Text: "haproxy version is 2.6.12-1+deb12u4"}},
		{`a line of its own`, HALine{Text: "a line of its own"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, ParseHAProxyLine(tt.line)); diff != "" {
			t.Errorf("ParseHAProxyLine(%q) (-want +got):\n%s", tt.line, diff)
		}
	}
}
