package hacfg

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// serverKeywordsWithArg are the HAProxy 2.6 server options that take one
// argument; the other known options are flags.
var serverKeywordsWithArg = wordSet(`addr agent-addr agent-inter agent-port agent-send alpn ca-file
check-alpn check-proto check-sni ciphers ciphersuites cookie crl-file crt downinter
error-limit fall fastinter id init-addr inter log-proto max-reuse maxconn maxqueue
minconn namespace npn observe on-error on-marked-down on-marked-up pool-low-conn
pool-max-conn pool-purge-delay port proto proxy-v2-options redir resolve-net
resolve-opts resolve-prefer resolvers rise slowstart sni socks4 source ssl-max-ver
ssl-min-ver tcp-ut track verify verifyhost weight ws`)

// serverKeywordsRefused change the protocol spoken to the server; ignoring
// them would send it traffic it does not expect, so they are errors.
var serverKeywordsRefused = wordSet(`ssl check-ssl send-proxy send-proxy-v2 send-proxy-v2-ssl
send-proxy-v2-ssl-cn socks4 check-via-socks4 check-send-proxy proto alpn ws`)

// bindKeywordsWithArg are the HAProxy 2.6 bind options that take one argument.
var bindKeywordsWithArg = wordSet(`accept-netscaler-cip alpn backlog ca-file ca-ignore-err
ca-sign-file ca-sign-pass ca-verify-file ciphers ciphersuites crl-file crt
crt-ignore-err crt-list curves ecdhe expose-fd gid group id interface level maxconn
mode mss name namespace nice npn process proto severity-output shards ssl-max-ver
ssl-min-ver tcp-ut thread tls-ticket-keys uid user verify`)

// parseServer handles "server <name> <addr>:<port> [options…]".
func (p *parser) parseServer(args []string) {
	px := p.cur
	if len(args) < 2 {
		p.errorf("'server' expects <name> and <addr>[:<port>] as arguments")
		return
	}
	name, addr := args[0], args[1]
	for _, s := range px.Servers {
		if s.Name == name {
			p.errorf("backend '%s', another server named '%s' was already defined at line %d, please use distinct names", px.Name, name, s.Line)
			return
		}
	}
	hostport, err := serverAddr(addr)
	if err != nil {
		p.errorf("'server %s/%s' : %v", px.Name, name, err)
		return
	}
	s := px.defaultServer
	if !p.serverOptions(fmt.Sprintf("'server %s/%s'", px.Name, name), args[2:], &s) {
		return
	}
	s.Name, s.Addr, s.Line = name, hostport, p.line
	px.Servers = append(px.Servers, &s)
}

// parseDefaultServer handles "default-server [options…]".
func (p *parser) parseDefaultServer(args []string) {
	params := p.cur.defaultServer
	if p.serverOptions("'default-server'", args, &params) {
		p.cur.defaultServer = params
	}
}

// serverOptions applies server options to params; it reports false after an
// error, as HAProxy stops at the first bad option of a line.
func (p *parser) serverOptions(who string, opts []string, params *Server) bool {
	for i := 0; i < len(opts); i++ {
		kw := opts[i]
		if !serverKeywordSet[kw] {
			msg := fmt.Sprintf("%s : unknown keyword '%s'", who, kw)
			if s := suggest(kw, serverKeywordSet); s != "" {
				msg += fmt.Sprintf("; did you mean '%s' maybe ?", s)
			}
			p.errorf("%s (HAProxy 2.6 refuses it too)", msg)
			return false
		}
		var arg string
		if serverKeywordsWithArg[kw] {
			if i+1 >= len(opts) {
				p.errorf("%s : '%s' expects an argument", who, kw)
				return false
			}
			i++
			arg = opts[i]
		}
		if serverKeywordsRefused[kw] {
			p.errorf("%s : '%s' is not implemented by halab, and the server would not understand plain connections", who, kw)
			return false
		}
		var err error
		switch kw {
		case "check":
			params.Check = true
		case "no-check":
			params.Check = false
		case "backup":
			params.Backup = true
		case "no-backup":
			params.Backup = false
		case "disabled":
			params.Disabled = true
		case "enabled":
			params.Disabled = false
		case "inter":
			params.Inter, err = positiveTime(kw, arg)
		case "fastinter":
			params.FastInter, err = positiveTime(kw, arg)
		case "downinter":
			params.DownInter, err = positiveTime(kw, arg)
		case "rise":
			params.Rise, err = positiveInt(kw, arg)
		case "fall":
			params.Fall, err = positiveInt(kw, arg)
		case "port":
			params.CheckPort, err = strconv.Atoi(arg)
			if err != nil || params.CheckPort < 1 || params.CheckPort > 65535 {
				err = fmt.Errorf("invalid port '%s'", arg)
			}
		case "weight":
			var w int
			w, err = strconv.Atoi(arg)
			if err == nil && (w < 0 || w > 256) {
				err = fmt.Errorf("weight is not within 0 and 256 (%d)", w)
			} else if err != nil {
				err = fmt.Errorf("'weight' expects an integer argument, got '%s'", arg)
			}
			params.Weight = w
		default:
			p.warnf("%s : '%s' is a HAProxy 2.6 server option halab does not implement; ignored", who, kw)
		}
		if err != nil {
			p.errorf("%s : %v", who, err)
			return false
		}
	}
	return true
}

func positiveTime(kw, arg string) (time.Duration, error) {
	d, err := ParseTime(arg)
	if err != nil {
		return 0, fmt.Errorf("'%s': %v", kw, err)
	}
	if d <= 0 {
		return 0, fmt.Errorf("invalid value %s for argument '%s'", arg, kw)
	}
	return d, nil
}

func positiveInt(kw, arg string) (int, error) {
	n, err := strconv.Atoi(arg)
	if err != nil {
		return 0, fmt.Errorf("'%s' expects an integer argument, got '%s'", kw, arg)
	}
	if n <= 0 {
		return 0, fmt.Errorf("'%s' has to be > 0", kw)
	}
	return n, nil
}

// serverAddr validates a server address and returns it as host:port.
func serverAddr(addr string) (string, error) {
	for _, prefix := range []string{"ipv4@", "ipv6@"} {
		addr = strings.TrimPrefix(addr, prefix)
	}
	if strings.HasPrefix(addr, "/") || strings.Contains(addr, "@") {
		return "", fmt.Errorf("address '%s': halab only connects to servers over TCP/IP", addr)
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return "", fmt.Errorf("address '%s' has no port: HAProxy 2.6 would reuse the port the client connected to; halab needs an explicit port", addr)
	}
	if host == "" || host == "*" {
		return "", fmt.Errorf("address '%s' has no host", addr)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("invalid port '%s' in '%s' (halab needs a fixed port, no range or offset)", port, addr)
	}
	return net.JoinHostPort(host, port), nil
}

// parseBind handles "bind <addr>:<port>[,<addr>:<port>…] [options…]".
func (p *parser) parseBind(args []string) {
	if len(args) == 0 {
		p.errorf("'bind' expects {<path>|[addr1]:port1[-end1]}{,[addr]:port[-end]}... as arguments")
		return
	}
	var binds []Bind
	for _, a := range strings.Split(args[0], ",") {
		hostport, err := bindAddr(a)
		if err != nil {
			p.errorf("'bind' : %v", err)
			return
		}
		binds = append(binds, Bind{Addr: hostport, Line: p.line})
	}
	opts := args[1:]
	for i := 0; i < len(opts); i++ {
		kw := opts[i]
		if !bindKeywordSet[kw] {
			msg := fmt.Sprintf("'bind %s' in section '%s': unknown keyword '%s'", args[0], p.section, kw)
			if s := suggest(kw, bindKeywordSet); s != "" {
				msg += fmt.Sprintf("; did you mean '%s' maybe ?", s)
			}
			p.errorf("%s (HAProxy 2.6 refuses it too)", msg)
			return
		}
		if kw == "ssl" || kw == "crt" || kw == "crt-list" || kw == "accept-proxy" {
			p.errorf("'bind %s' : '%s' is not implemented by halab (no TLS or PROXY protocol termination)", args[0], kw)
			return
		}
		if bindKeywordsWithArg[kw] {
			if i+1 >= len(opts) {
				p.errorf("'bind %s' : '%s' expects an argument", args[0], kw)
				return
			}
			i++
		}
		if kw == "transparent" {
			continue // halab binds non-local addresses anyway (IP_FREEBIND)
		}
		p.warnf("'bind %s' : '%s' is a HAProxy 2.6 bind option halab does not implement; ignored", args[0], kw)
	}
	p.cur.Binds = append(p.cur.Binds, binds...)
}

// bindAddr validates one bind address and returns it as host:port, with an
// empty host for "all addresses" (":80", "*:80", "0.0.0.0:80" stays as is).
func bindAddr(a string) (string, error) {
	for _, prefix := range []string{"ipv4@", "ipv6@", "tcp@", "tcp4@", "tcp6@"} {
		a = strings.TrimPrefix(a, prefix)
	}
	if strings.HasPrefix(a, "/") || strings.Contains(a, "@") {
		return "", fmt.Errorf("'%s': halab only listens on TCP/IP addresses", a)
	}
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		return "", fmt.Errorf("missing port specification in '%s'", a)
	}
	if port == "" {
		return "", fmt.Errorf("missing port specification in '%s'", a)
	}
	if strings.Contains(port, "-") {
		return "", fmt.Errorf("port range '%s' in '%s' is not implemented by halab", port, a)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("invalid port '%s'", port)
	}
	if host == "*" {
		host = ""
	}
	if host != "" && net.ParseIP(host) == nil {
		return "", fmt.Errorf("'%s': halab binds IP addresses, not host names ('%s')", a, host)
	}
	return net.JoinHostPort(host, port), nil
}
