package kaconf

import (
	"time"
)

// Advert interval limits of version 3: 12 bits of centiseconds.
const (
	centisecond         = 10 * time.Millisecond
	maxAdvertIntervalV3 = 4095 * centisecond
)

// complete makes keepalived 2.2.7's checks and adjustments after reading
// (vrrp_complete_init), in its order: script security, the minimum each
// instance needs, each instance's effective values, VRID conflicts.
func (p *parser) complete() {
	p.checkScriptSecurity()
	for _, in := range p.instances {
		if in.VRID == 0 {
			p.diags.errorf(in.Pos, "(%s) the virtual router id must be set - add virtual_router_id 1..255", in.Name)
		}
		if in.Interface == "" && len(in.UnicastPeers) == 0 {
			p.diags.errorf(in.Pos, "(%s) Unknown interface! - add interface IFNAME", in.Name)
		}
	}
	for _, in := range p.instances {
		p.completeInstance(in)
	}
	p.checkVRIDConflicts()
}

// checkScriptSecurity reports keepalived's SECURITY VIOLATION when scripts
// are configured without enable_script_security.
func (p *parser) checkScriptSecurity() {
	if p.cfg.Global.EnableScriptSecurity {
		return
	}
	var first *Position
	if len(p.cfg.Scripts) > 0 {
		first = &p.cfg.Scripts[0].Pos
	}
	for _, in := range p.instances {
		for _, n := range []*Notify{in.NotifyMaster, in.NotifyBackup, in.NotifyFault, in.NotifyStop, in.Notify} {
			if n != nil && (first == nil || before(n.Pos, *first)) {
				first = &n.Pos
			}
		}
	}
	if first != nil {
		p.diags.warnf(*first, "SECURITY VIOLATION - scripts are being executed but script_security not enabled. (add enable_script_security to global_defs, and script_user)")
	}
}

// before orders positions of the same parse by file, then line.
func before(a, b Position) bool {
	return a.File == b.File && a.Line < b.Line
}

// completeInstance turns what was written into what keepalived uses
// (vrrp_complete_instance).
func (p *parser) completeInstance(in *instanceState) {
	in.Version = in.version
	if in.Version == 0 {
		in.Version = p.cfg.Global.VRRPVersion
	}
	if len(in.VirtualIPs) == 0 {
		if in.Version == 3 {
			p.diags.errorf(in.Pos, "(%s) No VIP specified; at least one is required - add virtual_ipaddress { ADDR }", in.Name)
		} else {
			p.diags.warnf(in.Pos, "(%s) No VIP specified; at least one is sensible", in.Name)
		}
	}

	in.Priority = in.priority
	if in.Priority == 0 {
		in.Priority = 100
		if in.ConfiguredState == StateMaster {
			in.Priority = 255
		}
	}
	in.InitialState = in.ConfiguredState
	if in.InitialState == "" {
		in.InitialState = StateBackup
		if in.AddressOwner() {
			in.InitialState = StateMaster
		}
	}

	p.completeAuth(in)

	if in.Interface == "" && len(in.UnicastPeers) > 0 && !in.UnicastSrcIP.IsValid() {
		p.diags.errorf(in.Pos, "(%s): Unicast instances must have unicast_src_ip or interface", in.Name)
	}
	if in.unicastKeyword && len(in.UnicastPeers) == 0 {
		p.diags.warnf(in.at("unicast_src_ip"), "(%s) A unicast keyword has been specified without any unicast peers. Defaulting to multicast. This usage is deprecated - please update your configuration.", in.Name)
	}

	p.completePreemption(in)
	p.completeAdvertInterval(in)
	p.completeTracking(in)
	p.completeProcessTracking(in)
}

// completeAuth applies keepalived's authentication rules.
func (p *parser) completeAuth(in *instanceState) {
	in.AuthType = in.authType
	_, wroteAuthType := in.pos["auth_type"]
	switch {
	case in.AuthType == AuthNone && in.AuthPass != "" && !wroteAuthType:
		// keepalived says nothing; halab does not stay silent about it.
		p.diags.warnf(in.at("auth_pass"), "(%s) auth_pass without auth_type: no authentication is used - add auth_type PASS or AH", in.Name)
	case in.AuthType == AuthNone:
	case in.Version == 3:
		p.diags.warnf(in.at("auth_type"), "(%s) VRRP version 3 does not support authentication. Ignoring.", in.Name)
		in.AuthType = AuthNone
	case in.AuthPass == "":
		p.diags.warnf(in.at("auth_type"), "(%s) Authentication specified but no password given. Ignoring", in.Name)
		in.AuthType = AuthNone
	case in.AuthType == AuthAH && in.InitialState == StateMaster && !in.AddressOwner():
		// keepalived must see an advert, and its AH sequence number,
		// before it may take over.
		p.diags.warnf(in.at("state"), "(%s) Initial state master is incompatible with AH authentication - clearing", in.Name)
		in.InitialState = StateBackup
	}
}

// completePreemption applies keepalived's nopreempt and preempt_delay rules.
func (p *parser) completePreemption(in *instanceState) {
	if in.AddressOwner() && in.Nopreempt {
		p.diags.warnf(in.at("nopreempt"), "(%s) nopreempt is incompatible with priority 255. resetting nopreempt", in.Name)
		in.Nopreempt = false
	}
	if in.InitialState == StateMaster {
		if in.Nopreempt {
			p.diags.warnf(in.at("nopreempt"), "(%s) Warning - nopreempt will not work with initial state MASTER - clearing", in.Name)
			in.Nopreempt = false
		}
		if in.PreemptDelay > 0 {
			p.diags.warnf(in.at("preempt_delay"), "(%s) Warning - preempt delay will not work with initial state MASTER - clearing", in.Name)
			in.PreemptDelay = 0
		}
	}
	if in.PreemptDelay > 0 && in.Nopreempt {
		p.diags.warnf(in.at("preempt_delay"), "(%s) preempt_delay is incompatible with nopreempt mode - resetting", in.Name)
		in.PreemptDelay = 0
	}
}

// completeAdvertInterval defaults advert_int to 1 s and rounds it to what
// the version's field carries: whole seconds (v2), centiseconds (v3).
func (p *parser) completeAdvertInterval(in *instanceState) {
	d := in.advertInterval
	if d == 0 {
		d = time.Second
	}
	at := in.at("advert_int")
	if in.Version == 2 {
		if d%time.Second != 0 {
			p.diags.warnf(at, "(%s) VRRPv2 advertisement interval %.6fs must be an integer. rounding", in.Name, d.Seconds())
			d = max((d + time.Second/2).Truncate(time.Second), time.Second)
		}
	} else {
		if d > maxAdvertIntervalV3 {
			p.diags.warnf(at, "(%s) VRRPv3 advertisement interval %.2fs is out of range. Must be less than 40.96s. Setting to 40.95s", in.Name, d.Seconds())
			d = maxAdvertIntervalV3
		} else if d%centisecond != 0 {
			p.diags.warnf(at, "(%s) VRRPv3 advertisement interval %.6fs must be in units of 10ms - rounding", in.Name, d.Seconds())
			d = max((d + centisecond/2).Truncate(centisecond), centisecond)
		}
	}
	in.AdvertInterval = d
}

// completeTracking drops what keepalived drops: tracking the instance's own
// interface, and weighted tracking of the address owner.
func (p *parser) completeTracking(in *instanceState) {
	ifaces := in.TrackInterfaces[:0]
	for _, t := range in.TrackInterfaces {
		switch {
		case t.Name == in.Interface:
			p.diags.warnf(t.Pos, "(%s) Ignoring track_interface %s since own interface", in.Name, t.Name)
		case in.AddressOwner() && t.Weight != 0:
			p.diags.warnf(t.Pos, "(%s) ignoring %s tracked interface due to address owner", in.Name, t.Name)
		default:
			ifaces = append(ifaces, t)
		}
	}
	in.TrackInterfaces = ifaces

	scripts := in.TrackScripts[:0]
	for _, t := range in.TrackScripts {
		if in.AddressOwner() && t.Weight != 0 {
			p.diags.warnf(t.Pos, "(%s) ignoring tracked script %s with weights due to address_owner", in.Name, t.Name)
			continue
		}
		scripts = append(scripts, t)
	}
	in.TrackScripts = scripts
}

// checkVRIDConflicts reports two instances with one VRID where keepalived
// does: on one interface in multicast, or sharing a unicast peer.
func (p *parser) checkVRIDConflicts() {
	for i, a := range p.instances {
		for _, b := range p.instances[i+1:] {
			if a.VRID == 0 || a.VRID != b.VRID {
				continue
			}
			switch {
			case !a.Unicast() && !b.Unicast() && a.Interface != "" && a.Interface == b.Interface:
				p.diags.errorf(b.Pos, "%s and %s both use VRID %d with IPv4 on interface %s - give each its own virtual_router_id", a.Name, b.Name, a.VRID, a.Interface)
			case a.Unicast() && b.Unicast() && sharePeer(a.UnicastPeers, b.UnicastPeers):
				p.diags.errorf(b.Pos, "(%s) duplicate VRID conflict with %s VRID %d - give each its own virtual_router_id", b.Name, a.Name, a.VRID)
			}
		}
	}
}

func sharePeer(a, b []UnicastPeer) bool {
	for _, pa := range a {
		for _, pb := range b {
			if pa.Address == pb.Address {
				return true
			}
		}
	}
	return false
}
