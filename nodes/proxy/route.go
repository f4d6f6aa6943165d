package proxy

import (
	"net/netip"

	"github.com/halab/halab/nodes/proxy/hacfg"
)

// route picks the backend of the request in c.req: the first use_backend
// rule whose condition matches, else default_backend, else the listen
// section's own servers.
func (fe *frontend) route(c *clientConn) *backend {
	if len(fe.rules) > 0 {
		r := &hacfg.Request{Method: string(c.req.method), URI: string(c.req.uri), Src: c.src, Header: func(name string) (string, bool) {
			v, ok := c.req.lookup(name)
			return string(v), ok
		}}
		for _, rule := range fe.rules {
			if rule.cond == nil || rule.cond.Match(r) {
				return rule.be
			}
		}
	}
	return fe.fallbackBackend()
}

// routeTCP is route for a TCP-mode connection: only address-based
// conditions can match.
func (fe *frontend) routeTCP(src netip.Addr) *backend {
	r := &hacfg.Request{Src: src}
	for _, rule := range fe.rules {
		if rule.cond == nil || rule.cond.Match(r) {
			return rule.be
		}
	}
	return fe.fallbackBackend()
}

func (fe *frontend) fallbackBackend() *backend {
	if fe.defaultBE != nil {
		return fe.defaultBE
	}
	return fe.ownBE
}
