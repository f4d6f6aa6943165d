package kaconf

import (
	"math"
	"strings"
	"time"
)

// parseScript reads a vrrp_script block. As in keepalived, a script without
// a script line is dropped at the end of its block.
func (p *parser) parseScript(kw statement) {
	if !p.needArgs(kw, 1) {
		p.skipOptionalBlock()
		return
	}
	p.extraArgs(kw, 1)
	s := &Script{Name: kw.arg(1), Pos: kw.pos, Interval: time.Second, Rise: 1, Fall: 1}
	p.openBlock(kw)
	hasScript := false
	p.block(kw, func(st statement) {
		switch st.keyword() {
		case "script":
			hasScript = p.command(st, s.Name, &s.Command, &s.Args, 0)
		case "interval":
			if n, ok := p.scriptSeconds(st, s.Name, "interval", "(%s): vrrp script interval '%s' must be between 1 and %d - ignoring"); ok {
				s.Interval = n
			}
		case "timeout":
			if n, ok := p.scriptSeconds(st, s.Name, "timeout", "(%s): vrrp script timeout '%s' invalid - must be between 1 and %d - ignoring"); ok {
				s.Timeout = n
			}
		case "weight":
			p.scriptWeight(st, s)
		case "rise":
			if n, ok := p.scriptCount(st, s.Name, "rise"); ok {
				s.Rise = n
			}
		case "fall":
			if n, ok := p.scriptCount(st, s.Name, "fall"); ok {
				s.Fall = n
			}
		default:
			p.unknownKeyword(st, scriptUnsupported)
		}
	})
	if !hasScript {
		p.diags.errorf(kw.pos, "No script set for vrrp_script %s - removing; add script \"COMMAND\"", s.Name)
		return
	}
	if first := p.cfg.Script(s.Name); first != nil {
		p.diags.warnf(kw.pos, "vrrp_script %s is already defined at %s - keepalived tracks the first one", s.Name, first.Pos)
	}
	p.cfg.Scripts = append(p.cfg.Scripts, s)
}

// command reads a script or notify line as keepalived does: the whole line
// is split with quotes and escapes resolved; word 1 is the command, itself
// split into argv. It stores them and reports whether there is a command.
// extra is how many words after the command keepalived reads: none for
// vrrp_script, user and group for notify scripts.
func (p *parser) command(st statement, owner string, command *string, args *[]string, extra int) bool {
	line, err := splitCommand(st.raw)
	if err == nil && len(line) >= 2 {
		*args, err = splitCommand(line[1])
	}
	if err != nil {
		p.diags.errorf(st.pos, "(%s) Unable to parse script '%s': %v", owner, st.raw, err)
		return false
	}
	if len(line) < 2 || len(*args) == 0 {
		p.diags.errorf(st.pos, "(%s) %s without a command - write %s \"COMMAND ARGS\"", owner, st.keyword(), st.keyword())
		return false
	}
	*command = line[1]
	if len(line) > 2+extra {
		p.diags.warnf(st.pos, "(%s) keepalived runs only %q: the rest of the line (%q) is not part of the command - put the whole command in quotes", owner, line[1], strings.Join(line[2+extra:], " "))
	}
	return true
}

// scriptSeconds reads a vrrp_script interval or timeout: whole seconds,
// with keepalived's backward-compatible 0 turned into 1.
func (p *parser) scriptSeconds(st statement, name, what, invalid string) (time.Duration, bool) {
	if !p.needArgs(st, 1) {
		return 0, false
	}
	p.extraArgs(st, 1)
	n, err := parseUnsigned(st.arg(1), 0, maxTimerSeconds)
	if err != nil {
		p.diags.errorf(st.at(1), invalid, name, st.arg(1), maxTimerSeconds)
		return 0, false
	}
	if n == 0 {
		p.diags.warnf(st.at(1), "(%s): vrrp script %s must be greater than 0, setting to 1", name, what)
		n = 1
	}
	return time.Duration(n) * time.Second, true
}

// scriptWeight reads weight N [reverse].
func (p *parser) scriptWeight(st statement, s *Script) {
	if !p.needArgs(st, 1) {
		return
	}
	p.extraArgs(st, 2)
	n, err := parseInt(st.arg(1), -253, 253)
	if err != nil {
		p.diags.errorf(st.at(1), "vrrp_script %s weight %s must be in [-253, 253]", s.Name, st.arg(1))
		return
	}
	s.Weight = int(n)
	if len(st.words) > 2 {
		if st.arg(2) == "reverse" {
			s.WeightReverse = true
		} else {
			p.diags.warnf(st.at(2), "vrrp_script %s unknown weight option %s - ignored (the option is 'reverse')", s.Name, st.arg(2))
		}
	}
}

// scriptCount reads rise or fall: at least 1.
func (p *parser) scriptCount(st statement, name, what string) (int, bool) {
	if !p.needArgs(st, 1) {
		return 0, false
	}
	p.extraArgs(st, 1)
	n, err := parseUnsigned(st.arg(1), 1, math.MaxInt32)
	if err != nil {
		p.diags.errorf(st.at(1), "(%s): vrrp script %s value '%s' invalid (keepalived would default to 1) - give a count of at least 1", name, what, st.arg(1))
		return 0, false
	}
	return int(n), true
}
