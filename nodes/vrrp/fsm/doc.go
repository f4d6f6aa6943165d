// Package fsm is the state machine of one VRRP instance: RFC 3768 §6.4 (v2)
// and RFC 5798 §6.4 (v3) with keepalived 2.2.7's extensions (FAULT state,
// tracked items with weights, nopreempt, preempt_delay, gratuitous ARP
// bursts, answering lower priority adverts). It does no I/O and reads no
// clock, so it can be tested exhaustively with a fake clock.
//
// # Driving it
//
// The daemon owns an [Instance] from one goroutine and feeds it inputs, each
// with the current time (time.Now(), which carries a monotonic reading):
//
//	in, err := fsm.New(cfg)            // Initialize
//	run(in.Start(time.Now()))          // → BACKUP, MASTER (owner) or FAULT
//	for {
//		timer.Reset(time.Until(in.NextDeadline())) // none if zero
//		select {
//		case <-timer.C:
//			run(in.Tick(time.Now()))
//		case pkt := <-adverts: // decoded and validated by nodes/vrrp/wire
//			run(in.Advert(time.Now(), fsm.AdvertIn{From: pkt.Src, Priority: pkt.Priority, Interval: pkt.Interval}))
//		case r := <-trackResults: // after rise/fall counting
//			acts, _ := in.TrackChanged(time.Now(), r.Name, r.OK)
//			run(acts)
//		case <-shutdown:
//			run(in.Stop(time.Now())) // priority-0 advert, VIPs removed
//			return
//		}
//	}
//
// run executes the actions in order: [SendAdvert] (priority may be 0),
// [AddVIPs], [RemoveVIPs], [SendGratuitousARP]; it logs or publishes
// [Transition], [PriorityChanged] and [Notice]. Every input first fires the
// timers already due at its time, so a late Tick is harmless and after each
// call [Instance.NextDeadline] is later than the time passed in. Between
// calls, the accessors ([Instance.State], [Instance.Priority],
// [Instance.MasterAddress], [Instance.MasterDownDeadline],
// [Instance.LastTransition]) give what a status page shows.
//
// # keepalived behaviours mirrored (checked in keepalived 2.2.7's source)
//
//   - Start (vrrp_init_state): only the address owner with state MASTER
//     becomes MASTER at once. state MASTER with a lower priority starts as
//     BACKUP with a full Master_Down_Interval, like state BACKUP.
//   - A backup discards a lower priority advert when preemption is allowed
//     (vrrp_state_backup): it does not restart its Master_Down_Timer and
//     takes over when the timer expires; it does not take over at once.
//   - A master answers a lower priority advert at once with an advert and
//     a gratuitous ARP burst (vrrp_state_master_rx), and a priority-0
//     advert with an advert.
//   - preempt_delay runs from the first lower priority advert a backup
//     sees; until it ends those adverts restart the timer as a higher
//     one would. A higher or equal advert, and entering BACKUP, reset it.
//   - FAULT: entering it from MASTER sends priority 0 (twice, as keepalived
//     does) and removes the VIPs; adverts are ignored and none are sent;
//     leaving it goes to BACKUP with a full Master_Down_Interval.
//   - Timers use keepalived's microsecond integer arithmetic
//     ([SkewTime], [MasterDownInterval]); a master reschedules its advert
//     from the moment it sent the last one.
//
// # Example: haproxy killed on the master (the tutorial lab, 6.19 s measured)
//
// lb1: priority 101 + chk_haproxy weight 2 = 103, MASTER; lb2: 100 + 2 =
// 102, BACKUP; v2, advert_int 1, script interval 2, fall 1, preempt on.
// Master_Down_Interval of lb2 = 3 + (256−102)/256 = 3.6016 s.
//
//	T0            haproxy dies on lb1. lb1 still holds the VIP and answers
//	              SYNs with RST: the outage starts.
//	T0+d          the next chk_haproxy run fails (0 < d ≤ 2 s, interval 2,
//	              fall 1): lb1 PriorityChanged 103→101. It stays MASTER and
//	              sends nothing extra.
//	a             lb1's last advert with 103, a ∈ (T0+d−1, T0+d]: lb2's
//	              Master_Down_Timer restarted then for the last time.
//	a+1, a+2, a+3 lb1 advertises 101; lb2 discards each ("received lower
//	              priority (101) advert … - discarding"), timer untouched.
//	a+3.60        lb2's timer expires: MASTER, advert 102, VIP added,
//	              5 gratuitous ARPs; lb1 sees 102 > 101: BACKUP, VIP removed.
//
// The state machines thus give an outage of a+3.60−T0 ∈ (d+2.60, d+3.60],
// at most 2+3.60 = 5.60 s (about 4.1 s on average over the kill's phase).
// The measured median, 6.19 s, is about 0.6 s beyond even that worst case.
// The remainder must come from outside the state machine (not verified;
// candidates: the script's own start-up under keepalived, the client's
// neighbour cache, the probe's timeout and granularity). It is not a
// different protocol rule: had lb2 taken over at the first 101 advert, the
// outage would be at most d+1 ≤ 3 s, far below the measurement.
// TestTutorialHaproxyKilled replays this sequence for every kill phase.
//
// # Not modelled
//
// Sync groups, the global vrrp_startup_delay, garp_master_refresh, VMACs
// and keepalived's reload paths. The checks of keepalived's
// vrrp_check_packet (VRID, authentication, TTL, v2 interval mismatch …)
// belong to the caller.
package fsm
