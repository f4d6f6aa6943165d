package probe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"syscall"

	"github.com/halab/halab/nodes/web"
)

// HeaderLB names the load balancer that forwarded an answer. A proxy may set
// it on responses; when absent the probe maps the web server's X-Halab-Peer
// through Options.PeerNames.
const HeaderLB = "X-Halab-LB"

// maxBody bounds how much of an answer's body the probe reads.
const maxBody = 64 << 10

// response is what one request returned, before it is judged.
type response struct {
	status         int    // HTTP status; 0 when err is set before an answer
	lb, peer, node string // X-Halab-LB, X-Halab-Peer, X-Halab-Web
	err            error
}

// doFunc performs one request; ctx carries the per-request deadline.
type doFunc func(ctx context.Context) response

// newHTTPDo returns a doFunc that GETs target on a new TCP connection each
// time, reading at most maxBody bytes of the body. Redirects are answers
// (3xx counts as success), not followed.
func newHTTPDo(target string) (doFunc, error) {
	tmpl, err := http.NewRequest(http.MethodGet, target, nil)
	if err != nil {
		return nil, fmt.Errorf("probe: target %q: %w", target, err)
	}
	tmpl.Header.Set("User-Agent", "halab-probe")
	tmpl.Close = true
	tr := &http.Transport{
		Proxy:                  nil, // lab traffic never goes through an environment proxy
		DialContext:            (&net.Dialer{KeepAlive: -1}).DialContext,
		DisableKeepAlives:      true,
		DisableCompression:     true,
		MaxResponseHeaderBytes: maxBody,
	}
	client := &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return func(ctx context.Context) response {
		res, err := client.Do(tmpl.Clone(ctx))
		if err != nil {
			return response{err: err}
		}
		_, err = io.Copy(io.Discard, io.LimitReader(res.Body, maxBody))
		res.Body.Close()
		return response{
			status: res.StatusCode,
			lb:     res.Header.Get(HeaderLB),
			peer:   res.Header.Get(web.HeaderPeer),
			node:   res.Header.Get(web.HeaderWeb),
			err:    err,
		}
	}, nil
}

// judge turns a response into a result: success for a complete 2xx/3xx
// answer, attributed to a load balancer and a web server; otherwise a
// failure with its kind.
func (r response) judge(peers map[string]string) result {
	if r.err != nil {
		return result{kind: classify(r.err)}
	}
	if r.status < 200 || r.status >= 400 {
		return result{kind: "http " + strconv.Itoa(r.status)}
	}
	lb := r.lb
	if lb == "" {
		lb = peers[r.peer]
	}
	if lb == "" {
		lb = unknown
	}
	w := r.node
	if w == "" {
		w = unknown
	}
	return result{ok: true, lb: lb, web: w}
}

// unknown attributes an answer whose load balancer or web server is not named.
const unknown = "unknown"

// classify names the kind of a failed request: "timeout", "refused",
// "reset", "closed", "no route", "no local address", "dns", "canceled" or
// "error".
func classify(err error) string {
	var ne net.Error
	var dns *net.DNSError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ECONNABORTED):
		return "reset"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.ENONET):
		return "no route"
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		// connect: the source address vanished, or no ephemeral port is left.
		return "no local address"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "closed"
	case errors.As(err, &dns):
		return "dns"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	return "error"
}

// checkTarget validates the probe's target URL.
func checkTarget(target string) error {
	if target == "" {
		return errors.New("probe: no target URL (want e.g. http://172.16.0.200/)")
	}
	u, err := url.Parse(target)
	if err != nil {
		return fmt.Errorf("probe: target %q: %w", target, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("probe: target %q: want an http:// or https:// URL", target)
	}
	if u.Host == "" {
		return fmt.Errorf("probe: target %q: no host", target)
	}
	return nil
}
