package kaconf

import (
	"net/netip"
	"slices"
	"strings"
)

// maxVirtualIPs is the most addresses an advert can carry (one-byte count).
const maxVirtualIPs = 255

// virtualIPs reads the lines of virtual_ipaddress:
// ADDR[/PREFIX] [dev IF] [label LABEL], the prefix defaulting to /32.
func (p *parser) virtualIPs(in *instanceState, lines []statement) {
	for _, st := range lines {
		if vip, ok := p.virtualIP(in, st); ok {
			if len(in.VirtualIPs) == maxVirtualIPs {
				p.diags.errorf(st.pos, "(%s) Number of VIPs exceeds the %d an advert can carry - move the excess to another instance", in.Name, maxVirtualIPs)
				return
			}
			in.VirtualIPs = append(in.VirtualIPs, vip)
		}
	}
}

func (p *parser) virtualIP(in *instanceState, st statement) (VirtualIP, bool) {
	vip := VirtualIP{Pos: st.pos}
	text := st.keyword()
	addrText, prefixText, hasPrefix := strings.Cut(text, "/")
	addr, err := netip.ParseAddr(addrText)
	if err != nil || addr.Zone() != "" {
		p.diags.errorf(st.pos, "VRRP parsed invalid IP %s. skipping IP... - write an IPv4 address, optionally with /PREFIX", text)
		return vip, false
	}
	if !addr.Is4() {
		p.diags.errorf(st.pos, "(%s) virtual address %s is IPv6: halab speaks VRRP over IPv4 only", in.Name, text)
		return vip, false
	}
	bits := 32
	if hasPrefix {
		n, err := parseUnsigned(prefixText, 0, 32)
		if err != nil {
			p.diags.errorf(st.pos, "Invalid address prefix len %s for address %s (keepalived would use 32) - give 0..32", prefixText, text)
			return vip, false
		}
		bits = int(n)
	}
	vip.Address = netip.PrefixFrom(addr, bits)

	for i := 1; i < len(st.words); i++ {
		option := st.arg(i)
		takesValue, known := vipUnsupported[option]
		if option == "dev" || option == "label" {
			takesValue, known = true, true
		}
		if takesValue && i+1 >= len(st.words) {
			p.diags.errorf(st.at(i), "No %s parameter specified for %s", option, text)
			return vip, false
		}
		switch {
		case option == "dev":
			i++
			if vip.Device != "" {
				p.diags.errorf(st.at(i), "Cannot specify ipaddress device more than once for %s", text)
				return vip, false
			}
			vip.Device = st.arg(i)
		case option == "label":
			i++
			if len(st.arg(i)) > maxInterfaceName {
				p.diags.errorf(st.at(i), "Address label %s is longer than maximum length %d - removing address", st.arg(i), maxInterfaceName)
				return vip, false
			}
			vip.Label = st.arg(i)
		case known:
			p.diags.warnf(st.at(i), "'%s' on a virtual address is a keepalived option halab does not support - ignored", option)
			if takesValue {
				i++
			}
		default:
			p.diags.warnf(st.at(i), "Unknown configuration entry '%s' for ip address - ignoring", option)
		}
	}
	return vip, true
}

// unicastPeers reads the lines of unicast_peer: ADDR [min_ttl N] [max_ttl N].
func (p *parser) unicastPeers(in *instanceState, lines []statement) {
	for _, st := range lines {
		addr, ok := p.ipv4Addr(st.pos, st.keyword(), "Configuration error: VRRP instance[%s] malformed unicast peer address[%s]. Skipping...", in.Name)
		if !ok {
			continue
		}
		peer := UnicastPeer{Address: addr, MinTTL: 0, MaxTTL: 255, Pos: st.pos}
		for i := 1; i < len(st.words); i += 2 {
			option := st.arg(i)
			if option != "min_ttl" && option != "max_ttl" {
				p.diags.warnf(st.at(i), "(%s) unknown unicast_peer option %s - ignoring the rest of the line", in.Name, option)
				break
			}
			if i+1 >= len(st.words) {
				p.diags.errorf(st.at(i), "(%s) %s is missing a value", in.Name, option)
				break
			}
			n, err := parseUnsigned(st.arg(i+1), 0, 255)
			if err != nil {
				p.diags.errorf(st.at(i+1), "(%s) %s %s: %v", in.Name, option, st.arg(i+1), err)
				continue
			}
			if option == "min_ttl" {
				peer.MinTTL = int(n)
			} else {
				peer.MaxTTL = int(n)
			}
		}
		if peer.MinTTL > peer.MaxTTL {
			p.diags.warnf(st.pos, "(%s) min_ttl %d > max_ttl %d - all packets will be discarded", in.Name, peer.MinTTL, peer.MaxTTL)
		}
		in.UnicastPeers = append(in.UnicastPeers, peer)
	}
}

// trackScripts reads the lines of track_script: NAME [weight N
// [reverse|noreverse]]. The script must be defined above, as keepalived
// looks it up while reading.
func (p *parser) trackScripts(in *instanceState, lines []statement) {
	for _, st := range lines {
		name := st.keyword()
		script := p.cfg.Script(name)
		if script == nil {
			p.diags.errorf(st.pos, "(%s) track script %s not found, ignoring... - define vrrp_script %s before this instance", in.Name, name, name)
			continue
		}
		if slices.ContainsFunc(in.TrackScripts, func(t TrackScript) bool { return t.Name == name }) {
			p.diags.warnf(st.pos, "(%s) duplicate track_script %s - ignoring", in.Name, name)
			continue
		}
		track := TrackScript{Name: name, Script: script, Weight: script.Weight, WeightReverse: script.WeightReverse, Pos: st.pos}
		if len(st.words) > 1 {
			weight, reverse, ok := p.trackWeight(in, st, "track script", script.WeightReverse, "noreverse")
			if !ok {
				continue
			}
			track.Weight, track.WeightReverse = weight, reverse
		}
		in.TrackScripts = append(in.TrackScripts, track)
	}
}

// trackInterfaces reads the lines of track_interface: IF [weight N
// [reverse]].
func (p *parser) trackInterfaces(in *instanceState, lines []statement) {
	for _, st := range lines {
		name := st.keyword()
		if slices.ContainsFunc(in.TrackInterfaces, func(t TrackInterface) bool { return t.Name == name }) {
			p.diags.warnf(st.pos, "(%s) duplicate track_interface %s - ignoring", in.Name, name)
			continue
		}
		track := TrackInterface{Name: name, Pos: st.pos}
		if len(st.words) > 1 {
			weight, reverse, ok := p.trackWeight(in, st, "track_interface", false, "")
			if !ok {
				continue
			}
			track.Weight, track.WeightReverse = weight, reverse
		}
		in.TrackInterfaces = append(in.TrackInterfaces, track)
	}
}

// trackWeight reads "weight N [reverse]" after a tracked name, as
// keepalived's alloc_track_script and alloc_track_if do: ±254 becomes ±253
// (a warning); anything else out of [-253, 253] is an error.
func (p *parser) trackWeight(in *instanceState, st statement, what string, reverse bool, noReverse string) (int, bool, bool) {
	name := st.keyword()
	if st.arg(1) != "weight" {
		p.diags.errorf(st.at(1), "(%s) unknown %s %s option %s - ignoring the %s; the option is weight N", in.Name, what, name, st.arg(1), what)
		return 0, false, false
	}
	if len(st.words) == 2 {
		p.diags.errorf(st.at(1), "(%s) weight without value specified for %s %s - ignoring the %s", in.Name, what, name, what)
		return 0, false, false
	}
	n, err := parseInt(st.arg(2), -254, 254)
	if err != nil {
		p.diags.errorf(st.at(2), "(%s) %s %s: weight must be between [-253..253] inclusive, ignoring...", in.Name, what, name)
		return 0, false, false
	}
	if n == 254 || n == -254 {
		p.diags.warnf(st.at(2), "(%s) weight for %s cannot be +/-254. Setting to +/-253", in.Name, name)
		n = n / 254 * 253
	}
	if len(st.words) > 3 {
		switch option := st.arg(3); {
		case option == "reverse":
			reverse = true
		case option == noReverse && noReverse != "":
			reverse = false
		default:
			p.diags.warnf(st.at(3), "(%s) unknown %s %s weight option %s - ignoring", in.Name, what, name, option)
		}
		p.extraArgs(st, 3)
	}
	return int(n), reverse, true
}
