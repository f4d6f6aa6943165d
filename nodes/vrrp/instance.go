package vrrp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/nodes/vrrp/fsm"
	"github.com/halab/halab/nodes/vrrp/kaconf"
	"github.com/halab/halab/nodes/vrrp/wire"
)

// instance is one vrrp_instance at work: its state machine, socket,
// addresses and counters. One goroutine (run) owns the state machine; the
// reader goroutine only hands datagrams over.
type instance struct {
	name string
	cfg  *kaconf.Instance
	d    *daemon
	log  *slog.Logger

	machine *fsm.Instance
	sock    *rawSocket
	// plain is an AH instance's second, receive-only socket for plain
	// VRRP (protocol 112): see openPlainSocket. Nil for other instances.
	plain  *rawSocket
	filter wire.Filter
	// seq numbers the AH adverts this router sends; received is the
	// highest sequence number accepted from the peers. keepalived keeps one
	// counter for both, so two masters that start in the same instant both
	// send 1, 2, 3… and each drops the other's equal number forever (a
	// split brain that never heals). Kept apart, a peer's number is
	// accepted when it is new for that peer's side, and a router that
	// takes over still continues above every number it has seen, which is
	// what keepalived's receivers require.
	seq      wire.SequenceCounter
	received wire.SequenceCounter
	src      netip.Addr   // our advert source (unicast_src_ip or the interface's)
	dsts     []netip.Addr // unicast peers, or 224.0.0.18
	vips     []VirtualAddress
	ipID     uint16

	datagrams chan datagram
	lastInput time.Time // the latest time handed to the state machine (run goroutine only)
	tracks    chan trackResult

	mu       sync.Mutex // guards what status reads
	counters Counters
	lastRecv time.Time
	late     bool           // the master's adverts are overdue (reported once)
	timerOn  bool           // a running master-down timer was announced
	view     InstanceStatus // the state machine as status shows it
	fatal    error
}

// trackResult is a tracked item's new state (after rise/fall).
type trackResult struct {
	name string
	ok   bool
	why  string
}

// Counters count an instance's adverts, as keepalived's stats do.
type Counters struct {
	Sent     uint64            `json:"sent"`
	Received uint64            `json:"received"`
	Dropped  map[string]uint64 `json:"dropped"`
	// BecameMaster counts transitions to MASTER.
	BecameMaster uint64 `json:"became_master"`
}

func newInstance(ic *kaconf.Instance, d *daemon) (*instance, error) {
	in := &instance{
		name: ic.Name, cfg: ic, d: d,
		log:       d.log.With("instance", ic.Name),
		datagrams: make(chan datagram, 64),
		tracks:    make(chan trackResult, 16),
		counters:  Counters{Dropped: map[string]uint64{}},
	}
	if ic.Interface == "" {
		return nil, errors.New("no interface: add `interface IFNAME`")
	}
	ifi, err := net.InterfaceByName(ic.Interface)
	if err != nil {
		return nil, fmt.Errorf("interface %s: %w", ic.Interface, err)
	}
	in.src = ic.UnicastSrcIP
	if !in.src.IsValid() {
		if in.src, err = primaryAddress(ifi); err != nil {
			return nil, err
		}
	}
	if ic.Unicast() {
		for _, p := range ic.UnicastPeers {
			in.dsts = append(in.dsts, p.Address)
		}
	} else {
		in.dsts = []netip.Addr{MulticastGroup}
	}
	var vipAddrs []netip.Addr
	for _, v := range ic.VirtualIPs {
		in.vips = append(in.vips, VirtualAddress{Prefix: v.Address, Interface: ic.VIPDevice(v), Label: v.Label})
		vipAddrs = append(vipAddrs, v.Address.Addr())
	}

	tracks := []fsm.Track{{Name: "interface " + ic.Interface, Weight: 0, Initial: linkState(ic.Interface)}}
	for _, ti := range ic.TrackInterfaces {
		if ti.Name == ic.Interface && ti.Weight == 0 {
			continue
		}
		tracks = append(tracks, fsm.Track{Name: "interface " + ti.Name, Weight: ti.Weight, Reverse: ti.WeightReverse, Initial: linkState(ti.Name)})
	}
	for _, ts := range ic.TrackScripts {
		tracks = append(tracks, fsm.Track{Name: "script " + ts.Name, Weight: ts.Weight, Reverse: ts.WeightReverse})
	}
	tracks = append(tracks, d.processTracks(ic)...)
	initial := fsm.Backup
	if ic.InitialState == kaconf.StateMaster {
		initial = fsm.Master
	}
	machine, err := fsm.New(fsm.Config{
		VRID: uint8(ic.VRID), Version: ic.Version, Priority: uint8(ic.Priority),
		AdvertInterval: ic.AdvertInterval, LocalAddress: in.src, InitialState: initial,
		NoPreempt: ic.Nopreempt, PreemptDelay: ic.PreemptDelay, Tracks: tracks,
		GARPMasterDelay: garpDelay(ic.GARPMasterDelay), GARPMasterRepeat: ic.GARPMasterRepeat,
	})
	if err != nil {
		return nil, err
	}
	in.machine = machine
	for _, w := range machine.Warnings() {
		in.log.Warn(w)
		d.ctl.Logf("warn", "(%s) %s", in.name, w)
	}

	interval, err := wire.IntervalUnits(uint8(ic.Version), ic.AdvertInterval)
	if err != nil {
		return nil, fmt.Errorf("advert_int: %w", err)
	}
	in.filter = wire.Filter{
		Version: uint8(ic.Version), VRID: uint8(ic.VRID),
		Auth: authType(ic.AuthType), Password: ic.AuthPass,
		Interval: interval, Unicast: ic.Unicast(),
		Addresses: vipAddrs, Sequence: &in.received,
	}
	protocol := ProtocolVRRP
	if ic.AuthType == kaconf.AuthAH {
		protocol = ProtocolAH
	}
	if in.sock, err = openRawSocket(protocol, ic.Interface, !ic.Unicast()); err != nil {
		return nil, err
	}
	if protocol == ProtocolAH {
		if in.plain, err = openRawSocket(ProtocolVRRP, ic.Interface, !ic.Unicast()); err != nil {
			in.sock.Close()
			return nil, err
		}
	}
	return in, nil
}

// garpDelay maps keepalived's garp_master_delay (0 = no second burst) to
// the state machine's convention (0 = default, negative = none).
func garpDelay(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}

func authType(t kaconf.AuthType) wire.AuthType {
	switch t {
	case kaconf.AuthPass:
		return wire.AuthSimple
	case kaconf.AuthAH:
		return wire.AuthAH
	}
	return wire.AuthNone
}

func primaryAddress(ifi *net.Interface) (netip.Addr, error) {
	addrs, err := ifi.Addrs()
	if err != nil {
		return netip.Addr{}, fmt.Errorf("addresses of %s: %w", ifi.Name, err)
	}
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok {
			if ip, ok := netip.AddrFromSlice(ipn.IP.To4()); ok && ipn.IP.To4() != nil {
				return ip, nil
			}
		}
	}
	return netip.Addr{}, fmt.Errorf("interface %s has no IPv4 address to send adverts from: give it one, or set unicast_src_ip", ifi.Name)
}

func (in *instance) close() {
	if in.sock != nil {
		in.sock.Close()
	}
	if in.plain != nil {
		in.plain.Close()
	}
}

// maxDatagram is the largest IPv4 datagram. A reassembled one may be
// larger than the link's MTU, and must be read whole to be judged by its
// length rather than cut to the read buffer.
const maxDatagram = 1<<16 - 1

// read hands every datagram s receives to the run loop through out, and
// closes out when s fails (it was closed).
func (in *instance) read(s *rawSocket, out chan<- datagram) {
	buf := make([]byte, maxDatagram)
	for {
		n, at, err := s.ReadAt(buf)
		if err != nil {
			close(out)
			return
		}
		out <- datagram{b: bytes.Clone(buf[:n]), at: at}
	}
}

// run drives the state machine until ctx is done, then stops it gracefully.
func (in *instance) run(ctx context.Context) {
	defer in.close()
	go in.read(in.sock, in.datagrams)
	// An AH instance also reads plain VRRP, only to count it: a router
	// without the password (or configured without authentication) sends
	// adverts that the AH socket never sees. keepalived does not look, so
	// its statistics do not show such a router; halab's drop counters do
	// (auth-type). They never reach the state machine: the filter drops
	// every advert without an AH header.
	var plain chan datagram // nil, never ready, when there is no plain socket
	if in.plain != nil {
		plain = make(chan datagram, 16)
		go in.read(in.plain, plain)
	}
	// A daemon killed with -9 leaves its addresses behind; like keepalived
	// at start-up, release them before the election.
	for _, v := range in.vips {
		if hasVIP(v) {
			if err := removeVIP(v); err != nil {
				in.log.Warn(err.Error())
			} else {
				in.d.ctl.Publish(control.Event{Kind: control.KindVIP,
					Message: fmt.Sprintf("VIP %s left from an earlier run removed from %s", v.Prefix.Addr(), v.Interface),
					VIP:     &control.VIPChange{Address: v.Prefix.Addr().String(), Interface: v.Interface}})
			}
		}
	}
	in.do(in.machine.Start(in.now()))
	in.refreshView()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		next := in.machine.NextDeadline()
		if late := in.lateDeadline(); !late.IsZero() && (next.IsZero() || late.Before(next)) {
			next = late
		}
		wait := time.Hour
		if !next.IsZero() {
			wait = max(time.Until(next), 0)
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			in.do(in.machine.Stop(time.Now()))
			in.log.Info(fmt.Sprintf("(%s) stopped", in.name))
			return
		case dg, ok := <-in.datagrams:
			if !ok {
				in.mu.Lock()
				in.fatal = errors.New("socket closed")
				in.mu.Unlock()
				in.do(in.machine.Stop(time.Now()))
				return
			}
			in.receive(dg)
		case dg, ok := <-plain:
			if ok {
				in.receive(dg)
			} else {
				plain = nil // its socket failed: stop selecting it
			}
		case tr := <-in.tracks:
			acts, err := in.machine.TrackChanged(in.now(), tr.name, tr.ok)
			if err != nil {
				in.log.Error("track", "error", err)
				continue
			}
			in.do(acts)
		case <-timer.C:
			in.drainQueued()
			now := in.now()
			in.checkLate(now)
			in.do(in.machine.Tick(now))
		}
		in.refreshView()
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
	}
}

// receive applies keepalived's receive checks, counts, and feeds an
// accepted advert to the state machine.
func (in *instance) receive(dg datagram) {
	p, err := in.filter.Accept(dg.b)
	now := in.arrival(dg.at)
	in.mu.Lock()
	if err != nil {
		reason := string(wire.DropReasonOf(err))
		in.counters.Dropped[reason]++
		in.mu.Unlock()
		if reason != string(wire.DropVRID) {
			in.log.Debug("advert dropped", "reason", reason, "detail", err)
		}
		return
	}
	in.counters.Received++
	in.lastRecv = now
	in.late = false
	in.mu.Unlock()
	if in.timerOn && in.machine.State() == fsm.Backup && p.Advert.Priority != 0 {
		in.publishTimer(false)
	}
	in.do(in.machine.Advert(now, fsm.AdvertIn{From: p.Src, Priority: p.Advert.Priority, Interval: p.Advert.AdvertInterval()}))
	if p.Advert.Priority == 0 && in.machine.State() == fsm.Backup {
		// The master is stopping: the timer now runs for the skew time only.
		in.publishTimer(true)
	}
}

// lateDeadline is when a backup starts to call the master late: one and a
// half advert intervals after the last advert.
func (in *instance) lateDeadline() time.Time {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.late || in.machine.State() != fsm.Backup || in.lastRecv.IsZero() {
		return time.Time{}
	}
	return in.lastRecv.Add(in.machine.MasterAdverInterval() * 3 / 2)
}

// checkLate reports, once, that the master's adverts stopped and the
// master-down timer is running out.
func (in *instance) checkLate(now time.Time) {
	dl := in.lateDeadline()
	if dl.IsZero() || now.Before(dl) {
		return
	}
	in.mu.Lock()
	in.late = true
	in.mu.Unlock()
	in.publishTimer(true)
}

func (in *instance) publishTimer(running bool) {
	in.timerOn = running
	deadline, ok := in.machine.MasterDownDeadline()
	t := &control.VRRPTimer{Instance: in.name, Deadline: deadline, Interval: fsm.MasterDownInterval(in.cfg.Version, in.machine.Priority(), in.machine.MasterAdverInterval(), 0), Running: running && ok}
	msg := fmt.Sprintf("(%s) master silent: taking over at %s unless an advert arrives", in.name, deadline.Format("15:04:05.000"))
	if addr, prio, known := in.machine.MasterAddress(); known && prio == 0 {
		msg = fmt.Sprintf("(%s) master %s stopping (priority 0): taking over at %s", in.name, addr, deadline.Format("15:04:05.000"))
	} else if !known {
		msg = fmt.Sprintf("(%s) no master heard yet: taking over at %s unless an advert arrives", in.name, deadline.Format("15:04:05.000"))
	}
	if !running {
		msg = fmt.Sprintf("(%s) master adverts resumed", in.name)
	}
	in.d.ctl.Publish(control.Event{Kind: control.KindVRRPTimer, Message: msg, Timer: t})
}

// do executes the state machine's actions in order.
func (in *instance) do(actions []fsm.Action) {
	for _, a := range actions {
		switch a := a.(type) {
		case fsm.SendAdvert:
			in.send(a.Priority)
		case fsm.AddVIPs:
			in.setVIPs(true)
		case fsm.RemoveVIPs:
			in.setVIPs(false)
		case fsm.SendGratuitousARP:
			in.gratuitousARP(a.Count)
		case fsm.Transition:
			in.transition(a)
		case fsm.PriorityChanged:
			msg := fmt.Sprintf("(%s) Changing effective priority from %d to %d: %s", in.name, a.From, a.To, a.Reason)
			in.log.Info(msg)
			in.d.ctl.Publish(control.Event{Kind: control.KindVRRPPriority, Message: msg,
				VRRP: &control.VRRPState{Instance: in.name, From: in.machine.State().String(), To: in.machine.State().String(), Reason: a.Reason, Priority: int(a.To)}})
		case fsm.Notice:
			in.log.Info(fmt.Sprintf("(%s) %s", in.name, a.Text))
		}
	}
}

// nextSequence is the AH sequence number of the next advert: above every
// number sent or seen. ok is false once the counter is exhausted.
func (in *instance) nextSequence() (uint32, bool) {
	in.seq.Accept(in.received.Last())
	return in.seq.Next()
}

// send builds and sends one advert to every destination.
func (in *instance) send(priority uint8) {
	interval, _ := wire.IntervalUnits(uint8(in.cfg.Version), in.cfg.AdvertInterval)
	advert := wire.Advert{Version: uint8(in.cfg.Version), VRID: uint8(in.cfg.VRID), Priority: priority, Interval: interval}
	for _, v := range in.vips {
		advert.Addresses = append(advert.Addresses, v.Prefix.Addr())
	}
	var seq uint32
	if in.filter.Auth == wire.AuthAH {
		var ok bool
		if seq, ok = in.nextSequence(); !ok {
			in.log.Error("AH sequence number exhausted; not sending")
			return
		}
	}
	for _, dst := range in.dsts {
		in.ipID++
		if in.ipID == 0 {
			in.ipID = 1
		}
		dg, err := wire.BuildPacket(wire.BuildOptions{
			Src: in.src, Dst: dst, ID: in.ipID, Advert: advert,
			Auth: in.filter.Auth, Password: in.filter.Password, Sequence: seq,
		})
		if err != nil {
			in.log.Error("build advert", "error", err)
			continue
		}
		if err := in.sock.Send(dg, dst); err != nil {
			in.log.Debug("send advert", "to", dst, "error", err)
			continue
		}
		in.mu.Lock()
		in.counters.Sent++
		in.mu.Unlock()
	}
}

func (in *instance) gratuitousARP(count int) {
	byIface := map[string][]netip.Addr{}
	var order []string
	for _, v := range in.vips {
		if _, seen := byIface[v.Interface]; !seen {
			order = append(order, v.Interface)
		}
		byIface[v.Interface] = append(byIface[v.Interface], v.Prefix.Addr())
	}
	for _, ifname := range order {
		if err := sendGratuitousARP(ifname, byIface[ifname], count); err != nil {
			in.log.Warn(err.Error())
			continue
		}
		in.log.Debug(fmt.Sprintf("(%s) Sending/queueing gratuitous ARPs on %s", in.name, ifname), "count", count)
	}
}

// transition logs a state change as keepalived does ("(LB_VIP) Entering
// MASTER STATE"), publishes it with its reason, and runs notify scripts.
// Status shows the new state first: the actions that follow in the same
// step (the VIP added, its event published) must not be seen before it.
func (in *instance) transition(t fsm.Transition) {
	in.refreshView()
	in.log.Info(fmt.Sprintf("(%s) Entering %s STATE", in.name, t.To), "from", t.From.String(), "reason", t.Reason)
	in.mu.Lock()
	if t.To == fsm.Master {
		in.counters.BecameMaster++
	}
	in.late = false
	in.mu.Unlock()
	if t.From == fsm.Backup {
		in.timerOn = false // the timer ended with the state
	}
	in.d.ctl.Publish(control.Event{Kind: control.KindVRRPState,
		Message: fmt.Sprintf("%s → %s: %s", t.From, t.To, t.Reason),
		VRRP:    &control.VRRPState{Instance: in.name, From: t.From.String(), To: t.To.String(), Reason: t.Reason, Priority: int(in.machine.Priority())}})
	if t.To == fsm.Backup && t.From != fsm.Master {
		// A backup waits: show its master-down timer counting.
		in.publishTimer(true)
	}
	in.notify(t.To)
}
