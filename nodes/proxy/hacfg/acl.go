package hacfg

import (
	"fmt"
	"net/netip"
	"strings"
)

// ACL is a named access list ("acl <name> <criterion> [flags] <value>…").
// Several lines with the same name complete it: it matches when any of its
// expressions does, as in HAProxy.
type ACL struct {
	Name  string
	Exprs []*ACLExpr
}

// MatchMethod is how an ACL compares a fetched string with its patterns
// ("-m str|beg|end|sub|found").
type MatchMethod string

// The match methods halab implements.
const (
	MatchStr   MatchMethod = "str"
	MatchBeg   MatchMethod = "beg"
	MatchEnd   MatchMethod = "end"
	MatchSub   MatchMethod = "sub"
	MatchFound MatchMethod = "found"
	MatchIP    MatchMethod = "ip"
)

// ACLExpr is one criterion with its patterns, such as "path_beg /api" or
// "hdr(host) -i example.com".
type ACLExpr struct {
	// Fetch is "path", "url", "method", "src", "hdr", "always_true" or
	// "always_false".
	Fetch string
	// Header is the header name of an hdr() fetch.
	Header     string
	Match      MatchMethod
	IgnoreCase bool
	Values     []string
	prefixes   []netip.Prefix
}

// Request is what ACLs look at in an HTTP request.
type Request struct {
	Method string
	// URI is the request target as sent ("/path?query").
	URI string
	Src netip.Addr
	// Header returns the first value of a header (case-insensitive name).
	Header func(name string) (string, bool)
}

// Condition is a rule's "if"/"unless" condition: a disjunction ("or", "||")
// of conjunctions of possibly negated ACLs.
type Condition struct {
	Unless bool
	Or     [][]CondTerm
}

// CondTerm is one ACL in a condition, possibly negated with '!'.
type CondTerm struct {
	Not bool
	ACL *ACL
}

// SwitchRule is a "use_backend <name> [if|unless <condition>]" line.
type SwitchRule struct {
	Backend string
	// Cond is nil for an unconditional rule.
	Cond *Condition
	Line int
}

// aclFetches maps HAProxy criteria to a fetch and its default match.
var aclFetches = map[string]struct {
	fetch string
	match MatchMethod
}{
	"path": {"path", MatchStr}, "path_beg": {"path", MatchBeg}, "path_end": {"path", MatchEnd},
	"path_sub": {"path", MatchSub}, "url": {"url", MatchStr}, "url_beg": {"url", MatchBeg},
	"url_end": {"url", MatchEnd}, "url_sub": {"url", MatchSub}, "method": {"method", MatchStr},
	"src": {"src", MatchIP}, "always_true": {"always_true", MatchFound},
	"always_false": {"always_false", MatchFound}, "hdr": {"hdr", MatchStr},
	"hdr_beg": {"hdr", MatchBeg}, "hdr_end": {"hdr", MatchEnd}, "hdr_sub": {"hdr", MatchSub},
}

// parseACLExpr parses "<criterion> [flags] <value>…".
func parseACLExpr(words []string) (*ACLExpr, error) {
	if len(words) == 0 {
		return nil, fmt.Errorf("missing ACL criterion")
	}
	crit, header := words[0], ""
	if i := strings.IndexByte(crit, '('); i > 0 && strings.HasSuffix(crit, ")") {
		crit, header = crit[:i], crit[i+1:len(crit)-1]
	}
	f, ok := aclFetches[crit]
	if !ok {
		return nil, fmt.Errorf("ACL criterion '%s' is not implemented by halab (it has path, path_beg, path_end, path_sub, url, url_beg, url_end, url_sub, hdr(), hdr_beg(), hdr_end(), hdr_sub(), method, src, always_true, always_false)", words[0])
	}
	if f.fetch == "hdr" && header == "" {
		return nil, fmt.Errorf("'%s' needs a header name, as in hdr(host)", words[0])
	}
	e := &ACLExpr{Fetch: f.fetch, Header: header, Match: f.match}
	args := words[1:]
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		flag := args[0]
		args = args[1:]
		switch flag {
		case "-i":
			e.IgnoreCase = true
		case "-m":
			if len(args) == 0 {
				return nil, fmt.Errorf("'-m' expects a match method")
			}
			switch m := MatchMethod(args[0]); m {
			case MatchStr, MatchBeg, MatchEnd, MatchSub, MatchFound:
				e.Match = m
			default:
				return nil, fmt.Errorf("match method '-m %s' is not implemented by halab", args[0])
			}
			args = args[1:]
		case "--":
			goto values
		default:
			return nil, fmt.Errorf("ACL flag '%s' is not implemented by halab", flag)
		}
	}
values:
	e.Values = args
	if e.Fetch == "src" {
		for _, v := range args {
			pfx, err := netip.ParsePrefix(v)
			if err != nil {
				a, aerr := netip.ParseAddr(v)
				if aerr != nil {
					return nil, fmt.Errorf("'%s' is not an IP address or network", v)
				}
				pfx = netip.PrefixFrom(a, a.BitLen())
			}
			e.prefixes = append(e.prefixes, pfx)
		}
	}
	needValues := e.Match != MatchFound && e.Fetch != "always_true" && e.Fetch != "always_false"
	if needValues && len(e.Values) == 0 {
		return nil, fmt.Errorf("'%s' expects at least one value to match", words[0])
	}
	return e, nil
}

// parseACLLine handles "acl <name> <criterion> [flags] <value>…".
func (p *parser) parseACLLine(args []string) {
	if len(args) < 2 {
		p.errorf("'acl' expects <name> <criterion> [flags] <value>…")
		return
	}
	e, err := parseACLExpr(args[1:])
	if err != nil {
		p.errorf("acl '%s': %v", args[0], err)
		return
	}
	if p.cur.ACLs == nil {
		p.cur.ACLs = map[string]*ACL{}
	}
	a := p.cur.ACLs[args[0]]
	if a == nil {
		a = &ACL{Name: args[0]}
		p.cur.ACLs[args[0]] = a
	}
	a.Exprs = append(a.Exprs, e)
}

// parseUseBackend handles "use_backend <name> [{if|unless} <condition>]".
func (p *parser) parseUseBackend(args []string) {
	if len(args) == 0 {
		p.errorf("'use_backend' expects a backend name")
		return
	}
	rule := SwitchRule{Backend: args[0], Line: p.line}
	if len(args) > 1 {
		cond, err := p.parseCondition(args[1:])
		if err != nil {
			p.errorf("error detected while parsing switching rule : %v", err)
			return
		}
		rule.Cond = cond
	}
	p.cur.Rules = append(p.cur.Rules, rule)
}

// parseCondition parses "if|unless <term>… [or <term>…]".
func (p *parser) parseCondition(words []string) (*Condition, error) {
	c := &Condition{}
	switch words[0] {
	case "if":
	case "unless":
		c.Unless = true
	default:
		return nil, fmt.Errorf("expects 'if' or 'unless' followed by a condition, got '%s'", words[0])
	}
	words = words[1:]
	if len(words) == 0 {
		return nil, fmt.Errorf("missing condition after '%s'", map[bool]string{true: "unless", false: "if"}[c.Unless])
	}
	var and []CondTerm
	for len(words) > 0 {
		w := words[0]
		words = words[1:]
		if w == "or" || w == "||" {
			if len(and) == 0 {
				return nil, fmt.Errorf("'%s' without a condition before it", w)
			}
			c.Or, and = append(c.Or, and), nil
			continue
		}
		term := CondTerm{}
		if strings.HasPrefix(w, "!") {
			term.Not, w = true, w[1:]
			if w == "" {
				if len(words) == 0 {
					return nil, fmt.Errorf("'!' without an ACL after it")
				}
				w, words = words[0], words[1:]
			}
		}
		if w == "{" {
			end := -1
			for i, x := range words {
				if x == "}" {
					end = i
					break
				}
			}
			if end < 0 {
				return nil, fmt.Errorf("missing '}' after anonymous ACL")
			}
			e, err := parseACLExpr(words[:end])
			if err != nil {
				return nil, err
			}
			term.ACL = &ACL{Name: "anonymous", Exprs: []*ACLExpr{e}}
			words = words[end+1:]
		} else {
			a := p.cur.ACLs[w]
			if a == nil {
				return nil, fmt.Errorf("no such ACL : '%s'", w)
			}
			term.ACL = a
		}
		and = append(and, term)
	}
	if len(and) == 0 {
		return nil, fmt.Errorf("condition ends with 'or'")
	}
	c.Or = append(c.Or, and)
	return c, nil
}

// Match reports whether the condition holds for r ("unless" inverts it).
func (c *Condition) Match(r *Request) bool {
	res := false
	for _, and := range c.Or {
		ok := true
		for _, t := range and {
			if t.ACL.Match(r) == t.Not {
				ok = false
				break
			}
		}
		if ok {
			res = true
			break
		}
	}
	return res != c.Unless
}

// Match reports whether any expression of the ACL matches r.
func (a *ACL) Match(r *Request) bool {
	for _, e := range a.Exprs {
		if e.match(r) {
			return true
		}
	}
	return false
}

func (e *ACLExpr) match(r *Request) bool {
	var s string
	switch e.Fetch {
	case "always_true":
		return true
	case "always_false":
		return false
	case "src":
		for _, p := range e.prefixes {
			if p.Contains(r.Src.Unmap()) {
				return true
			}
		}
		return false
	case "method":
		s = r.Method
	case "url":
		s = r.URI
	case "path":
		var ok bool
		if s, ok = requestPath(r.URI); !ok {
			return false // no path: the fetch fails, even "-m found"
		}
	case "hdr":
		v, ok := "", false
		if r.Header != nil {
			v, ok = r.Header(e.Header)
		}
		if !ok {
			return false
		}
		s = v
	}
	if e.Match == MatchFound {
		return true
	}
	for _, v := range e.Values {
		a, b := s, v
		if e.IgnoreCase {
			a, b = strings.ToLower(a), strings.ToLower(b)
		}
		var ok bool
		switch e.Match {
		case MatchBeg:
			ok = strings.HasPrefix(a, b)
		case MatchEnd:
			ok = strings.HasSuffix(a, b)
		case MatchSub:
			ok = strings.Contains(a, b)
		default:
			ok = a == b
		}
		if ok {
			return true
		}
	}
	return false
}

// requestPath is HAProxy 2.6's "path" fetch: the request target from its
// first slash to the question mark, without the scheme and authority of an
// absolute form ("http://h/x?y" gives "/x"). A target without a path ("*",
// "host:port" of a CONNECT, "http://h") has none: ok is false, and the
// fetch fails, as HAProxy's does.
func requestPath(uri string) (path string, ok bool) {
	s := uri
	if !strings.HasPrefix(s, "/") {
		i := strings.Index(s, "://")
		if i < 0 {
			return "", false
		}
		s = s[i+3:] // absolute form: skip scheme and authority
		j := strings.IndexByte(s, '/')
		if j < 0 {
			return "", false
		}
		s = s[j:]
	}
	if i := strings.IndexByte(s, '?'); i >= 0 {
		s = s[:i]
	}
	return s, true
}
