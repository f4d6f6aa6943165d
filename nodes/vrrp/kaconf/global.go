package kaconf

import (
	"math"
	"time"
)

// maxTimerSeconds is the largest whole-second timer keepalived accepts for
// script intervals and gratuitous ARP delays: UINT_MAX / TIMER_HZ.
const maxTimerSeconds = math.MaxUint32 / 1000000

// globalKeyword handles one statement of global_defs.
func (p *parser) globalKeyword(st statement) {
	g := &p.cfg.Global
	switch st.keyword() {
	case "router_id":
		if len(st.words) < 2 {
			p.diags.warnf(st.pos, "routerid name missing - ignoring")
			return
		}
		p.extraArgs(st, 1)
		g.RouterID = st.arg(1)
	case "vrrp_version":
		if !p.needArgs(st, 1) {
			return
		}
		p.extraArgs(st, 1)
		v, err := parseInt(st.arg(1), 2, 3)
		if err != nil {
			p.diags.errorf(st.at(1), "VRRP Error: Version must be either 2 or 3 (%v)", err)
			return
		}
		g.VRRPVersion = int(v)
	case "script_user":
		if len(st.words) < 2 {
			p.diags.errorf(st.pos, "No script username specified - write script_user USER [GROUP]")
			return
		}
		p.extraArgs(st, 2)
		g.ScriptUser, g.ScriptGroup = st.arg(1), st.arg(2)
	case "enable_script_security":
		p.extraArgs(st, 0)
		g.EnableScriptSecurity = true
	case "vrrp_garp_master_delay":
		if d, ok := p.garpDelay(st, "vrrp_garp_master_delay '%s' invalid - ignoring"); ok {
			g.GARPMasterDelay = d
		}
	case "vrrp_garp_master_repeat":
		if n, ok := p.garpRepeat(st, "vrrp_garp_master_repeat '%s' invalid - ignoring", "vrrp_garp_master_repeat must be greater than 0, setting to 1"); ok {
			g.GARPMasterRepeat = n
		}
	default:
		p.unknownKeyword(st, globalUnsupported)
	}
}

// garpDelay reads the whole seconds of a gratuitous ARP delay.
func (p *parser) garpDelay(st statement, invalid string) (time.Duration, bool) {
	if !p.needArgs(st, 1) {
		return 0, false
	}
	p.extraArgs(st, 1)
	n, err := parseUnsigned(st.arg(1), 0, maxTimerSeconds)
	if err != nil {
		p.diags.errorf(st.at(1), invalid+": %v; give whole seconds", st.arg(1), err)
		return 0, false
	}
	return time.Duration(n) * time.Second, true
}

// garpRepeat reads a gratuitous ARP repeat count; keepalived turns 0 into 1.
func (p *parser) garpRepeat(st statement, invalid, zero string) (int, bool) {
	if !p.needArgs(st, 1) {
		return 0, false
	}
	p.extraArgs(st, 1)
	n, err := parseUnsigned(st.arg(1), 0, math.MaxUint32)
	if err != nil {
		p.diags.errorf(st.at(1), invalid+": %v", st.arg(1), err)
		return 0, false
	}
	if n == 0 {
		p.diags.warnf(st.at(1), "%s", zero)
		n = 1
	}
	return int(n), true
}
