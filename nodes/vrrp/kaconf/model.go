package kaconf

import (
	"errors"
	"net/netip"
	"strconv"
	"time"
)

// Config is a parsed keepalived.conf: the values keepalived 2.2.7 ends up
// using (defaults filled in, adjustments made), and every problem found.
type Config struct {
	Global    Global
	Scripts   []*Script   // vrrp_script blocks kept by keepalived, in file order
	Processes []*Process  // vrrp_track_process blocks kept by keepalived, in file order
	Instances []*Instance // vrrp_instance blocks, in file order

	// Files are the files read, the main one first, then includes in the
	// order they were read.
	Files []string

	// Warnings are what keepalived reports and works around; Errors are
	// what halab refuses. Err joins the errors.
	Warnings []Diagnostic
	Errors   []Diagnostic

	all []Diagnostic // warnings and errors in the order found
}

// Diagnostics returns the warnings and errors together, in the order they
// were found: as keepalived prints them, those found while reading first,
// then those of the checks made after reading.
func (c *Config) Diagnostics() []Diagnostic { return c.all }

// Err is nil when there are no errors, or all of them joined
// (errors.Join); each is a Diagnostic.
func (c *Config) Err() error {
	errs := make([]error, len(c.Errors))
	for i, d := range c.Errors {
		errs[i] = d
	}
	return errors.Join(errs...)
}

// Script returns the vrrp_script named name, or nil. Like keepalived, the
// first of two scripts with one name wins.
func (c *Config) Script(name string) *Script {
	for _, s := range c.Scripts {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Instance returns the vrrp_instance named name, or nil.
func (c *Config) Instance(name string) *Instance {
	for _, in := range c.Instances {
		if in.Name == name {
			return in
		}
	}
	return nil
}

// Global is global_defs: only what halab uses.
type Global struct {
	RouterID string // router_id

	// VRRPVersion is vrrp_version, the default of every instance's
	// version: 2 unless set (keepalived's default).
	VRRPVersion int

	// ScriptUser and ScriptGroup are script_user USER [GROUP], the account
	// scripts run as. Empty means keepalived's default: keepalived_script
	// if that user exists, else root.
	ScriptUser, ScriptGroup string

	// EnableScriptSecurity is enable_script_security. Without it keepalived
	// says "SECURITY VIOLATION - scripts are being executed but
	// script_security not enabled." when any script is configured.
	EnableScriptSecurity bool

	// GARPMasterDelay and GARPMasterRepeat are vrrp_garp_master_delay and
	// vrrp_garp_master_repeat: after becoming master, send
	// GARPMasterRepeat gratuitous ARPs per address at once and again after
	// GARPMasterDelay. keepalived's defaults: 5 s and 5. An instance takes
	// them as they stand when its vrrp_instance block begins.
	GARPMasterDelay  time.Duration
	GARPMasterRepeat int
}

// Script is a vrrp_script block: a command keepalived runs every Interval;
// after Rise successes in a row it counts as up, after Fall failures as
// down. What up and down do to an instance depends on the weight (see
// TrackScript).
type Script struct {
	Name string
	Pos  Position // of the vrrp_script keyword

	// Command is the script parameter as keepalived reads it, quotes and
	// escapes resolved: "/usr/bin/killall -0 haproxy". Args is Command
	// split into words the same way, the argv keepalived executes.
	Command string
	Args    []string

	Interval time.Duration // interval, whole seconds; default 1 s
	Timeout  time.Duration // timeout, whole seconds; 0 (default) means Interval

	// Weight and WeightReverse are weight N [reverse] (-253..253, default
	// 0): the default weight of every track_script naming this script.
	Weight        int
	WeightReverse bool

	Rise int // rise, default 1
	Fall int // fall, default 1
}

// State is a VRRP state as keepalived.conf names it.
type State string

// Initial states.
const (
	StateMaster State = "MASTER"
	StateBackup State = "BACKUP"
)

// AuthType is keepalived's VRRP version 2 authentication.
type AuthType int

// Authentication types.
const (
	AuthNone AuthType = iota // no authentication block (or one keepalived ignores)
	AuthPass                 // auth_type PASS: the password in clear in every advert
	AuthAH                   // auth_type AH: IPsec AH, HMAC-MD5-96 keyed with the password
)

// String is "none", "PASS" or "AH".
func (t AuthType) String() string {
	switch t {
	case AuthNone:
		return "none"
	case AuthPass:
		return "PASS"
	case AuthAH:
		return "AH"
	}
	return "AuthType(" + strconv.Itoa(int(t)) + ")"
}

// Instance is a vrrp_instance block with keepalived 2.2.7's effective values.
type Instance struct {
	Name string
	Pos  Position // of the vrrp_instance keyword

	Interface string // interface; keepalived needs it unless unicast_src_ip is set

	// ConfiguredState is state as written ("" when absent). InitialState is
	// what keepalived starts in: derived from the priority when state is
	// absent (255 → MASTER, else BACKUP), and BACKUP for a MASTER with AH
	// authentication ("Initial state master is incompatible with AH
	// authentication - clearing"): such an instance waits one master-down
	// interval, learning the peer's AH sequence number, before it wins.
	ConfiguredState State
	InitialState    State

	VRID int // virtual_router_id, 1..255

	// Priority is priority (1..255): default 100, or 255 when state is
	// MASTER and no priority is given. 255 makes the instance the address
	// owner: it preempts at once and keepalived ignores weighted tracking.
	Priority int

	// Version is version, else global_defs vrrp_version, else 2.
	Version int

	// AdvertInterval is advert_int (default 1 s) as keepalived uses it:
	// rounded to whole seconds for version 2, to 10 ms for version 3 (and
	// at most 40.95 s).
	AdvertInterval time.Duration

	// Nopreempt and PreemptDelay are nopreempt and preempt_delay (0..1000
	// s), after keepalived clears them for a MASTER initial state, for the
	// address owner, and preempt_delay under nopreempt.
	Nopreempt    bool
	PreemptDelay time.Duration

	// AuthType is the authentication keepalived uses: none for version 3
	// (keepalived ignores authentication there) or without a password.
	// AuthPass is auth_pass truncated to 8 characters, as keepalived
	// truncates it; only those are in the adverts and the AH key.
	AuthType AuthType
	AuthPass string

	UnicastSrcIP netip.Addr // unicast_src_ip; invalid when absent
	UnicastPeers []UnicastPeer
	VirtualIPs   []VirtualIP

	TrackScripts    []TrackScript
	TrackInterfaces []TrackInterface
	TrackProcesses  []TrackProcess

	// Notify scripts: notify_master, notify_backup, notify_fault,
	// notify_stop and notify; nil when absent.
	NotifyMaster, NotifyBackup, NotifyFault, NotifyStop, Notify *Notify

	// GARPMasterDelay and GARPMasterRepeat are garp_master_delay and
	// garp_master_repeat, defaulting to the global ones.
	GARPMasterDelay  time.Duration
	GARPMasterRepeat int
}

// Unicast reports whether the instance sends its adverts to unicast peers
// instead of 224.0.0.18. As in keepalived, unicast_src_ip without peers
// leaves the instance multicast.
func (in *Instance) Unicast() bool { return len(in.UnicastPeers) > 0 }

// AddressOwner reports priority 255 (RFC 3768 §5.3.4).
func (in *Instance) AddressOwner() bool { return in.Priority == 255 }

// FullPriority is the instance's effective priority while every tracked
// script succeeds, as keepalived computes it: the base raised by each
// positive (not reversed) weight, kept within 1..254; the address owner's
// 255 never moves.
func (in *Instance) FullPriority() int {
	if in.AddressOwner() {
		return 255
	}
	p := in.Priority
	for _, t := range in.TrackScripts {
		if t.Weight > 0 && !t.WeightReverse {
			p += t.Weight
		}
	}
	return min(max(p, 1), 254)
}

// InstanceFor returns the vrrp_instance whose virtual_ipaddress holds addr,
// or nil.
func (c *Config) InstanceFor(addr netip.Addr) *Instance {
	for _, in := range c.Instances {
		for _, v := range in.VirtualIPs {
			if v.Address.Addr() == addr {
				return in
			}
		}
	}
	return nil
}

// VIPDevice is the interface the virtual address v goes on: its dev, else
// the instance's interface.
func (in *Instance) VIPDevice(v VirtualIP) string {
	if v.Device != "" {
		return v.Device
	}
	return in.Interface
}

// UnicastPeer is one line of unicast_peer: ADDR [min_ttl N] [max_ttl N].
// Adverts from the peer with a TTL outside [MinTTL, MaxTTL] are dropped;
// keepalived's defaults are 0 and 255.
type UnicastPeer struct {
	Address        netip.Addr
	MinTTL, MaxTTL int
	Pos            Position
}

// VirtualIP is one line of virtual_ipaddress: ADDR[/PREFIX] [dev IF]
// [label LABEL]. The prefix defaults to /32, as keepalived's; Device
// defaults to the instance's interface.
type VirtualIP struct {
	Address netip.Prefix // the address with its prefix length, not masked
	Device  string
	Label   string
	Pos     Position
}

// TrackScript is one line of track_script: NAME [weight N [reverse]].
//
// keepalived's weight semantics: with weight 0 a failing script puts the
// instance in FAULT state. With a positive weight the priority is raised by
// the weight while the script succeeds; with a negative one it is lowered
// by |weight| while the script fails. reverse swaps success and failure.
// The effective priority stays within 1..254. The weight defaults to the
// script's own.
type TrackScript struct {
	Name          string
	Script        *Script
	Weight        int
	WeightReverse bool
	Pos           Position
}

// TrackInterface is one line of track_interface: IF [weight N [reverse]].
// Weight semantics are those of [TrackScript], "up" standing for
// success: weight 0 (the default) puts the instance in FAULT while the
// interface is down.
type TrackInterface struct {
	Name          string
	Weight        int
	WeightReverse bool
	Pos           Position
}

// Notify is a notify script: notify_master "CMD" [USER [GROUP]], and so on.
type Notify struct {
	Command string   // the command as keepalived reads it, quotes and escapes resolved
	Args    []string // Command split into the argv keepalived executes
	User    string   // empty: the global script_user
	Group   string
	Pos     Position
}
