package learn

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/halab/halab/lab"
)

// settleLimit bounds the wait for a steady lab: an election after a build
// or a restore (one master-down interval, a track script's first run, a
// preemption) fits several times over.
const settleLimit = 20 * time.Second

func init() {
	prepares["steady"] = prepareSteady
	prepares["master-off"] = prepareMasterOff
}

// prepareSteady mends every fault an earlier step left in force and waits
// until the lab is as the tutorial describes it at rest: the master holds
// the VIP alone at its full priority, the backup waits at its own, and the
// client's requests are answered.
func prepareSteady(ctx context.Context, e *Env, out func(Block), waiting func(string)) error {
	if err := e.mend(ctx, out); err != nil {
		return err
	}
	return e.settle(ctx, out, waiting)
}

// settle waits for the steady lab (see prepareSteady), and says how long
// it waited when it had to.
func (e *Env) settle(ctx context.Context, out func(Block), waiting func(string)) error {
	why := ""
	waited, ok := e.waitFor(ctx, settleLimit, e.Texts.T("wait.steady"), waiting, func() bool {
		why = e.unsteady(ctx)
		return why == ""
	})
	if !ok {
		if err := ctx.Err(); err != nil {
			return err
		}
		return errors.New(e.Texts.T("err.unsteady", "limit", e.Texts.Dur(settleLimit), "why", why))
	}
	if waited > 0 {
		out(Block{Title: e.Texts.T("prep.title"), Lines: []string{e.Texts.T("prep.settled", "waited", e.Texts.Dur(waited))}})
	}
	return nil
}

// unsteady says why the lab is not at rest now, or "" when it is.
func (e *Env) unsteady(ctx context.Context) string {
	t, r := e.Texts, e.Roles
	if h := e.holders(ctx); len(h) != 1 || h[0] != r.Master {
		return t.T("why.holders", "holders", e.nodeList(h))
	}
	for _, lb := range []struct {
		node, state string
		prio        int
	}{{r.Master, "MASTER", r.MasterVRRP.FullPriority()}, {r.Backup, "BACKUP", r.BackupVRRP.FullPriority()}} {
		in, err := e.vrrpOf(ctx, lb.node)
		if err != nil {
			return t.T("why.vrrp_silent", "node", lb.node)
		}
		if in.State != lb.state || in.Priority != lb.prio {
			return t.T("why.vrrp", "node", lb.node, "state", in.State, "prio", strconv.Itoa(in.Priority),
				"want_state", lb.state, "want_prio", strconv.Itoa(lb.prio))
		}
	}
	ps, err := e.probeStatus(ctx)
	if err != nil || !ps.Answered || ps.Current != nil {
		return t.T("why.client")
	}
	return ""
}

// nodeList writes node names joined, or the language's "none".
func (e *Env) nodeList(nodes []string) string {
	if len(nodes) == 0 {
		return e.Texts.T("word.none")
	}
	return strings.Join(nodes, ", ")
}

// mend undoes the faults in force, newest first (a heal once for all
// partitions, losses and delays), and says what it undid.
func (e *Env) mend(ctx context.Context, out func(Block)) error {
	st := e.Lab.State()
	if st == nil || len(st.Faults) == 0 {
		return nil
	}
	var done []string
	healed := false
	for i := len(st.Faults) - 1; i >= 0; i-- {
		inv, ok := st.Faults[i].Inverse()
		if !ok || (inv.Kind == lab.FaultHeal && healed) {
			continue
		}
		healed = healed || inv.Kind == lab.FaultHeal
		if err := e.Lab.Fault(ctx, inv); err != nil {
			return errors.New(e.Texts.T("err.mend", "fault", st.Faults[i].String(), "err", err.Error()))
		}
		done = append(done, e.mended(inv))
	}
	if len(done) > 0 {
		out(Block{Title: e.Texts.T("prep.title"), Lines: done})
	}
	return nil
}

// mended says a mending fault in the course's language.
func (e *Env) mended(f lab.Fault) string {
	t := e.Texts
	switch f.Kind {
	case lab.FaultRestore:
		return t.T("mend.restore", "node", f.Node)
	case lab.FaultStart:
		return t.T("mend.start", "node", f.Node, "component", f.Component)
	case lab.FaultLinkUp:
		return t.T("mend.link", "node", f.Node, "iface", f.Interface)
	}
	return t.T("mend.heal")
}

// prepareMasterOff brings the lab to where step 7 leaves it: the master
// powered off and the backup holding the VIP. When the master is on, it
// first makes the lab steady and then powers the master off.
func prepareMasterOff(ctx context.Context, e *Env, out func(Block), waiting func(string)) error {
	t, r := e.Texts, e.Roles
	if !e.poweredOff(r.Master) {
		if err := prepareSteady(ctx, e, out, waiting); err != nil {
			return err
		}
		if err := e.Lab.Fault(ctx, lab.Fault{Kind: lab.FaultCrash, Node: r.Master}); err != nil {
			return errors.New(t.T("err.fault", "fault", "crash "+r.Master, "err", err.Error()))
		}
		out(Block{Title: t.T("prep.title"), Lines: []string{t.T("prep.crashed")}})
	}
	limit := r.MasterDown() + 3*time.Second
	waited, ok := e.waitFor(ctx, limit, t.T("wait.backup_vip"), waiting, func() bool {
		h := e.holders(ctx)
		return len(h) == 1 && h[0] == r.Backup
	})
	if !ok {
		if err := ctx.Err(); err != nil {
			return err
		}
		return errors.New(t.T("err.backup_no_vip", "limit", t.Dur(limit)))
	}
	if waited > 0 {
		out(Block{Title: t.T("prep.title"), Lines: []string{t.T("prep.backup_holds", "waited", t.Dur(waited))}})
	}
	return nil
}

// poweredOff reports whether the lab's state records node as powered off.
func (e *Env) poweredOff(node string) bool {
	st := e.Lab.State()
	if st == nil {
		return false
	}
	ns, err := st.Node(node)
	return err == nil && ns.PoweredOff
}
