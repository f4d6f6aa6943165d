package control

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
)

// maxEventLine bounds one NDJSON event line read by a Client.
const maxEventLine = 1 << 20

// Client talks to one component's control socket.
type Client struct {
	// Socket is the unix socket path, used in errors and by the default Dial.
	Socket string
	// Dial opens a connection to the socket. It defaults to a unix dial of
	// Socket; the SSH provider replaces it with direct-streamlocal forwarding.
	Dial func(ctx context.Context) (net.Conn, error)

	http *http.Client
}

// NewClient returns a Client for the unix socket at path.
func NewClient(path string) *Client {
	c := &Client{Socket: path}
	c.Dial = func(ctx context.Context) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", path)
	}
	c.http = &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) { return c.Dial(ctx) },
		// One connection per request keeps streams and calls independent.
		DisableKeepAlives: true,
	}}
	return c
}

func (c *Client) do(ctx context.Context, method, path string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, "http://control"+path, body)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("control socket %s: %w", c.Socket, err)
	}
	return resp, nil
}

// Status fetches the component's status envelope. When detail is not nil, the
// component-specific detail is decoded into it.
func (c *Client) Status(ctx context.Context, detail any) (Status, error) {
	var st Status
	resp, err := c.do(ctx, http.MethodGet, "/status", nil)
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return st, responseError(c.Socket, resp)
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return st, fmt.Errorf("control socket %s: decode status: %w", c.Socket, err)
	}
	if detail != nil && len(st.Detail) > 0 {
		if err := json.Unmarshal(st.Detail, detail); err != nil {
			return st, fmt.Errorf("control socket %s: decode status detail: %w", c.Socket, err)
		}
	}
	return st, nil
}

// Events streams the component's events with Seq > since to fn, in order,
// until ctx is done, the stream ends, or fn returns an error. It returns the
// last sequence number delivered, so a caller can resume after a disconnect.
func (c *Client) Events(ctx context.Context, since uint64, fn func(Event) error) (uint64, error) {
	resp, err := c.do(ctx, http.MethodGet, "/events?since="+strconv.FormatUint(since, 10), nil)
	if err != nil {
		return since, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return since, responseError(c.Socket, resp)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), maxEventLine)
	last := since
	for sc.Scan() {
		var e Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return last, fmt.Errorf("control socket %s: decode event: %w", c.Socket, err)
		}
		if err := fn(e); err != nil {
			return last, err
		}
		last = e.Seq
	}
	if ctx.Err() != nil {
		return last, ctx.Err()
	}
	if err := sc.Err(); err != nil {
		return last, fmt.Errorf("control socket %s: event stream: %w", c.Socket, err)
	}
	return last, io.EOF
}

// Do runs action NAME with in as the JSON body and decodes the result into
// out (when not nil).
func (c *Client) Do(ctx context.Context, name string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("action %s: encode: %w", name, err)
		}
		body = bytes.NewReader(b)
	}
	resp, err := c.do(ctx, http.MethodPost, "/action/"+name, body)
	if err != nil {
		return fmt.Errorf("action %s: %w", name, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("action %s: %w", name, responseError(c.Socket, resp))
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			return fmt.Errorf("action %s: decode result: %w", name, err)
		}
	}
	return nil
}

func responseError(socket string, resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	var msg struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(b, &msg) == nil && msg.Error != "" {
		return fmt.Errorf("%s", msg.Error)
	}
	return fmt.Errorf("control socket %s: %s: %s", socket, resp.Status, bytes.TrimSpace(b))
}
