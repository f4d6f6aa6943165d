package kaconf

import (
	"strconv"
	"strings"
	"time"
)

// parser walks the statements of a configuration the way keepalived's
// process_stream does, filling a Config.
type parser struct {
	stmts []statement
	next  int
	diags *diagnostics
	cfg   *Config

	instances []*instanceState // with what completion needs besides the model
}

// newParser starts a Config with keepalived's global defaults.
func newParser(stmts []statement, diags *diagnostics) *parser {
	return &parser{stmts: stmts, diags: diags, cfg: &Config{Global: Global{
		VRRPVersion:      2,
		GARPMasterDelay:  5 * time.Second,
		GARPMasterRepeat: 5,
	}}}
}

func (p *parser) peek() (statement, bool) {
	if p.next < len(p.stmts) {
		return p.stmts[p.next], true
	}
	return statement{}, false
}

func (p *parser) take() (statement, bool) {
	st, ok := p.peek()
	if ok {
		p.next++
	}
	return st, ok
}

// parseRoot reads the top level: global_defs, vrrp_script,
// vrrp_track_process, vrrp_instance.
func (p *parser) parseRoot() {
	for {
		st, ok := p.take()
		if !ok {
			return
		}
		switch {
		case st.brace == '{':
			p.diags.errorf(st.pos, "Unexpected '{' - ignoring the block it opens")
			p.skipBlockBody()
		case st.brace == '}':
			p.diags.errorf(st.pos, "Extra '}' found - remove it or add the '{' it closes")
		case st.keyword() == "global_defs":
			p.openBlock(st)
			p.block(st, p.globalKeyword)
		case st.keyword() == "vrrp_script":
			p.parseScript(st)
		case st.keyword() == "vrrp_track_process":
			p.parseProcess(st)
		case st.keyword() == "vrrp_instance":
			p.parseInstance(st)
		default:
			p.unknownKeyword(st, rootUnsupported)
		}
	}
}

// openBlock consumes the '{' that must follow the block keyword kw. Without
// it, like keepalived, the following lines are read as the block anyway.
func (p *parser) openBlock(kw statement) {
	if st, ok := p.peek(); ok && st.brace == '{' {
		p.next++
		return
	}
	p.diags.errorf(kw.pos, "Missing '{' at beginning of configuration block - put '{' after '%s'", strings.Join(words(kw), " "))
}

// block hands each statement of a block to handle, until the block's '}'.
func (p *parser) block(kw statement, handle func(statement)) {
	for {
		st, ok := p.take()
		switch {
		case !ok:
			p.unclosed(kw)
			return
		case st.brace == '}':
			return
		case st.brace == '{':
			p.diags.errorf(st.pos, "Unexpected '{' - ignoring the block it opens")
			p.skipBlockBody()
		default:
			handle(st)
		}
	}
}

// valueBlock returns the lines of a block of values (virtual_ipaddress,
// unicast_peer, track_script, track_interface, track_process), keepalived's
// alloc_value_block: one value per statement, until '}'.
func (p *parser) valueBlock(kw statement) []statement {
	if len(kw.words) > 1 {
		p.diags.warnf(kw.at(1), "Block %s has extra parameters %s ... - ignored", kw.keyword(), kw.arg(1))
	}
	p.openBlock(kw)
	var lines []statement
	for {
		st, ok := p.take()
		switch {
		case !ok:
			p.unclosed(kw)
			return lines
		case st.brace == '}':
			return lines
		case st.brace == '{':
			p.diags.errorf(st.pos, "Unexpected '{' in %s - ignoring the block it opens", kw.keyword())
			p.skipBlockBody()
		default:
			lines = append(lines, st)
		}
	}
}

func (p *parser) unclosed(kw statement) {
	p.diags.errorf(kw.pos, "There are missing '}'s or extra '{'s: the '%s' block is never closed - add its '}'", strings.Join(words(kw), " "))
}

// skipBlockBody skips to the '}' matching a '{' just taken.
func (p *parser) skipBlockBody() {
	for depth := 1; depth > 0; {
		st, ok := p.take()
		if !ok {
			return
		}
		switch st.brace {
		case '{':
			depth++
		case '}':
			depth--
		}
	}
}

// skipOptionalBlock skips the block that follows, if a '{' follows.
func (p *parser) skipOptionalBlock() bool {
	if st, ok := p.peek(); ok && st.brace == '{' {
		p.next++
		p.skipBlockBody()
		return true
	}
	return false
}

// unknownKeyword reports a keyword keepalived does not know ("Unknown
// keyword"), or one it knows and halab does not support, and skips its
// block if it has one.
func (p *parser) unknownKeyword(st statement, unsupported map[string]bool) {
	kw := st.keyword()
	hasBlock := p.skipOptionalBlock()
	switch {
	case unsupported[kw]:
		p.diags.warnf(st.pos, "'%s' is a keepalived keyword halab does not support - ignored", kw)
	case kw != "" && strings.ContainsAny(kw[:1], "$@~"):
		p.diags.warnf(st.pos, "Unknown keyword '%s' - halab does not support keepalived's $definitions, @conditionals or ~SEQ", kw)
	case hasBlock:
		p.diags.warnf(st.pos, "Unknown keyword '%s' - ignored with its { } block (keepalived 2.2.7 would read the block's lines as keywords and end the enclosing block at its '}')", kw)
	default:
		p.diags.warnf(st.pos, "Unknown keyword '%s' - ignored", kw)
	}
}

// needArgs reports keepalived's missing-parameter error unless st has at
// least n words after its keyword.
func (p *parser) needArgs(st statement, n int) bool {
	if len(st.words) > n {
		return true
	}
	if len(st.words) == 1 {
		p.diags.errorf(st.pos, "Configuration line starting `%s` is missing a parameter after keyword `%s` at word position %d", st.keyword(), st.keyword(), len(st.words)+1)
	} else {
		p.diags.errorf(st.pos, "Configuration line starting `%s` is missing a parameter after keyword `%s` at word position %d", st.keyword(), st.arg(len(st.words)-1), len(st.words)+1)
	}
	return false
}

// extraArgs warns about words after the n that keyword st reads, which
// keepalived ignores without a word.
func (p *parser) extraArgs(st statement, n int) {
	if len(st.words) > n+1 {
		p.diags.warnf(st.at(n+1), "'%s' takes %s; ignoring %q as keepalived does", st.keyword(), plural(n, "parameter"), strings.Join(words(st)[n+1:], " "))
	}
}

func words(st statement) []string {
	out := make([]string, len(st.words))
	for i, w := range st.words {
		out[i] = w.text
	}
	return out
}

func plural(n int, what string) string {
	switch n {
	case 0:
		return "no " + what + "s"
	case 1:
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}
