package kaconf

import (
	"net/netip"
	"strings"
	"time"
)

// Limits keepalived applies to instance values.
const (
	maxInterfaceName  = 15 // IFNAMSIZ - 1
	authPassLen       = 8  // VRRP_AUTH_LEN
	maxPreemptDelay   = 1000 * time.Second
	minAdvertInterval = 10 * time.Millisecond
	maxAdvertInterval = 255 * time.Second
)

// instanceState is an instance being read, with the values as written that
// completion (complete.go) turns into effective ones.
type instanceState struct {
	*Instance
	priority       int           // as written, 0 when absent
	version        int           // as written, 0 when absent
	advertInterval time.Duration // as written, 0 when absent
	authType       AuthType      // as written
	unicastKeyword bool          // unicast_src_ip or unicast_peer written
	pos            map[string]Position
}

// at is where keyword was last written in the instance, or the instance.
func (in *instanceState) at(keyword string) Position {
	if pos, ok := in.pos[keyword]; ok {
		return pos
	}
	return in.Pos
}

// parseInstance reads a vrrp_instance block.
func (p *parser) parseInstance(kw statement) {
	if len(kw.words) != 2 {
		p.diags.errorf(kw.pos, "vrrp_instance must have a name - write vrrp_instance NAME {")
		p.skipOptionalBlock()
		return
	}
	name := kw.arg(1)
	if p.cfg.Instance(name) != nil {
		p.diags.errorf(kw.at(1), "vrrp instance %s already defined - give each instance its own name", name)
		p.skipOptionalBlock()
		return
	}
	in := &instanceState{
		Instance: &Instance{
			Name:             name,
			Pos:              kw.pos,
			GARPMasterDelay:  p.cfg.Global.GARPMasterDelay,
			GARPMasterRepeat: p.cfg.Global.GARPMasterRepeat,
		},
		pos: map[string]Position{},
	}
	p.cfg.Instances = append(p.cfg.Instances, in.Instance)
	p.instances = append(p.instances, in)
	p.openBlock(kw)
	p.block(kw, func(st statement) {
		in.pos[st.keyword()] = st.pos
		p.instanceKeyword(in, st)
	})
}

// instanceKeyword handles one statement of a vrrp_instance block.
func (p *parser) instanceKeyword(in *instanceState, st statement) {
	switch kw := st.keyword(); kw {
	case "state":
		p.instanceState(in, st)
	case "interface":
		if !p.needArgs(st, 1) {
			return
		}
		p.extraArgs(st, 1)
		if name := st.arg(1); len(name) > maxInterfaceName {
			p.diags.errorf(st.at(1), "Interface name '%s' too long - ignoring; names have at most %d characters", name, maxInterfaceName)
		} else if name == "lo" {
			p.diags.errorf(st.at(1), "(%s) cannot use a loopback interface (%s) for vrrp - ignoring", in.Name, name)
		} else {
			in.Interface = name
		}
	case "virtual_router_id":
		if n, ok := p.instanceNumber(st, 1, 255, "(%s): VRID '%s' not valid - must be between 1 & 255", in.Name); ok {
			in.VRID = n
		}
	case "priority":
		if n, ok := p.instanceNumber(st, 1, 255, "(%s) Priority '%s' not valid! must be between 1 & 255 (keepalived would use the default 100)", in.Name); ok {
			in.priority = n
		}
	case "version":
		p.instanceVersion(in, st)
	case "advert_int":
		if d, ok := p.instanceSeconds(st, minAdvertInterval, maxAdvertInterval, "(%s) Advert interval (%s) not valid! must be between 0.01 and 255 seconds - ignoring", in.Name); ok {
			in.advertInterval = d
		}
	case "nopreempt":
		p.extraArgs(st, 0)
		in.Nopreempt = true
	case "preempt":
		p.extraArgs(st, 0)
		in.Nopreempt = false
	case "preempt_delay":
		if d, ok := p.instanceSeconds(st, 0, maxPreemptDelay, "(%s) Preempt_delay '%s' not valid! must be between 0-1000 (seconds)", in.Name); ok {
			in.PreemptDelay = d
		}
	case "authentication":
		p.extraArgs(st, 0)
		p.openBlock(st)
		p.block(st, func(st statement) {
			in.pos[st.keyword()] = st.pos
			p.authKeyword(in, st)
		})
	case "unicast_src_ip":
		in.unicastKeyword = true
		if !p.needArgs(st, 1) {
			return
		}
		p.extraArgs(st, 1)
		addr, ok := p.ipv4Addr(st.at(1), st.arg(1), "Configuration error: VRRP instance[%s] malformed src address[%s]. Skipping...", in.Name)
		if ok {
			in.UnicastSrcIP = addr
		}
	case "unicast_peer":
		in.unicastKeyword = true
		p.unicastPeers(in, p.valueBlock(st))
	case "virtual_ipaddress":
		p.virtualIPs(in, p.valueBlock(st))
	case "track_script":
		p.trackScripts(in, p.valueBlock(st))
	case "track_interface":
		p.trackInterfaces(in, p.valueBlock(st))
	case "track_process":
		p.trackProcesses(in, p.valueBlock(st))
	case "notify_master":
		p.notify(in, st, &in.NotifyMaster)
	case "notify_backup":
		p.notify(in, st, &in.NotifyBackup)
	case "notify_fault":
		p.notify(in, st, &in.NotifyFault)
	case "notify_stop":
		p.notify(in, st, &in.NotifyStop)
	case "notify":
		p.notify(in, st, &in.Notify)
	case "garp_master_delay":
		if d, ok := p.garpDelay(st, "("+in.Name+"): garp_master_delay '%s' invalid - ignoring"); ok {
			in.GARPMasterDelay = d
		}
	case "garp_master_repeat":
		if n, ok := p.garpRepeat(st, "("+in.Name+"): garp_master_repeat '%s' invalid - ignoring", "("+in.Name+"): garp_master_repeat must be greater than 0, setting to 1"); ok {
			in.GARPMasterRepeat = n
		}
	case "auth_type", "auth_pass":
		p.diags.errorf(st.pos, "(%s) %s belongs in an authentication { } block", in.Name, kw)
	default:
		p.unknownKeyword(st, instanceUnsupported)
	}
}

// instanceState reads state MASTER|BACKUP: a later BACKUP does not undo
// MASTER, and anything else is BACKUP in keepalived.
func (p *parser) instanceState(in *instanceState, st statement) {
	if !p.needArgs(st, 1) {
		return
	}
	p.extraArgs(st, 1)
	switch State(st.arg(1)) {
	case StateMaster:
		in.ConfiguredState = StateMaster
	case StateBackup:
		if in.ConfiguredState == StateMaster {
			p.diags.warnf(st.at(1), "(%s) state previously set as MASTER - ignoring BACKUP", in.Name)
			return
		}
		in.ConfiguredState = StateBackup
	default:
		p.diags.errorf(st.at(1), "(%s) unknown state '%s' (keepalived would default to BACKUP) - use MASTER or BACKUP", in.Name, st.arg(1))
	}
}

// instanceVersion reads version 2|3; a second, different one is ignored.
func (p *parser) instanceVersion(in *instanceState, st statement) {
	if !p.needArgs(st, 1) {
		return
	}
	p.extraArgs(st, 1)
	v, err := parseInt(st.arg(1), 2, 3)
	if err != nil {
		p.diags.errorf(st.at(1), "(%s): Version must be either 2 or 3", in.Name)
		return
	}
	if in.version != 0 && in.version != int(v) {
		p.diags.warnf(st.at(1), "(%s) vrrp_version %d conflicts with configured or deduced version %d; ignoring.", in.Name, v, in.version)
		return
	}
	in.version = int(v)
}

// instanceNumber reads an integer in [min, max], reporting invalid with
// the instance name and the word.
func (p *parser) instanceNumber(st statement, min, max int, invalid, name string) (int, bool) {
	if !p.needArgs(st, 1) {
		return 0, false
	}
	p.extraArgs(st, 1)
	n, err := parseUnsigned(st.arg(1), uint64(min), uint64(max))
	if err != nil {
		p.diags.errorf(st.at(1), invalid, name, st.arg(1))
		return 0, false
	}
	return int(n), true
}

// instanceSeconds reads a decimal number of seconds in [min, max].
func (p *parser) instanceSeconds(st statement, min, max time.Duration, invalid, name string) (time.Duration, bool) {
	if !p.needArgs(st, 1) {
		return 0, false
	}
	p.extraArgs(st, 1)
	d, rounded, err := parseSeconds(st.arg(1), min, max)
	if err != nil {
		p.diags.errorf(st.at(1), invalid, name, st.arg(1))
		return 0, false
	}
	if rounded {
		p.diags.warnf(st.at(1), "number '%s' has too many decimal places - rounded to %v", st.arg(1), d)
	}
	return d, true
}

// authKeyword handles one statement of an authentication block.
func (p *parser) authKeyword(in *instanceState, st statement) {
	switch st.keyword() {
	case "auth_type":
		if !p.needArgs(st, 1) {
			return
		}
		p.extraArgs(st, 1)
		switch st.arg(1) {
		case "PASS":
			in.authType = AuthPass
		case "AH":
			in.authType = AuthAH
		default:
			p.diags.errorf(st.at(1), "(%s) unknown authentication type '%s' - use PASS or AH", in.Name, st.arg(1))
		}
	case "auth_pass":
		if !p.needArgs(st, 1) {
			return
		}
		p.extraArgs(st, 1)
		pass := st.arg(1)
		if len(pass) > authPassLen {
			p.diags.warnf(st.at(1), "Truncating auth_pass to %d characters - only the first %d are used, by keepalived as by halab", authPassLen, authPassLen)
			pass = pass[:authPassLen]
		}
		in.AuthPass = pass
	default:
		p.unknownKeyword(st, authUnsupported)
	}
}

// notify reads notify_* "COMMAND" [USER [GROUP]]; keepalived keeps the
// first of two.
func (p *parser) notify(in *instanceState, st statement, slot **Notify) {
	if !p.needArgs(st, 1) {
		return
	}
	if *slot != nil {
		p.diags.warnf(st.pos, "(%s) %s script already specified - ignoring %s", in.Name, st.keyword(), st.arg(1))
		return
	}
	n := &Notify{Pos: st.pos}
	if !p.command(st, in.Name, &n.Command, &n.Args, 2) {
		return
	}
	if line, _ := splitCommand(st.raw); len(line) > 2 {
		n.User = line[2]
		if len(line) > 3 {
			n.Group = line[3]
		}
	}
	*slot = n
}

// ipv4Addr reads an address the way keepalived's inet_stosockaddr does (a
// "/len" or "-range" suffix is ignored), and accepts only IPv4, which is
// all halab speaks.
func (p *parser) ipv4Addr(pos Position, s, malformed, name string) (netip.Addr, bool) {
	text := s
	if i := strings.IndexAny(text, "-/"); i >= 0 {
		text = text[:i]
	}
	addr, err := netip.ParseAddr(text)
	switch {
	case err != nil || addr.Zone() != "":
		p.diags.errorf(pos, malformed, name, s)
		return netip.Addr{}, false
	case !addr.Is4():
		p.diags.errorf(pos, "(%s) %s is IPv6: halab speaks VRRP over IPv4 only", name, s)
		return netip.Addr{}, false
	}
	return addr, true
}
