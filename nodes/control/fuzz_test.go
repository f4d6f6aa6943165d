package control

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// fuzzEvents is how many events the fuzzed server holds.
const fuzzEvents = 5

// FuzzHandler sends fuzzed requests (method, path, query, body) to the
// control protocol's handler, as a component's socket would receive them
// after net/http parsed the request. It must never panic, and:
//
//   - GET /events?since=N answers 400 unless N is empty or a decimal
//     sequence number, and otherwise exactly the retained events with
//     Seq > N, in order, one JSON object per line;
//   - GET /status answers the envelope with the last sequence number;
//   - POST /action/NAME runs NAME when registered (its result or its error
//     as JSON, 422) and otherwise answers 404 naming NAME;
//   - every other answer is a 404, 405 or a path-cleaning redirect.
func FuzzHandler(f *testing.F) {
	for _, s := range []struct{ method, path, query, body string }{
		{"GET", "/events", "since=2", ""}, {"GET", "/events", "since=", ""}, {"GET", "/events", "since=-1", ""},
		{"GET", "/events", "since=18446744073709551616", ""}, {"GET", "/events", "since=1&since=x", ""},
		{"GET", "/events", "since=%zz", ""}, {"GET", "/status", "", ""}, {"HEAD", "/status", "", ""},
		{"POST", "/action/echo", "", `{"a":1}`}, {"POST", "/action/fail", "", ""}, {"POST", "/action/fly", "", ""},
		{"POST", "/action/a%2Fb", "", ""}, {"POST", "/action/", "", ""}, {"GET", "/action/echo", "", ""},
		{"DELETE", "/status", "", ""}, {"GET", "/events/../status", "", ""}, {"GET", "//events", "", ""},
	} {
		f.Add(s.method, s.path, s.query, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, method, path, query string, body []byte) {
		raw := fmt.Sprintf("%s %s?%s HTTP/1.1\r\nHost: control\r\nContent-Length: %d\r\n\r\n", method, path, query, len(body))
		req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw + string(body))))
		if err != nil {
			return // net/http answers 400 before any halab code runs
		}
		s := NewServer("lb1", "vrrp")
		for i := 0; i < fuzzEvents; i++ {
			s.Logf("info", "event %d", i+1)
		}
		s.Handle("echo", func(_ context.Context, b []byte) (any, error) { return map[string]int{"len": len(b)}, nil })
		s.Handle("fail", func(context.Context, []byte) (any, error) { return nil, errors.New("refused") })
		ctx, cancel := context.WithCancel(context.Background())
		cancel() // an event stream ends after the retained events
		req = req.WithContext(ctx)
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		checkControlAnswer(t, req, rec, len(body))
	})
}

// checkControlAnswer asserts the protocol's answer to req.
func checkControlAnswer(t *testing.T, req *http.Request, rec *httptest.ResponseRecorder, bodyLen int) {
	t.Helper()
	code, out := rec.Code, rec.Body.Bytes()
	get := req.Method == http.MethodGet || req.Method == http.MethodHead
	switch p := req.URL.Path; {
	case code == http.StatusMovedPermanently || code == http.StatusTemporaryRedirect || code == http.StatusPermanentRedirect:
		if rec.Header().Get("Location") == "" {
			t.Fatalf("%s %s: redirect without a Location", req.Method, req.URL)
		}
	case get && p == "/events":
		checkEvents(t, req, code, out)
	case get && p == "/status":
		var st Status
		if code != http.StatusOK || req.Method == http.MethodGet && (json.Unmarshal(out, &st) != nil || st.LastSeq != fuzzEvents || st.Node != "lb1") {
			t.Fatalf("GET /status: %d %q", code, out)
		}
	case req.Method == http.MethodPost && strings.HasPrefix(p, "/action/") && !strings.Contains(p[len("/action/"):], "/") && p != "/action/":
		checkAction(t, req.PathValue("name"), code, out, bodyLen)
	default:
		if code != http.StatusNotFound && code != http.StatusMethodNotAllowed {
			t.Fatalf("%s %s: %d %q, want 404 or 405", req.Method, req.URL, code, out)
		}
	}
}

func checkEvents(t *testing.T, req *http.Request, code int, out []byte) {
	t.Helper()
	since := uint64(0)
	if v := req.URL.Query().Get("since"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			if code != http.StatusBadRequest || !bytes.Contains(out, []byte(strconv.Quote(v))) {
				t.Fatalf("since=%q: %d %q, want 400 quoting it", v, code, out)
			}
			return
		}
		since = n
	}
	if code != http.StatusOK {
		t.Fatalf("events since %d: %d %q", since, code, out)
	}
	if req.Method == http.MethodHead {
		return
	}
	want := uint64(0)
	if since < fuzzEvents {
		want = fuzzEvents - since
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	n, last := uint64(0), since
	for sc.Scan() {
		var e Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil || e.Seq != last+1 {
			t.Fatalf("events since %d: line %q after seq %d (%v)", since, sc.Bytes(), last, err)
		}
		last, n = e.Seq, n+1
	}
	if n != want {
		t.Fatalf("events since %d: %d events, want %d", since, n, want)
	}
}

func checkAction(t *testing.T, name string, code int, out []byte, bodyLen int) {
	t.Helper()
	var res map[string]any
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("action %q: %d answer %q is not a JSON object", name, code, out)
	}
	switch name {
	case "echo":
		if code != http.StatusOK || res["len"] != float64(bodyLen) {
			t.Fatalf("action echo with a %d-byte body: %d %v", bodyLen, code, res)
		}
	case "fail":
		if code != http.StatusUnprocessableEntity || res["error"] != "refused" {
			t.Fatalf("action fail: %d %v", code, res)
		}
	default:
		msg, _ := res["error"].(string)
		if code != http.StatusNotFound || !strings.Contains(msg, strconv.Quote(name)) {
			t.Fatalf("unknown action %q: %d %v", name, code, res)
		}
	}
}
