package hacfg

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// HAProxy 2.6's built-in values that halab mirrors.
const (
	// DefaultBufSize is tune.bufsize.
	DefaultBufSize = 16384
	// DefaultMaxRewrite is tune.maxrewrite.
	DefaultMaxRewrite = 1024
	// DefaultMaxHdr is tune.http.maxhdr.
	DefaultMaxHdr = 101
	// DefaultRetries is the "retries" default.
	DefaultRetries = 3
	// DefaultInter, DefaultRise, DefaultFall and DefaultWeight are the
	// server defaults ("inter 2000 rise 2 fall 3 weight 1").
	DefaultInter  = 2000 * time.Millisecond
	DefaultRise   = 2
	DefaultFall   = 3
	DefaultWeight = 1
	// maxLineLen is HAProxy's LINESIZE: longer lines are an error.
	maxLineLen = 2048
)

// ParseFile reads and parses the haproxy.cfg at path. It returns the
// configuration, every warning and error found (all at once, each naming
// file:line), and a non-nil error when the file cannot be read or any
// diagnostic is an error (then an *InvalidError listing them).
func ParseFile(path string) (*Config, []Diagnostic, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read haproxy configuration: %w", err)
	}
	return Parse(path, data)
}

// Parse parses a haproxy.cfg held in data; file names it in diagnostics.
// It behaves as ParseFile.
func Parse(file string, data []byte) (*Config, []Diagnostic, error) {
	p := &parser{
		file:         file,
		cfg:          &Config{File: file, Global: Global{BufSize: DefaultBufSize, MaxRewrite: DefaultMaxRewrite, MaxHdr: DefaultMaxHdr}},
		defaults:     builtinDefaults(),
		namedDefault: map[string]*Proxy{},
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), len(data)+1)
	for sc.Scan() {
		p.line++
		p.parseLine(sc.Text())
	}
	p.validate()
	var errs []Diagnostic
	for _, d := range p.diags {
		if d.Severity == Error {
			errs = append(errs, d)
		}
	}
	if len(errs) > 0 {
		return p.cfg, p.diags, &InvalidError{File: file, Errors: errs}
	}
	return p.cfg, p.diags, nil
}

// builtinDefaults are the settings a "defaults" section starts from, as
// HAProxy 2.6 documents them: mode tcp, balance roundrobin, retries 3.
func builtinDefaults() *Proxy {
	return &Proxy{
		Mode:            ModeTCP,
		Balance:         RoundRobin,
		Retries:         DefaultRetries,
		RedispatchEvery: -1,
		defaultServer:   Server{Inter: DefaultInter, Rise: DefaultRise, Fall: DefaultFall, Weight: DefaultWeight},
	}
}

type parser struct {
	file  string
	cfg   *Config
	diags []Diagnostic
	line  int

	// section is the current section keyword ("global", "defaults",
	// "frontend", "backend", "listen", another HAProxy section, or "").
	section      string
	cur          *Proxy // current defaults/frontend/backend/listen
	defaults     *Proxy // the defaults the next proxy inherits
	namedDefault map[string]*Proxy
}

func (p *parser) errorf(format string, args ...any) {
	p.diags = append(p.diags, Diagnostic{File: p.file, Line: p.line, Severity: Error, Message: fmt.Sprintf(format, args...)})
}

func (p *parser) warnf(format string, args ...any) {
	p.diags = append(p.diags, Diagnostic{File: p.file, Line: p.line, Severity: Warning, Message: fmt.Sprintf(format, args...)})
}

// notImplemented warns about a keyword HAProxy 2.6 knows and halab ignores.
func (p *parser) notImplemented(kw, what string) {
	p.warnf("'%s' is a HAProxy 2.6 keyword halab does not implement; %s", kw, what)
}

func (p *parser) parseLine(line string) {
	if len(line) > maxLineLen {
		p.errorf("line too long (%d bytes, HAProxy's limit is %d)", len(line), maxLineLen)
		return
	}
	words, err := splitWords(line)
	if err != nil {
		p.errorf("%v", err)
		return
	}
	if len(words) == 0 {
		return
	}
	switch kw := words[0]; kw {
	case "global":
		p.endSection()
		p.section = kw
		if len(words) > 1 {
			p.warnf("'global' takes no argument; %q ignored", strings.Join(words[1:], " "))
		}
		return
	case "defaults", "frontend", "backend", "listen":
		p.endSection()
		p.startProxy(kw, words[1:])
		return
	}
	if otherSectionNames[words[0]] {
		p.endSection()
		p.section = words[0]
		p.warnf("'%s' sections are not implemented by halab; the section is ignored", words[0])
		return
	}
	switch p.section {
	case "":
		p.errorf("unknown keyword '%s' out of section", words[0])
	case "global":
		p.parseGlobal(words)
	case "defaults", "frontend", "backend", "listen":
		p.parseProxyLine(words)
	default:
		// lines of an ignored section: already warned at its start
	}
}

func (p *parser) endSection() {
	p.section = ""
	p.cur = nil
}

// startProxy opens a defaults, frontend, backend or listen section:
// "<kind> [<name>] [from <defaults>]".
func (p *parser) startProxy(kind string, args []string) {
	p.section = kind
	name := ""
	from := ""
	if len(args) > 0 && args[0] != "from" {
		name, args = args[0], args[1:]
	}
	if len(args) >= 2 && args[0] == "from" {
		from, args = args[1], args[2:]
	} else if len(args) == 1 && args[0] == "from" {
		p.errorf("'from' expects a defaults section name")
		args = nil
	}
	if len(args) > 0 {
		p.errorf("unexpected argument '%s' after the name of %s '%s' (halab needs 'bind' lines for addresses)", args[0], kind, name)
	}
	base := p.defaults
	if from != "" {
		d, ok := p.namedDefault[from]
		if !ok {
			p.errorf("%s '%s': unable to find the defaults section '%s' it refers to with 'from'", kind, name, from)
		} else {
			base = d
		}
	}
	if kind == "defaults" {
		// A defaults section resets everything to the built-in values,
		// unless it loads another one with "from".
		d := builtinDefaults()
		if from != "" {
			d = cloneProxy(base)
		}
		d.Name, d.Line = name, p.line
		p.cur = d
		p.defaults = d
		if name != "" {
			p.namedDefault[name] = d
		}
		return
	}
	if name == "" {
		p.errorf("'%s' expects <name> as an argument", kind)
		name = fmt.Sprintf("<unnamed line %d>", p.line)
	}
	px := cloneProxy(base)
	px.Name, px.Line = name, p.line
	switch kind {
	case "frontend":
		px.Cap = CapFrontend
	case "backend":
		px.Cap = CapBackend
	default:
		px.Cap = CapFrontend | CapBackend
	}
	if !px.IsFrontend() {
		px.DefaultBackend, px.DefaultBackendLine = "", 0
	}
	for _, other := range p.cfg.Proxies {
		if other.Name == name && other.Cap&px.Cap != 0 {
			p.errorf("%s '%s' has the same name as %s '%s' declared at %s:%d", px.Kind(), name, other.Kind(), other.Name, p.file, other.Line)
			break
		}
	}
	p.cfg.Proxies = append(p.cfg.Proxies, px)
	p.cur = px
}

// cloneProxy copies the inheritable settings of a defaults section.
func cloneProxy(d *Proxy) *Proxy {
	px := &Proxy{
		Mode:               d.Mode,
		DefaultBackend:     d.DefaultBackend,
		DefaultBackendLine: d.DefaultBackendLine,
		MaxConn:            d.MaxConn,
		Balance:            d.Balance,
		Retries:            d.Retries,
		Redispatch:         d.Redispatch,
		RedispatchEvery:    d.RedispatchEvery,
		AllBackups:         d.AllBackups,
		ForwardFor:         d.ForwardFor,
		Timeout:            d.Timeout,
		Stats:              d.Stats,
		defaultServer:      d.defaultServer,
	}
	if d.HTTPCheck != nil {
		hc := *d.HTTPCheck
		hc.ExpectStatus = append([]int(nil), d.HTTPCheck.ExpectStatus...)
		px.HTTPCheck = &hc
	}
	if d.checks != nil {
		r := *d.checks
		r.expect = append([]int(nil), d.checks.expect...)
		px.checks = &r
	}
	return px
}

// parseGlobal handles one line of the global section.
func (p *parser) parseGlobal(words []string) {
	kw := words[0]
	switch kw {
	case "maxconn":
		if n, ok := p.intArg(words, 1); ok {
			p.cfg.Global.MaxConn = n
		}
	case "tune.bufsize":
		if n, ok := p.intArg(words, 1024); ok {
			p.cfg.Global.BufSize = n
		}
	case "tune.maxrewrite":
		if n, ok := p.intArg(words, 0); ok {
			p.cfg.Global.MaxRewrite = n
		}
	case "tune.http.maxhdr":
		n, err := 0, error(nil)
		if len(words) == 2 {
			n, err = strconv.Atoi(words[1])
		}
		if len(words) != 2 || err != nil || n < 1 || n > 32767 {
			p.errorf("'tune.http.maxhdr' expects a numeric value between 1 and 32767")
			return
		}
		p.cfg.Global.MaxHdr = n
	case "nbthread":
		if n, ok := p.intArg(words, 1); ok {
			if n > 64 { // HAProxy 2.6's MAX_THREADS on 64-bit systems
				p.errorf("'nbthread' : value must be between 1 and 64 (got %d)", n)
				return
			}
			p.cfg.Global.NbThread = n
		}
	case "log", "daemon", "user", "group", "uid", "gid", "chroot", "pidfile", "stats",
		"ca-base", "crt-base", "ulimit-n", "master-worker", "quiet", "node", "description":
		if kw == "stats" && len(words) > 1 {
			kw += " " + words[1]
		}
		p.warnf("global '%s' ignored: halab runs in the foreground and reports through its control socket", kw)
	default:
		if strings.HasPrefix(kw, "ssl-") || strings.HasPrefix(kw, "tune.ssl.") {
			p.warnf("global '%s' ignored: halab does not terminate TLS", kw)
			return
		}
		if globalKeywordSet[kw] {
			p.notImplemented(kw, "ignored")
			return
		}
		msg := fmt.Sprintf("unknown keyword '%s' in 'global' section", kw)
		if s := suggest(kw, globalKeywordSet); s != "" {
			msg += fmt.Sprintf("; did you mean '%s' maybe ?", s)
		}
		p.errorf("%s (HAProxy 2.6 refuses it too)", msg)
	}
	if kw == "tune.maxrewrite" || kw == "tune.bufsize" {
		g := &p.cfg.Global
		if g.MaxRewrite > g.BufSize/2 { // HAProxy readjusts it to half of bufsize
			g.MaxRewrite = g.BufSize / 2
		}
	}
}

// intArg parses words[1] as an integer of at least min.
func (p *parser) intArg(words []string, min int) (int, bool) {
	if len(words) < 2 {
		p.errorf("'%s' expects an integer argument", words[0])
		return 0, false
	}
	n, err := strconv.Atoi(words[1])
	if err != nil || n < min {
		p.errorf("'%s' expects an integer argument of at least %d, got '%s'", words[0], min, words[1])
		return 0, false
	}
	if len(words) > 2 {
		p.errorf("'%s' takes one argument; unexpected '%s'", words[0], words[2])
	}
	return n, true
}
