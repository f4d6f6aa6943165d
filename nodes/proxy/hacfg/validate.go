package hacfg

import "fmt"

// validate runs the checks HAProxy 2.6 makes once the whole file is read
// (check_config_validity): references between sections, modes, missing
// listeners and timeouts.
func (p *parser) validate() {
	listeners := 0
	for _, px := range p.cfg.Proxies {
		p.line = px.Line
		p.finishChecks(px)
		if px.IsFrontend() {
			listeners += len(px.Binds)
			p.validateFrontend(px)
		}
		if px.Stats.Enabled && px.Mode != ModeHTTP {
			p.warnf("'stats' statement ignored for %s '%s' as it requires HTTP mode", px.Kind(), px.Name)
			px.Stats.Enabled = false
		}
		missing := px.IsFrontend() && px.Timeout.Client == 0 ||
			px.IsBackend() && (px.Timeout.Connect == 0 || px.Timeout.Server == 0)
		if missing {
			p.warnf("missing timeouts for %s '%s'. While not properly invalid, you will certainly encounter various problems with such a configuration. To fix this, please ensure that all following timeouts are set to a non-zero value: 'client', 'connect', 'server'", px.Kind(), px.Name)
		}
	}
	if listeners == 0 {
		p.line = 0
		p.warnf("configuration has no listener (no 'bind' in any frontend or listen section): HAProxy 2.6 would not start, and neither does halab's proxy")
	}
}

// finishChecks applies "http-check" rules to the request "option httpchk"
// enabled, or warns that they are ignored, as HAProxy does.
func (p *parser) finishChecks(px *Proxy) {
	if px.checks == nil {
		return
	}
	if px.HTTPCheck == nil {
		if px.IsBackend() {
			p.line = px.checks.line
			p.warnf("%s '%s' uses http-check rules without 'option httpchk', so the rules are ignored", px.Kind(), px.Name)
		}
		return
	}
	px.checks.apply(px.HTTPCheck)
}

func (p *parser) validateFrontend(px *Proxy) {
	if len(px.Binds) == 0 {
		p.warnf("%s '%s' has no 'bind' directive. Please declare it as a backend if this was intended", px.Kind(), px.Name)
	}
	check := func(name string, line int, what string) {
		be := p.cfg.Backend(name)
		if be == nil {
			p.line = line
			p.errorf("Proxy '%s': unable to find required %s: '%s'", px.Name, what, name)
			return
		}
		if px.Mode == ModeHTTP && be.Mode == ModeTCP {
			p.line = line
			p.errorf("http %s '%s' (%s:%d) tries to use incompatible tcp backend '%s' (%s:%d) as its %s (see 'mode')",
				px.Kind(), px.Name, p.file, px.Line, be.Name, p.file, be.Line, map[string]string{"default_backend": "default backend", "use_backend": "backend"}[what])
		}
	}
	if px.DefaultBackend != "" {
		check(px.DefaultBackend, px.DefaultBackendLine, "default_backend")
	}
	for _, r := range px.Rules {
		check(r.Backend, r.Line, "use_backend")
		if px.Mode == ModeTCP && r.Cond != nil && usesHTTP(r.Cond) {
			p.line = r.Line
			p.warnf("%s '%s' is in tcp mode: HTTP criteria of this use_backend rule never match", px.Kind(), px.Name)
		}
	}
	if !px.IsBackend() && px.DefaultBackend == "" && len(px.Rules) == 0 {
		p.line = px.Line
		p.warnf("%s '%s' has no default_backend and no use_backend rule: every request gets a 503", px.Kind(), px.Name)
	}
}

func usesHTTP(c *Condition) bool {
	for _, and := range c.Or {
		for _, t := range and {
			for _, e := range t.ACL.Exprs {
				switch e.Fetch {
				case "path", "url", "method", "hdr":
					return true
				}
			}
		}
	}
	return false
}

// String summarises a server line in HAProxy syntax, for logs and tests.
func (s *Server) String() string {
	out := fmt.Sprintf("server %s %s", s.Name, s.Addr)
	if s.Check {
		out += fmt.Sprintf(" check inter %v rise %d fall %d", s.Inter, s.Rise, s.Fall)
	}
	out += fmt.Sprintf(" weight %d", s.Weight)
	if s.Backup {
		out += " backup"
	}
	if s.Disabled {
		out += " disabled"
	}
	return out
}
