package export

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/halab/halab/nodes/vrrp/kaconf"
)

// instance writes a vrrp_instance block with the values keepalived ends
// up using, so that it has nothing to adjust and nothing to warn about.
func (k *kaExport) instance(in *kaconf.Instance) error {
	w := &k.w
	w.open("vrrp_instance " + in.Name)
	if in.Interface != "" {
		k.useInterface(in.Interface)
		w.line("interface " + in.Interface)
	}
	if in.Version != k.cfg.Global.VRRPVersion {
		w.line("version " + strconv.Itoa(in.Version))
	}
	k.state(in)
	w.line("priority " + strconv.Itoa(in.Priority))
	w.line("virtual_router_id " + strconv.Itoa(in.VRID))
	if in.AdvertInterval != defaultInterval {
		w.line("advert_int " + seconds(in.AdvertInterval))
	}
	if in.Nopreempt {
		w.line("nopreempt")
	}
	if in.PreemptDelay != 0 {
		w.line("preempt_delay " + seconds(in.PreemptDelay))
	}
	k.authentication(in)
	k.addresses(in)
	k.tracking(in)
	if err := k.notify(in); err != nil {
		return err
	}
	if in.GARPMasterDelay != k.cfg.Global.GARPMasterDelay {
		w.line("garp_master_delay " + strconv.Itoa(int(in.GARPMasterDelay.Seconds())))
	}
	if in.GARPMasterRepeat != k.cfg.Global.GARPMasterRepeat {
		w.line("garp_master_repeat " + strconv.Itoa(in.GARPMasterRepeat))
	}
	w.close()
	w.line("")
	return nil
}

// state writes the state keepalived starts the instance in, when the
// lab's file names one. keepalived starts a MASTER that uses AH as a
// BACKUP; this file says so.
func (k *kaExport) state(in *kaconf.Instance) {
	if in.ConfiguredState == "" {
		return // keepalived derives it from the priority, as it did
	}
	if in.ConfiguredState != in.InitialState {
		n := k.add(Fixed, k.warning("Initial state master is incompatible with AH authentication", in), fmt.Sprintf(
			"vrrp_instance %s: state %s becomes state %s. With AH authentication keepalived starts an instance as BACKUP whatever its state says: it must hear its peer's advert, and learn the AH sequence number, before it may send its own. It still becomes the master after the master-down interval when its priority (%d) is the higher, as it does in the lab.",
			in.Name, in.ConfiguredState, in.InitialState, in.Priority))
		n.Says = SaysMasterAH(in.Name)
		k.w.comment(fmt.Sprintf("The lab's file: state %s, which keepalived clears with AH (see the top of the file).", in.ConfiguredState))
	}
	k.w.line("state " + string(in.InitialState))
}

// authentication writes the authentication block keepalived uses: none
// for VRRPv3, and only the first 8 characters of the password.
func (k *kaExport) authentication(in *kaconf.Instance) {
	if in.AuthType == kaconf.AuthNone {
		return
	}
	w := &k.w
	w.open("authentication")
	w.line("auth_type " + in.AuthType.String())
	if source := k.warning("Truncating auth_pass", in); source != "" {
		n := k.add(Fixed, source, fmt.Sprintf(
			"vrrp_instance %s: auth_pass is written as the 8 characters keepalived uses, %q: VRRPv2's authentication field holds 8 bytes, and keepalived (as halab) drops the rest. The other load balancers must use the same 8.",
			in.Name, in.AuthPass))
		n.Says = SaysTruncate
		w.comment("The lab's file has a longer password; keepalived uses these 8 characters (see the top of the file).")
	}
	w.line("auth_pass " + k.word(in.AuthPass))
	w.close()
}

// addresses writes the source address, the unicast peers and the virtual
// addresses.
func (k *kaExport) addresses(in *kaconf.Instance) {
	w := &k.w
	switch {
	case in.UnicastSrcIP.IsValid() && in.Unicast():
		w.line("unicast_src_ip " + in.UnicastSrcIP.String())
	case in.UnicastSrcIP.IsValid():
		// keepalived's unicast_src_ip and mcast_src_ip set one thing, the
		// adverts' source address; only the first warns without peers.
		n := k.add(Fixed, k.warning("A unicast keyword has been specified without any unicast peers", in), fmt.Sprintf(
			"vrrp_instance %s: unicast_src_ip without unicast peers becomes mcast_src_ip. keepalived sends multicast adverts then, from that address, and warns; mcast_src_ip says the same without the warning.",
			in.Name))
		n.Says = SaysUnicastNoPeers(in.Name)
		w.comment("The lab's file: unicast_src_ip, without peers (see the top of the file).")
		w.line("mcast_src_ip " + in.UnicastSrcIP.String())
	}
	if in.Unicast() {
		w.open("unicast_peer")
		for _, p := range in.UnicastPeers {
			s := p.Address.String()
			if p.MinTTL != 0 {
				s += " min_ttl " + strconv.Itoa(p.MinTTL)
			}
			if p.MaxTTL != defaultMaxTTL {
				s += " max_ttl " + strconv.Itoa(p.MaxTTL)
			}
			w.line(s)
		}
		w.close()
	}
	if len(in.VirtualIPs) > 0 {
		w.open("virtual_ipaddress")
		for _, v := range in.VirtualIPs {
			s := v.Address.Addr().String()
			if v.Address.Bits() != 32 {
				s += "/" + strconv.Itoa(v.Address.Bits())
			}
			if v.Device != "" {
				k.useInterface(v.Device)
				s += " dev " + v.Device
			}
			if v.Label != "" {
				s += " label " + k.word(v.Label)
			}
			w.line(s)
		}
		w.close()
	}
}

// tracking writes track_interface, track_script and track_process, with
// a weight where it differs from the tracked block's.
func (k *kaExport) tracking(in *kaconf.Instance) {
	w := &k.w
	if len(in.TrackInterfaces) > 0 {
		w.open("track_interface")
		for _, t := range in.TrackInterfaces {
			k.useInterface(t.Name)
			s := t.Name
			if t.Weight != 0 || t.WeightReverse {
				s += " weight " + strconv.Itoa(t.Weight) + reverseWord(t.WeightReverse, false)
			}
			w.line(s)
		}
		w.close()
	}
	if len(in.TrackScripts) > 0 {
		w.open("track_script")
		for _, t := range in.TrackScripts {
			s := t.Name
			if t.Weight != t.Script.Weight || t.WeightReverse != t.Script.WeightReverse {
				s += " weight " + strconv.Itoa(t.Weight) + reverseWord(t.WeightReverse, t.Script.WeightReverse)
			}
			w.line(s)
		}
		w.close()
	}
	if len(in.TrackProcesses) > 0 {
		w.open("track_process")
		for _, t := range in.TrackProcesses {
			s := t.Name
			if t.Weight != t.Process.Weight || t.WeightReverse != t.Process.WeightReverse {
				s += " weight " + strconv.Itoa(t.Weight) + reverseWord(t.WeightReverse, t.Process.WeightReverse)
			}
			w.line(s)
		}
		w.close()
	}
}

// notifies lists an instance's notify scripts by keyword, nil when it
// has none.
func notifies(in *kaconf.Instance) map[string]*kaconf.Notify {
	var out map[string]*kaconf.Notify
	for kw, n := range map[string]*kaconf.Notify{
		"notify_master": in.NotifyMaster, "notify_backup": in.NotifyBackup,
		"notify_fault": in.NotifyFault, "notify_stop": in.NotifyStop, "notify": in.Notify,
	} {
		if n != nil {
			if out == nil {
				out = map[string]*kaconf.Notify{}
			}
			out[kw] = n
		}
	}
	return out
}

// notify writes the notify scripts; one that runs halab has no
// counterpart on a real machine.
func (k *kaExport) notify(in *kaconf.Instance) error {
	all := notifies(in)
	for _, kw := range []string{"notify_master", "notify_backup", "notify_fault", "notify_stop", "notify"} {
		n := all[kw]
		if n == nil {
			continue
		}
		if runsHalab(n.Args) {
			return fmt.Errorf("vrrp_instance %s: %s (line %d) runs %q; the real machine has no halab: write the real command in the lab's file", in.Name, kw, n.Pos.Line, n.Command)
		}
		k.w.line(strings.TrimSpace(strings.Join([]string{kw, k.command(n.Command), k.word(n.User), k.word(n.Group)}, " ")))
	}
	return nil
}
