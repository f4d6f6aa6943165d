package fsm

import (
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// Priorities with a meaning of their own (RFC 5798 §5.2.4).
const (
	PriorityStop    = 0   // "stop participating": sent by a master leaving
	PriorityDefault = 100 // the default priority of a backup router
	PriorityOwner   = 255 // the address owner; not changed by track weights
)

// keepalived defaults (vrrp.h, global_data.c).
const (
	DefaultAdvertInterval   = time.Second     // VRRP_ADVER_DFL
	DefaultGARPMasterDelay  = 5 * time.Second // VRRP_GARP_DELAY, garp_master_delay
	DefaultGARPMasterRepeat = 5               // VRRP_GARP_REP, garp_master_repeat
	DefaultDownTimerAdverts = 3               // VRRP_DOWN_TIMER_ADVERTS, RFC 5798 §6.1
)

// Config is the configuration of one VRRP instance, in keepalived's terms.
// The zero value of every optional field means keepalived's default.
type Config struct {
	// VRID is virtual_router_id, 1..255 (RFC 5798 §5.2.3). The state
	// machine only validates it; the caller drops adverts of other VRIDs.
	VRID uint8
	// Version is 2 (RFC 3768) or 3 (RFC 5798). It decides the Skew_Time
	// arithmetic and whether Master_Adver_Interval is learned.
	Version int
	// Priority is the base priority, 1..255; 255 is the address owner. 0
	// means "not set": keepalived then derives 255 from state MASTER and 100
	// otherwise (vrrp_complete_instance).
	Priority uint8
	// AdvertInterval is advert_int; 0 means 1 s. v2 rounds it to whole
	// seconds (1..255), v3 to centiseconds (10 ms..40.95 s), as keepalived.
	AdvertInterval time.Duration
	// LocalAddress is this router's primary address: the source of its
	// adverts (unicast_src_ip, or the interface's address). It breaks ties
	// between equal priorities (RFC 5798 §6.4.3). Required.
	LocalAddress netip.Addr
	// InitialState is keepalived's "state": Backup or Master. Initialize
	// (the zero value) means "not set": Master for the address owner,
	// Backup otherwise. Only the address owner goes MASTER at once; a
	// non-owner with state MASTER starts in BACKUP and waits a full
	// Master_Down_Interval like any backup (keepalived 2.2.7
	// vrrp_init_state). The configuration layer must already have cleared
	// MASTER where keepalived does ("Initial state master is incompatible
	// with AH authentication - clearing").
	InitialState State
	// NoPreempt is keepalived's nopreempt: a backup defers to a lower
	// priority master (RFC 5798 Preempt_Mode = False). keepalived clears it
	// for state MASTER and for the address owner.
	NoPreempt bool
	// PreemptDelay is preempt_delay: a backup that sees a lower priority
	// master keeps accepting its adverts for this long before it preempts.
	// keepalived clears it with state MASTER and with nopreempt.
	PreemptDelay time.Duration
	// Tracks are the tracked items (vrrp_script, track_interface …).
	Tracks []Track
	// GARPMasterDelay is garp_master_delay: a second gratuitous ARP burst
	// is sent this long after becoming master. 0 means 5 s; negative means
	// no second burst (keepalived's "garp_master_delay 0").
	GARPMasterDelay time.Duration
	// GARPMasterRepeat is garp_master_repeat, the gratuitous ARPs per
	// burst; 0 means 5.
	GARPMasterRepeat int
	// GARPLowerPrioRepeat is garp_lower_prio_repeat: the gratuitous ARPs
	// a master sends when it receives a lower priority advert (a lower
	// router has taken over: refresh the neighbours' caches). 0 means
	// GARPMasterRepeat (keepalived vrrp_complete_init); negative means
	// none.
	GARPLowerPrioRepeat int
	// GARPLowerPrioDelay is garp_lower_prio_delay: the delay of the second
	// such burst. 0 means GARPMasterDelay; negative means none.
	GARPLowerPrioDelay time.Duration
	// LowerPrioNoAdvert is keepalived's lower_prio_no_advert: a master does
	// not answer a lower priority advert with an advert of its own.
	LowerPrioNoAdvert bool
	// HigherPrioSendAdvert is keepalived's higher_prio_send_advert: a
	// master sends one more advert before yielding to a higher priority.
	HigherPrioSendAdvert bool
	// DownTimerAdverts is keepalived's down_timer_adverts, the adverts
	// missed before the master is declared down; 0 means 3 (RFC 5798 §6.1).
	DownTimerAdverts int
}

// ErrConfig is wrapped by every error [Config.Normalize] and [New] return.
var ErrConfig = errors.New("vrrp fsm: invalid config")

// ErrUnknownTrack is returned by [Instance.TrackChanged] for a name that is
// not one of the configured tracks.
var ErrUnknownTrack = errors.New("vrrp fsm: unknown track")

// Normalize returns the configuration as keepalived 2.2.7 would run it
// (vrrp_complete_instance): defaults filled in, intervals rounded, and
// incompatible options cleared, with one warning per change in keepalived's
// words. It returns an error, wrapping [ErrConfig], listing every problem it
// cannot repair.
func (c Config) Normalize() (Config, []string, error) {
	var warns []string
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrConfig}, args...)...))
	}
	warn := func(format string, args ...any) { warns = append(warns, fmt.Sprintf(format, args...)) }

	if c.VRID == 0 {
		bad("virtual_router_id must be 1..255")
	}
	if c.Version != 2 && c.Version != 3 {
		bad("version must be 2 or 3, not %d", c.Version)
	}
	if !c.LocalAddress.IsValid() {
		bad("local address is required (tie-break, RFC 5798 §6.4.3)")
	}
	switch c.InitialState {
	case Initialize, Backup, Master:
	default:
		bad("initial state must be BACKUP or MASTER, not %v", c.InitialState)
	}
	if c.Priority == 0 {
		if c.InitialState == Master {
			c.Priority = PriorityOwner
		} else {
			c.Priority = PriorityDefault
		}
	}
	if c.InitialState == Initialize {
		c.InitialState = Backup
		if c.Priority == PriorityOwner {
			c.InitialState = Master
		}
	}
	c.AdvertInterval = c.normalizeInterval(warn)
	if c.Priority == PriorityOwner && c.NoPreempt {
		warn("nopreempt is incompatible with priority %d. resetting nopreempt", PriorityOwner)
		c.NoPreempt = false
	}
	if c.InitialState == Master {
		if c.NoPreempt {
			warn("Warning - nopreempt will not work with initial state MASTER - clearing")
			c.NoPreempt = false
		}
		if c.PreemptDelay != 0 {
			warn("Warning - preempt delay will not work with initial state MASTER - clearing")
			c.PreemptDelay = 0
		}
	}
	if c.PreemptDelay != 0 && c.NoPreempt {
		warn("preempt_delay is incompatible with nopreempt mode - resetting")
		c.PreemptDelay = 0
	}
	if c.PreemptDelay < 0 {
		bad("preempt_delay must not be negative")
	}
	if c.GARPMasterDelay == 0 {
		c.GARPMasterDelay = DefaultGARPMasterDelay
	}
	if c.GARPMasterRepeat == 0 {
		c.GARPMasterRepeat = DefaultGARPMasterRepeat
	} else if c.GARPMasterRepeat < 0 {
		bad("garp_master_repeat must not be negative")
	}
	if c.GARPLowerPrioRepeat == 0 {
		c.GARPLowerPrioRepeat = c.GARPMasterRepeat
	}
	if c.GARPLowerPrioDelay == 0 {
		c.GARPLowerPrioDelay = c.GARPMasterDelay
	}
	if c.DownTimerAdverts == 0 {
		c.DownTimerAdverts = DefaultDownTimerAdverts
	} else if c.DownTimerAdverts < 1 || c.DownTimerAdverts > 100 {
		bad("down_timer_adverts must be 1..100, not %d", c.DownTimerAdverts)
	}
	seen := map[string]bool{}
	for _, t := range c.Tracks {
		switch {
		case t.Name == "":
			bad("track without a name")
		case seen[t.Name]:
			bad("duplicate track %q", t.Name)
		}
		seen[t.Name] = true
		if t.Weight < -254 || t.Weight > 254 {
			bad("track %q: weight %d out of -254..254", t.Name, t.Weight)
		}
		if t.Initial < TrackUnknown || t.Initial > TrackFailed {
			bad("track %q: invalid initial state %d", t.Name, int(t.Initial))
		}
	}
	c.Tracks = append([]Track(nil), c.Tracks...)
	return c, warns, errors.Join(errs...)
}

// normalizeInterval mirrors vrrp_complete_instance's advert_int checks.
func (c Config) normalizeInterval(warn func(string, ...any)) time.Duration {
	d := c.AdvertInterval
	if d <= 0 {
		return DefaultAdvertInterval
	}
	unit, maxUnits, name := time.Second, 255, "an integer"
	if c.Version == 3 {
		unit, maxUnits, name = centisecond, 4095, "in units of 10ms"
	}
	if d >= time.Duration(maxUnits+1)*unit {
		warn("VRRPv%d advertisement interval %.2fs is out of range. Setting to %.2fs",
			c.Version, d.Seconds(), (time.Duration(maxUnits) * unit).Seconds())
		return time.Duration(maxUnits) * unit
	}
	if d%unit != 0 {
		warn("VRRPv%d advertisement interval %fs must be %s - rounding", c.Version, d.Seconds(), name)
		d = (d + unit/2) / unit * unit
		if d == 0 {
			d = unit
		}
	}
	return d
}
