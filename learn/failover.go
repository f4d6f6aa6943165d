package learn

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/nodes/vrrp"
)

func init() {
	checks["backup-takes-over"] = checkBackupTakesOver
	checks["master-preempts"] = checkMasterPreempts
	checks["track-moves-vip"] = checkTrackMovesVIP
	checks["split-brain"] = checkSplitBrain
}

// Slack the checks allow beyond the protocol's bounds: the fault itself
// takes a moment to land, and the checks read the lab every Poll.
const (
	boundSlack = 500 * time.Millisecond
	// outageSlack is the outage beyond the master-down interval the client
	// may see: a request in flight at each end, the gratuitous ARPs.
	outageSlack = time.Second
	// outageWait bounds the wait for the client's first answer after the
	// VIP moved.
	outageWait = 8 * time.Second
	// mendWait bounds the wait for the master to take the VIP back after a
	// check mended what its action broke.
	mendWait = 15 * time.Second
)

// holdsOnly reports whether exactly the nodes want hold the VIP now.
func (e *Env) holdsOnly(ctx context.Context, want ...string) bool {
	h := e.holders(ctx)
	slices.Sort(h)
	w := slices.Clone(want)
	slices.Sort(w)
	return slices.Equal(h, w)
}

// waitHolders waits until exactly want hold the VIP, at most limit, and
// returns how long after since that was.
func (e *Env) waitHolders(ctx context.Context, since time.Time, limit time.Duration, what string, waiting func(string), want ...string) (time.Duration, bool) {
	_, ok := e.waitFor(ctx, limit-e.Clock.Now().Sub(since), what, waiting, func() bool { return e.holdsOnly(ctx, want...) })
	return e.Clock.Now().Sub(since), ok
}

// outageAfter waits for the client's outage that began around since to
// end, and says it (or that it did not end).
func (e *Env) outageAfter(ctx context.Context, v *verdict, since time.Time, bound time.Duration, waiting func(string)) {
	t := e.Texts
	var last *control.Outage
	_, ok := e.waitFor(ctx, outageWait, t.T("wait.client"), waiting, func() bool {
		ps, err := e.probeStatus(ctx)
		if err != nil || ps.Current != nil || ps.Last == nil || !ps.Last.End.After(since) {
			return false
		}
		last = ps.Last
		return true
	})
	if !ok {
		v.check(false, t.T("seen.no_answer", "limit", t.Dur(outageWait)))
		return
	}
	v.check(last.Length <= bound+outageSlack, t.T("seen.outage", "length", t.Dur(last.Length), "failed", itoa(last.Failed), "bound", t.Dur(bound)))
}

// transitions notes what node's VRRP daemon said since: its master-down
// timer, its state changes, the VIP added or removed (at most five).
func (e *Env) transitions(ctx context.Context, v *verdict, node string, since time.Time) {
	hist, err := e.Lab.History(ctx, node, lab.ComponentVRRP)
	if err != nil {
		return
	}
	n := 0
	for _, ev := range hist {
		if !ev.Time.After(since) || n >= 5 {
			continue
		}
		switch ev.Kind {
		case control.KindVRRPTimer, control.KindVRRPState, control.KindVIP, control.KindVRRPPriority:
			v.note(fmt.Sprintf("%s %s: %s", e.Texts.Clock(ev.Time), node, ev.Message))
			n++
		}
	}
}

// entered checks node is in state (waiting up to a second for it: the
// peer's advert that makes it change may still be on its way), and says
// when it entered it, as keepalived logs it: "(LB_VIP) Entering MASTER
// STATE".
func (e *Env) entered(ctx context.Context, v *verdict, node, state string, since time.Time) {
	t := e.Texts
	var in *vrrp.InstanceStatus
	e.waitFor(ctx, time.Second, "", nil, func() bool {
		var err error
		in, err = e.vrrpOf(ctx, node)
		return err == nil && in.State == state
	})
	switch {
	case in == nil:
		v.check(false, t.T("why.vrrp_silent", "node", node))
	case in.State != state:
		v.check(false, t.T("seen.not_entered", "node", node, "state", in.State, "want", state))
	default:
		after := "?"
		if lt := in.LastTransition; lt != nil && lt.To == state {
			after = t.Dur(lt.At.Sub(since))
		}
		v.check(true, t.T("seen.entering", "node", node, "instance", in.Name, "state", state, "after", after))
	}
}

// checkBackupTakesOver: the backup takes the VIP within its master-down
// interval of the power-off, enters MASTER, and the client is answered
// again after an outage about that long.
func checkBackupTakesOver(ctx context.Context, e *Env, a Acted, waiting func(string)) Result {
	t, v, r := e.Texts, newVerdict(), e.Roles
	bound := r.MasterDown()
	took, ok := e.waitHolders(ctx, a.Done, bound+2*time.Second, t.T("wait.backup_vip"), waiting, r.Backup)
	if ok {
		v.check(took <= bound+boundSlack, t.T("seen.vip_moved", "node", r.Backup, "took", t.Dur(took), "bound", t.Dur(bound)))
	} else {
		v.check(false, t.T("seen.vip_stayed", "node", r.Backup, "took", t.Dur(took), "holders", e.nodeList(e.holders(ctx))))
	}
	e.entered(ctx, v, r.Backup, "MASTER", a.Done)
	e.outageAfter(ctx, v, a.Done, bound, waiting)
	e.transitions(ctx, v, r.Backup, a.Done)
	return v.result()
}

// checkMasterPreempts: the master, back, takes the VIP again (it preempts
// the backup's lower priority), the backup steps down, and the client
// loses next to nothing.
func checkMasterPreempts(ctx context.Context, e *Env, a Acted, waiting func(string)) Result {
	t, v, r := e.Texts, newVerdict(), e.Roles
	bound := r.MasterReturn() + r.TrackInterval() + time.Second
	took, ok := e.waitHolders(ctx, a.Done, bound+3*time.Second, t.T("wait.master_vip"), waiting, r.Master)
	if ok {
		v.check(took <= bound, t.T("seen.preempted", "node", r.Master, "took", t.Dur(took), "bound", t.Dur(bound)))
	} else {
		v.check(false, t.T("seen.vip_stayed", "node", r.Master, "took", t.Dur(took), "holders", e.nodeList(e.holders(ctx))))
	}
	e.entered(ctx, v, r.Master, "MASTER", a.Done)
	e.entered(ctx, v, r.Backup, "BACKUP", a.Done)
	// The requests in flight at the moment of the change finish first.
	_ = e.Clock.Sleep(ctx, 500*time.Millisecond)
	if ps, err := e.probeStatus(ctx); err == nil && a.Probe != nil {
		failed := ps.Failed - a.Probe.Failed
		v.check(failed <= 5, t.T("seen.preempt_failed", "failed", fmt.Sprint(failed)))
	}
	e.transitions(ctx, v, r.Master, a.Done)
	return v.result()
}

// checkTrackMovesVIP: the master's track script fails within its
// interval and lowers its priority by the weight, below the backup's; the
// backup takes the VIP once its master-down timer runs out. Then the
// proxy is started again and the master takes the VIP back.
func checkTrackMovesVIP(ctx context.Context, e *Env, a Acted, waiting func(string)) Result {
	t, v, r := e.Texts, newVerdict(), e.Roles
	interval := r.TrackInterval()
	base := r.MasterVRRP.Priority
	dropped, ok := e.waitFor(ctx, interval+2*time.Second, t.T("wait.prio", "node", r.Master), waiting, func() bool {
		in, err := e.vrrpOf(ctx, r.Master)
		return err == nil && in.Priority == base
	})
	if ok {
		v.check(true, t.T("seen.prio_dropped", "node", r.Master, "from", itoa(r.MasterVRRP.FullPriority()), "to", itoa(base),
			"took", t.Dur(e.Clock.Now().Sub(a.Done)), "backup", r.Backup, "prio", itoa(r.BackupVRRP.FullPriority())))
	} else {
		v.check(false, t.T("seen.prio_kept", "node", r.Master, "took", t.Dur(dropped)))
	}
	lo, hi := r.MasterDown(), r.MasterDown()+interval
	took, ok := e.waitHolders(ctx, a.Done, hi+2*time.Second, t.T("wait.backup_vip"), waiting, r.Backup)
	if ok {
		v.check(took <= hi+boundSlack, t.T("seen.track_moved", "node", r.Backup, "took", t.Dur(took), "lo", t.Dur(lo), "hi", t.Dur(hi)))
	} else {
		v.check(false, t.T("seen.vip_stayed", "node", r.Backup, "took", t.Dur(took), "holders", e.nodeList(e.holders(ctx))))
	}
	e.outageAfter(ctx, v, a.Done, hi, waiting)
	e.mendAfter(ctx, v, lab.Fault{Kind: lab.FaultStart, Node: r.Master, Component: lab.ComponentProxy}, waiting)
	return v.result()
}

// checkSplitBrain: cut off from each other, both load balancers become
// master and hold the VIP; healed, the lower priority steps down at once.
func checkSplitBrain(ctx context.Context, e *Env, a Acted, waiting func(string)) Result {
	t, v, r := e.Texts, newVerdict(), e.Roles
	bound := r.MasterDown()
	took, ok := e.waitHolders(ctx, a.Done, bound+2*time.Second, t.T("wait.split"), waiting, r.Master, r.Backup)
	if ok {
		v.check(true, t.T("seen.split", "master", r.Master, "backup", r.Backup, "took", t.Dur(took)))
	} else {
		v.check(false, t.T("seen.no_split", "took", t.Dur(took), "holders", e.nodeList(e.holders(ctx))))
	}
	e.entered(ctx, v, r.Backup, "MASTER", a.Done)
	healAt := e.Clock.Now()
	mctx, cancel := mendContext(ctx)
	defer cancel()
	if err := e.Lab.Fault(mctx, lab.Fault{Kind: lab.FaultHeal}); err != nil {
		v.check(false, t.T("err.fault", "fault", "heal", "err", err.Error()))
		return v.result()
	}
	took, ok = e.waitHolders(ctx, healAt, 5*time.Second, t.T("wait.master_vip"), waiting, r.Master)
	if ok {
		v.check(true, t.T("seen.healed", "master", r.Master, "backup", r.Backup, "took", t.Dur(took)))
	} else {
		v.check(false, t.T("seen.vip_stayed", "node", r.Master, "took", t.Dur(took), "holders", e.nodeList(e.holders(ctx))))
	}
	e.transitions(ctx, v, r.Backup, a.Done)
	return v.result()
}

// mendContext is a context for mending what an action broke: it outlives
// ctx (a check stopped half-way still mends), bounded by a minute.
func mendContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
}

// mendAfter applies f (which mends what an action broke) and waits for the
// master to hold the VIP again, saying how long that took.
func (e *Env) mendAfter(ctx context.Context, v *verdict, f lab.Fault, waiting func(string)) {
	t, r := e.Texts, e.Roles
	at := e.Clock.Now()
	mctx, cancel := mendContext(ctx)
	defer cancel()
	if err := e.Lab.Fault(mctx, f); err != nil {
		v.check(false, t.T("err.fault", "fault", f.String(), "err", err.Error()))
		return
	}
	took, ok := e.waitHolders(ctx, at, mendWait, t.T("wait.master_vip"), waiting, r.Master)
	if ok {
		v.check(true, t.T("seen.mended", "what", e.mended(f), "node", r.Master, "took", t.Dur(took)))
	} else {
		v.check(false, t.T("seen.vip_stayed", "node", r.Master, "took", t.Dur(took), "holders", e.nodeList(e.holders(ctx))))
	}
}
