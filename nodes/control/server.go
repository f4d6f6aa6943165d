package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// HistorySize is how many recent events a Server keeps for late subscribers.
const HistorySize = 4096

// subscriberBuffer is how many events may wait for a slow subscriber before it
// is disconnected; it then resumes with ?since= from the retained history.
const subscriberBuffer = 1024

// ActionFunc runs a POSTed action. body is the raw JSON request (may be empty);
// the result is encoded as JSON.
type ActionFunc func(ctx context.Context, body []byte) (any, error)

// Status is the envelope GET /status returns.
type Status struct {
	Node      string          `json:"node"`
	Component string          `json:"component"`
	PID       int             `json:"pid"`
	Started   time.Time       `json:"started"`
	Ready     bool            `json:"ready"`
	LastSeq   uint64          `json:"last_seq"`
	Detail    json.RawMessage `json:"detail,omitempty"`

	// Goroutines is the process's goroutine count as it answered
	// (runtime.NumGoroutine): `make soak` watches it for leaks.
	Goroutines int `json:"goroutines"`
}

// Server publishes a component's events and status on a unix socket.
type Server struct {
	node, component string
	started         time.Time

	mu      sync.Mutex
	seq     uint64
	history []Event // the last HistorySize events, oldest first
	subs    map[chan Event]struct{}
	ready   bool
	status  func() any
	actions map[string]ActionFunc
}

// NewServer returns a Server for the component running on node.
func NewServer(node, component string) *Server {
	return &Server{
		node:      node,
		component: component,
		started:   time.Now(),
		subs:      make(map[chan Event]struct{}),
		actions:   make(map[string]ActionFunc),
	}
}

// SetStatus sets the function that returns the component's status detail.
// It is called for each GET /status and must be safe for concurrent use.
func (s *Server) SetStatus(fn func() any) {
	s.mu.Lock()
	s.status = fn
	s.mu.Unlock()
}

// Handle registers an action served at POST /action/NAME.
func (s *Server) Handle(name string, fn ActionFunc) {
	s.mu.Lock()
	s.actions[name] = fn
	s.mu.Unlock()
}

// SetReady marks the component ready and publishes a KindReady event.
func (s *Server) SetReady(message string) {
	s.mu.Lock()
	s.ready = true
	s.mu.Unlock()
	s.Publish(Event{Kind: KindReady, Message: message})
}

// Publish stamps e with the next sequence number, the time (unless set), node
// and component, retains it and hands it to every subscriber. It returns the
// stamped event.
func (s *Server) Publish(e Event) Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	e.Seq = s.seq
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	if e.Node == "" {
		e.Node = s.node
	}
	if e.Component == "" {
		e.Component = s.component
	}
	if e.Level == "" {
		e.Level = "info"
	}
	if len(s.history) == HistorySize {
		// Dropping the oldest this way costs one copy every HistorySize
		// events (when append moves the window), not one per event.
		s.history = s.history[1:]
	}
	s.history = append(s.history, e)
	for ch := range s.subs {
		select {
		case ch <- e:
		default: // too slow: drop it; the client resumes from history
			delete(s.subs, ch)
			close(ch)
		}
	}
	return e
}

// Logf publishes a KindLog event at level ("info", "warn", "error").
func (s *Server) Logf(level, format string, args ...any) {
	s.Publish(Event{Kind: KindLog, Level: level, Message: fmt.Sprintf(format, args...)})
}

// subscribe returns the retained events after since and a channel of the
// following ones, atomically.
func (s *Server) subscribe(since uint64) ([]Event, chan Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var backlog []Event
	for _, e := range s.history {
		if e.Seq > since {
			backlog = append(backlog, e)
		}
	}
	ch := make(chan Event, subscriberBuffer)
	s.subs[ch] = struct{}{}
	return backlog, ch
}

func (s *Server) unsubscribe(ch chan Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.subs[ch]; ok {
		delete(s.subs, ch)
		close(ch)
	}
}

// Handler returns the HTTP handler serving the protocol (see package doc).
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /status", s.serveStatus)
	mux.HandleFunc("GET /events", s.serveEvents)
	mux.HandleFunc("POST /action/{name}", s.serveAction)
	return mux
}

func (s *Server) serveStatus(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	st := Status{Node: s.node, Component: s.component, PID: os.Getpid(), Started: s.started, Ready: s.ready, LastSeq: s.seq,
		Goroutines: runtime.NumGoroutine()}
	fn := s.status
	s.mu.Unlock()
	if fn != nil {
		detail, err := json.Marshal(fn())
		if err != nil {
			http.Error(w, "encode status: "+err.Error(), http.StatusInternalServerError)
			return
		}
		st.Detail = detail
	}
	writeJSON(w, http.StatusOK, st)
}

func (s *Server) serveEvents(w http.ResponseWriter, r *http.Request) {
	var since uint64
	if v := r.URL.Query().Get("since"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			http.Error(w, "since: want a sequence number, got "+strconv.Quote(v), http.StatusBadRequest)
			return
		}
		since = n
	}
	backlog, ch := s.subscribe(since)
	defer s.unsubscribe(ch)
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	enc := json.NewEncoder(w)
	for _, e := range backlog {
		if enc.Encode(e) != nil {
			return
		}
	}
	if flusher != nil {
		flusher.Flush()
	}
	for {
		select {
		case <-r.Context().Done():
			return
		case e, ok := <-ch:
			if !ok {
				return
			}
			if enc.Encode(e) != nil {
				return
			}
			// Send whatever else is already waiting in one write.
			for drained := false; !drained; {
				select {
				case e, ok := <-ch:
					if !ok {
						return
					}
					if enc.Encode(e) != nil {
						return
					}
				default:
					drained = true
				}
			}
			if flusher != nil {
				flusher.Flush()
			}
		}
	}
}

func (s *Server) serveAction(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	s.mu.Lock()
	fn := s.actions[name]
	names := make([]string, 0, len(s.actions))
	for n := range s.actions {
		names = append(names, n)
	}
	s.mu.Unlock()
	if fn == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{
			"error": fmt.Sprintf("%s has no action %q; it has: %s", s.component, name, strings.Join(names, ", ")),
		})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "read body: " + err.Error()})
		return
	}
	res, err := fn(r.Context(), body)
	if err != nil {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// Listen creates the unix socket at path (replacing a stale one left by a
// dead process, refusing one that still answers) with mode 0600.
func Listen(path string) (net.Listener, error) {
	if _, err := os.Stat(path); err == nil {
		if c, err := net.DialTimeout("unix", path, 200*time.Millisecond); err == nil {
			c.Close()
			return nil, fmt.Errorf("control socket %s is in use by a running component; stop it first", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("remove stale control socket: %w", err)
		}
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	return ln, nil
}

// Serve serves the protocol on ln until ctx is done, then closes the
// listener, ends the event streams and removes a unix socket file.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 5 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_ = srv.Shutdown(shutdown) // event streams never go idle: close what is left
		_ = srv.Close()
		<-errc
		if a, ok := ln.Addr().(*net.UnixAddr); ok && a.Name != "" {
			_ = os.Remove(a.Name)
		}
		return nil
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	}
}
