package hacfg

import (
	"fmt"
	"strconv"
	"strings"
)

// multiWordKeywords are the first words of HAProxy's two-word proxy keywords.
var multiWordKeywords = wordSet(`option timeout stats http-check tcp-check capture email-alert
external-check monitor persist rate-limit stick tcp-request tcp-response`)

// parseProxyLine handles one line of a defaults, frontend, backend or listen
// section: it checks the keyword is one HAProxy 2.6 knows and allows in this
// kind of section, then applies what halab implements and warns about the rest.
func (p *parser) parseProxyLine(words []string) {
	px := p.cur
	if px == nil {
		return
	}
	negate := false
	if (words[0] == "no" || words[0] == "default") && len(words) > 1 && words[1] == "option" {
		negate = words[0] == "no"
		words = words[1:]
	}
	kw, allowed, known := lookupProxyKeyword(words)
	if !known {
		p.unknownProxyKeyword(words)
		return
	}
	if !p.allowedHere(kw, allowed) {
		return
	}
	args := words[1:]
	if strings.Contains(kw, " ") {
		args = words[2:]
	}
	switch kw {
	case "mode":
		p.parseMode(args)
	case "bind":
		p.parseBind(args)
	case "default_backend":
		if len(args) != 1 {
			p.errorf("'default_backend' expects a backend name")
			return
		}
		px.DefaultBackend, px.DefaultBackendLine = args[0], p.line
	case "use_backend":
		p.parseUseBackend(args)
	case "acl":
		p.parseACLLine(args)
	case "balance":
		p.parseBalance(args)
	case "server":
		p.parseServer(args)
	case "default-server":
		p.parseDefaultServer(args)
	case "retries":
		if n, ok := p.intArg(words, 0); ok {
			px.Retries = n
		}
	case "maxconn":
		if n, ok := p.intArg(words, 0); ok {
			px.MaxConn = n
		}
	case "option httpchk":
		p.parseHTTPChk(args, negate)
	case "option forwardfor":
		px.ForwardFor = !negate
		if len(args) > 0 {
			p.warnf("'option forwardfor %s': halab ignores the arguments and appends X-Forwarded-For", strings.Join(args, " "))
		}
	case "option redispatch":
		p.parseRedispatch(args, negate)
	case "option allbackups":
		px.AllBackups = !negate
	case "option http-keep-alive":
		// halab's only mode, which is HAProxy's default: nothing to do.
	case "http-check expect":
		p.parseHTTPCheckExpect(args)
	case "http-check send":
		p.parseHTTPCheckSend(args)
	case "stats enable", "stats uri", "stats refresh":
		p.parseStats(kw, args)
	case "log", "option httplog", "option tcplog", "option dontlognull", "option dontlog-normal",
		"option log-health-checks", "option httpslog", "log-format", "option log-separate-errors":
		p.warnf("'%s' ignored: halab logs state changes and errors to its control socket, not to syslog", kw)
	case "errorfile", "errorfiles", "errorloc", "errorloc302", "errorloc303":
		p.warnf("'%s' ignored: halab answers with HAProxy's built-in error pages", kw)
	case "description":
		// informational only; HAProxy shows it on the stats page
	default:
		if strings.HasPrefix(kw, "timeout ") {
			p.parseTimeout(kw, args)
			return
		}
		if strings.HasPrefix(kw, "stats ") {
			p.notImplemented(kw, "ignored (the stats page has no authentication or admin mode)")
			return
		}
		p.notImplemented(kw, "ignored")
	}
}

// unknownProxyKeyword reports a keyword HAProxy 2.6 does not know, with the
// message HAProxy prints.
func (p *parser) unknownProxyKeyword(words []string) {
	w0 := words[0]
	if multiWordKeywords[w0] {
		if len(words) < 2 {
			p.errorf("'%s' expects an argument", w0)
			return
		}
		if w0 == "option" {
			p.errorf("unknown option '%s' (HAProxy 2.6 refuses it too)", words[1])
		} else {
			p.errorf("unknown keyword '%s %s' in '%s' section (HAProxy 2.6 refuses it too)", w0, words[1], p.section)
		}
		return
	}
	msg := fmt.Sprintf("unknown keyword '%s' in '%s' section", w0, p.section)
	known := map[string]bool{}
	for k := range proxyKeywords {
		if !strings.Contains(k, " ") {
			known[k] = true
		}
	}
	if s := suggest(w0, known); s != "" {
		msg += fmt.Sprintf("; did you mean '%s' maybe ?", s)
	}
	p.errorf("%s (HAProxy 2.6 refuses it too)", msg)
}

// allowedHere applies HAProxy's section rules for a known keyword: not
// allowed in defaults is an error, a frontend keyword in a backend (or the
// reverse) is ignored with a warning, except servers which are an error.
func (p *parser) allowedHere(kw string, s sectionSet) bool {
	px := p.cur
	switch p.section {
	case "defaults":
		if !s.defaults {
			p.errorf("'%s' not allowed in 'defaults' section", kw)
			return false
		}
	case "listen":
		if !s.listen {
			p.errorf("'%s' not allowed in 'listen' section", kw)
			return false
		}
	case "frontend":
		if !s.frontend {
			if kw == "server" || kw == "default-server" || kw == "server-template" {
				p.errorf("'%s' not allowed because frontend '%s' has no backend capability", kw, px.Name)
			} else {
				p.warnf("'%s' ignored because frontend '%s' has no backend capability", kw, px.Name)
			}
			return false
		}
	case "backend":
		if !s.backend {
			msg := fmt.Sprintf("'%s' ignored because backend '%s' has no frontend capability", kw, px.Name)
			if kw == "maxconn" {
				msg += ". Maybe you want 'fullconn' instead ?"
			}
			p.warnf("%s", msg)
			return false
		}
	}
	return true
}

func (p *parser) parseMode(args []string) {
	if len(args) != 1 {
		p.errorf("'mode' expects one argument, 'tcp' or 'http'")
		return
	}
	switch args[0] {
	case "tcp":
		p.cur.Mode = ModeTCP
	case "http":
		p.cur.Mode = ModeHTTP
	default:
		p.errorf("unknown proxy mode '%s'", args[0])
	}
}

func (p *parser) parseBalance(args []string) {
	if len(args) == 0 {
		p.errorf("'balance' expects an algorithm")
		return
	}
	switch a := args[0]; a {
	case "roundrobin", "static-rr", "leastconn", "source", "first":
		p.cur.Balance = Algorithm(a)
		if len(args) > 1 {
			p.errorf("'balance %s' takes no argument; unexpected '%s'", a, args[1])
		}
	case "uri", "url_param", "random", "hash":
		p.warnf("'balance %s' is HAProxy 2.6 syntax halab does not implement; using roundrobin", a)
		p.cur.Balance = RoundRobin
	default:
		if strings.HasPrefix(a, "hdr(") || strings.HasPrefix(a, "rdp-cookie") || strings.HasPrefix(a, "random(") {
			p.warnf("'balance %s' is HAProxy 2.6 syntax halab does not implement; using roundrobin", a)
			p.cur.Balance = RoundRobin
			return
		}
		p.errorf("balance only supports 'roundrobin', 'static-rr', 'leastconn', 'source', 'uri', 'url_param', 'hdr(name)' and 'rdp-cookie(name)' options (got '%s')", a)
	}
}

func (p *parser) parseRedispatch(args []string, negate bool) {
	px := p.cur
	px.Redispatch = !negate
	px.RedispatchEvery = -1
	if len(args) == 0 {
		return
	}
	n, err := strconv.Atoi(args[0])
	if err != nil {
		p.errorf("'option redispatch' expects an integer interval, got '%s'", args[0])
		return
	}
	if n == 0 { // HAProxy: 0 disables redispatch
		px.Redispatch = false
		return
	}
	px.RedispatchEvery = n
}

// parseTimeout handles "timeout <name> <time>".
func (p *parser) parseTimeout(kw string, args []string) {
	if len(args) != 1 {
		p.errorf("'%s' expects an integer value (in milliseconds)", kw)
		return
	}
	d, err := ParseTime(args[0])
	if err != nil {
		p.errorf("'%s': %v", kw, err)
		return
	}
	t := &p.cur.Timeout
	switch kw {
	case "timeout connect":
		t.Connect = d
	case "timeout client":
		t.Client = d
	case "timeout server":
		t.Server = d
	case "timeout check":
		t.Check = d
	case "timeout http-request":
		t.HTTPRequest = d
	case "timeout http-keep-alive":
		t.HTTPKeepAlive = d
	case "timeout queue":
		t.Queue = d
	case "timeout tunnel":
		t.Tunnel = d
	default:
		p.notImplemented(kw, "ignored")
	}
}

// parseStats handles "stats enable", "stats uri <prefix>" and
// "stats refresh <delay>"; each of them enables the page, as in HAProxy.
func (p *parser) parseStats(kw string, args []string) {
	st := &p.cur.Stats
	switch kw {
	case "stats enable":
		if len(args) > 0 {
			p.errorf("'stats enable' takes no argument")
			return
		}
	case "stats uri":
		if len(args) != 1 {
			p.errorf("'stats uri' expects a URI prefix")
			return
		}
		st.URI = args[0]
	case "stats refresh":
		if len(args) != 1 {
			p.errorf("'stats refresh' expects a delay")
			return
		}
		d, err := ParseTime(args[0])
		if err != nil {
			p.errorf("'stats refresh': %v", err)
			return
		}
		if !strings.ContainsAny(args[0], "umshd") { // HAProxy reads a bare number as seconds here
			d *= 1000
		}
		st.Refresh = d
	}
	st.Enabled = true
	if st.URI == "" {
		st.URI = DefaultStatsURI
	}
}

// parseHTTPChk handles "option httpchk [<method>] [<uri>] [<version>]".
func (p *parser) parseHTTPChk(args []string, negate bool) {
	if negate {
		p.cur.HTTPCheck = nil
		return
	}
	hc := &HTTPCheck{Method: "OPTIONS", URI: "/", Version: "HTTP/1.0"}
	switch len(args) {
	case 0:
	case 1:
		hc.URI = args[0]
	case 2:
		hc.Method, hc.URI = args[0], args[1]
	case 3:
		hc.Method, hc.URI, hc.Version = args[0], args[1], args[2]
		// The deprecated "HTTP/1.1\r\nHost:\ www" trick carries a Host header.
		if v, rest, ok := strings.Cut(hc.Version, "\r\n"); ok {
			hc.Version = v
			if name, val, ok := strings.Cut(rest, ":"); ok && strings.EqualFold(strings.TrimSpace(name), "host") {
				hc.Host = strings.TrimSpace(strings.TrimRight(val, "\r\n"))
			}
		}
	default:
		p.errorf("'option httpchk' expects at most <method> <uri> <version>")
		return
	}
	if hc.Version != "HTTP/1.0" && hc.Version != "HTTP/1.1" {
		p.errorf("'option httpchk': unsupported HTTP version '%s'", hc.Version)
		return
	}
	p.cur.HTTPCheck = hc
}

// checkRules collects "http-check send" and "http-check expect" lines; they
// apply to the request "option httpchk" enables, wherever they appear.
type checkRules struct {
	method, uri, version, host string
	expect                     []int
	expectNot                  bool
	line                       int
}

// apply merges the rules into hc.
func (r *checkRules) apply(hc *HTTPCheck) {
	if r.method != "" {
		hc.Method = r.method
	}
	if r.uri != "" {
		hc.URI = r.uri
	}
	if r.version != "" {
		hc.Version = r.version
	}
	if r.host != "" {
		hc.Host = r.host
	}
	if r.expect != nil {
		hc.ExpectStatus = append([]int(nil), r.expect...)
		hc.ExpectNot = r.expectNot
	}
}

func (p *parser) rules() *checkRules {
	if p.cur.checks == nil {
		p.cur.checks = &checkRules{}
	}
	if p.cur.checks.line == 0 {
		p.cur.checks.line = p.line
	}
	return p.cur.checks
}

// parseHTTPCheckExpect handles "http-check expect [!] status <code>[,<code>…]".
func (p *parser) parseHTTPCheckExpect(args []string) {
	not := false
	if len(args) > 0 && args[0] == "!" {
		not, args = true, args[1:]
	}
	if len(args) == 0 {
		p.errorf("'http-check expect' expects 'status', 'rstatus', 'string', 'rstring' or 'hdr'")
		return
	}
	switch args[0] {
	case "status":
		if len(args) < 2 {
			p.errorf("'http-check expect' : 'status' expects a <pattern> as argument")
			return
		}
		var codes []int
		for _, c := range strings.Split(args[1], ",") {
			n, err := strconv.Atoi(c)
			if err != nil || n < 100 || n > 599 {
				p.errorf("'http-check expect status': '%s' is not an HTTP status code (halab matches exact codes, comma separated)", c)
				return
			}
			codes = append(codes, n)
		}
		r := p.rules()
		r.expect, r.expectNot = codes, not
	case "rstatus", "string", "rstring", "hdr", "fhdr", "custom":
		p.notImplemented("http-check expect "+args[0], "only 'http-check expect status' is; the default rule (2xx or 3xx) applies")
	default:
		p.errorf("'http-check expect' : unknown match '%s'", args[0])
	}
}

// parseHTTPCheckSend handles "http-check send [meth M] [uri U] [ver V] [hdr N V]…".
func (p *parser) parseHTTPCheckSend(args []string) {
	r := p.rules()
	for i := 0; i < len(args); i++ {
		n := 1
		switch args[i] {
		case "hdr":
			n = 2
		case "meth", "uri", "ver", "body", "body-lf", "uri-lf", "body-lf-fmt":
		default:
			p.errorf("'http-check send' : unknown argument '%s'", args[i])
			return
		}
		if i+n >= len(args) {
			p.errorf("'http-check send' : '%s' expects %d argument(s)", args[i], n)
			return
		}
		switch v := args[i+1]; args[i] {
		case "meth":
			r.method = v
		case "uri":
			r.uri = v
		case "ver":
			r.version = v
		case "hdr":
			if strings.EqualFold(v, "host") {
				r.host = args[i+2]
			} else {
				p.warnf("'http-check send hdr %s' ignored: halab only sends the Host header", v)
			}
		default:
			p.notImplemented("http-check send "+args[i], "ignored")
		}
		i += n
	}
}
