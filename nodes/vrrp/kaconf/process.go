package kaconf

import (
	"math"
	"slices"
	"time"
)

// Limits keepalived 2.2.7 applies to vrrp_track_process values
// (vrrp_parser.c, vrrp_tprocess_*_handler).
const (
	// NoQuorumMax is quorum_max when none is written: keepalived's
	// UINT_MAX, no upper bound.
	NoQuorumMax = math.MaxUint32

	maxQuorum       = 65535
	maxProcessDelay = 3600 * time.Second
	maxProcessName  = 15 // TASK_COMM_LEN - 1: the longest process name (comm)
)

// ParamMatch says how a vrrp_track_process compares a process's
// parameters (argv[1:]) with those configured (keepalived's param_match_t).
type ParamMatch int

// Parameter matches.
const (
	// ParamMatchNone: parameters are not compared (no parameters
	// configured and no param_match).
	ParamMatchNone ParamMatch = iota
	// ParamMatchExact: the parameters are exactly those configured; with
	// none configured, the process must have none. It is what parameters
	// after the process name, or param_match without a word, mean.
	ParamMatchExact
	// ParamMatchInitial (param_match initial): the configured parameters
	// come first, the last of them possibly longer in the process
	// ("--conf" matches "--config=x").
	ParamMatchInitial
	// ParamMatchPartial (param_match partial): the configured parameters
	// come first, exactly; more may follow.
	ParamMatchPartial
)

// String is "none", "exact", "initial" or "partial".
func (m ParamMatch) String() string {
	switch m {
	case ParamMatchExact:
		return "exact"
	case ParamMatchInitial:
		return "initial"
	case ParamMatchPartial:
		return "partial"
	}
	return "none"
}

// Process is a vrrp_track_process block: the processes keepalived counts,
// and how many of them make the tracked process up.
//
// keepalived 2.2.7 matches a process by its name, the comm of
// /proc/PID/stat (what prctl(PR_SET_NAME) sets, at most 15 characters),
// exactly: "process ssh" does not match sshd. With FullCommand, or when
// parameters are configured, it compares argv[0] of /proc/PID/cmdline with
// Command instead (the whole word, not its base name), and then the
// parameters as ParamMatch says. Zombie processes do not count. The tracked
// process is up while Quorum <= count <= QuorumMax; how that changes an
// instance is the weight's business (see [TrackProcess]).
type Process struct {
	Name string
	Pos  Position // of the vrrp_track_process keyword

	// Command is the first word after process, quotes removed: a process
	// name, or with FullCommand the argv[0] to match. Params are the words
	// after it.
	Command string
	Params  []string

	ParamMatch  ParamMatch
	FullCommand bool // full_command, or implied by parameters or param_match

	// Weight and WeightReverse are weight N [reverse] (-254..254, default
	// 0): the default weight of every track_process naming this block.
	Weight        int
	WeightReverse bool

	// Quorum and QuorumMax bound the number of matching processes for the
	// tracked process to be up: quorum (1..65535, default 1) and
	// quorum_max (0..65535, default NoQuorumMax). quorum_max 0 sets
	// Quorum to 0: up exactly while no such process runs.
	Quorum    int
	QuorumMax int

	// ForkDelay and TerminateDelay (fork_delay, terminate_delay, or both
	// with delay; 0.000001 to 3600 s, default 0) hold back a change of the
	// quorum caused by a process starting or ending, so that a reload
	// (stop, then start) does not bounce the instance.
	ForkDelay      time.Duration
	TerminateDelay time.Duration
}

// TrackProcess is one line of track_process: NAME [weight N
// [reverse|noreverse]].
//
// keepalived's weight semantics (vrrp_track.c
// process_update_track_process_status), those of [TrackScript] with
// "quorum held" for success: with weight 0 the instance is in FAULT while
// the quorum is not held (reverse: while it is); a positive weight raises
// the priority while the quorum is held, a negative one lowers it while it
// is not. The weight defaults to the vrrp_track_process's own.
type TrackProcess struct {
	Name          string
	Process       *Process
	Weight        int
	WeightReverse bool
	Pos           Position
}

// Process returns the vrrp_track_process named name, or nil. Like
// keepalived, the first of two blocks with one name wins.
func (c *Config) Process(name string) *Process {
	for _, pr := range c.Processes {
		if pr.Name == name {
			return pr
		}
	}
	return nil
}

// parseProcess reads a vrrp_track_process block. As in keepalived, a block
// without a process line is dropped at its end.
func (p *parser) parseProcess(kw statement) {
	if len(kw.words) < 2 {
		p.diags.errorf(kw.pos, "vrrp_track_process must have a name - write vrrp_track_process NAME {")
		p.skipOptionalBlock()
		return
	}
	p.extraArgs(kw, 1)
	pr := &Process{Name: kw.arg(1), Pos: kw.pos, Quorum: 1, QuorumMax: NoQuorumMax}
	p.openBlock(kw)
	hasProcess := false
	p.block(kw, func(st statement) {
		switch st.keyword() {
		case "process":
			hasProcess = p.processCommand(st, pr, hasProcess)
		case "param_match":
			p.paramMatch(st, pr)
		case "weight":
			p.processWeight(st, pr)
		case "quorum":
			p.quorum(st, pr)
		case "quorum_max":
			p.quorumMax(st, pr)
		case "delay", "fork_delay", "terminate_delay":
			prefix := st.keyword()[:len(st.keyword())-len("delay")]
			d, ok := p.instanceSeconds(st, time.Microsecond, maxProcessDelay,
				prefix+"delay (%[2]s) for vrrp_track_process %[1]s must be between [0.000001..3600] inclusive. Ignoring...", pr.Name)
			if !ok {
				return
			}
			if prefix != "fork_" {
				pr.TerminateDelay = d
			}
			if prefix != "terminate_" {
				pr.ForkDelay = d
			}
		case "full_command":
			p.extraArgs(st, 0)
			pr.FullCommand = true
		default:
			p.unknownKeyword(st, processUnsupported)
		}
	})
	if !hasProcess {
		p.diags.errorf(kw.pos, "track process '%s' process name not specified - add process NAME", pr.Name)
		return
	}
	if !pr.FullCommand && len(pr.Command) > maxProcessName {
		// keepalived says nothing, and the block never matches.
		p.diags.warnf(kw.pos, "vrrp_track_process %s: process name '%s' is longer than %d characters, and a process name (comm) never is - it can only match with full_command", pr.Name, pr.Command, maxProcessName)
	}
	if first := p.cfg.Process(pr.Name); first != nil {
		p.diags.warnf(kw.pos, "vrrp_track_process %s is already defined at %s - keepalived tracks the first one", pr.Name, first.Pos)
	}
	p.cfg.Processes = append(p.cfg.Processes, pr)
}

// processCommand reads process NAME [PARAM…]: parameters make the match
// one of the full command line, exact unless param_match says otherwise.
func (p *parser) processCommand(st statement, pr *Process, already bool) bool {
	if !p.needArgs(st, 1) {
		return already
	}
	if already {
		p.diags.warnf(st.at(1), "Process already set for track process %s - ignoring %s", pr.Name, st.arg(1))
		return true
	}
	if st.arg(1) == "" {
		p.diags.errorf(st.at(1), "vrrp_track_process %s: the process name is empty - ignoring; write process NAME", pr.Name)
		return false
	}
	pr.Command = st.arg(1)
	for i := 2; i < len(st.words); i++ {
		pr.Params = append(pr.Params, st.arg(i))
	}
	if len(pr.Params) > 0 {
		if pr.ParamMatch == ParamMatchNone {
			pr.ParamMatch = ParamMatchExact
		}
		pr.FullCommand = true
	}
	return true
}

// paramMatch reads param_match [initial|partial]; without a word it asks
// for exactly the configured parameters (none if none are configured).
// keepalived 2.2.7 knows no "exact" word.
func (p *parser) paramMatch(st statement, pr *Process) {
	p.extraArgs(st, 1)
	switch st.arg(1) {
	case "":
		pr.ParamMatch = ParamMatchExact
	case "initial":
		pr.ParamMatch = ParamMatchInitial
	case "partial":
		pr.ParamMatch = ParamMatchPartial
	case "exact":
		p.diags.errorf(st.at(1), "Invalid param_match type exact - ignoring (keepalived 2.2.7 knows initial and partial; an exact match is what param_match without a word, or parameters after process, ask for)")
		return
	default:
		p.diags.errorf(st.at(1), "Invalid param_match type %s - ignoring; use param_match, param_match initial or param_match partial", st.arg(1))
		return
	}
	pr.FullCommand = true
}

// processWeight reads weight N [reverse]; keepalived keeps the first
// non-zero weight.
func (p *parser) processWeight(st statement, pr *Process) {
	if len(st.words) < 2 {
		p.diags.errorf(st.pos, "No weight specified for track process %s - ignoring", pr.Name)
		return
	}
	if pr.Weight != 0 {
		p.diags.warnf(st.at(1), "Weight already set for track process %s - ignoring %s", pr.Name, st.arg(1))
		return
	}
	p.extraArgs(st, 2)
	n, err := parseInt(st.arg(1), -254, 254)
	if err != nil {
		p.diags.errorf(st.at(1), "Weight (%s) for vrrp_track_process %s must be between [-254..254] inclusive. Ignoring...", st.arg(1), pr.Name)
		return
	}
	if len(st.words) > 2 {
		if st.arg(2) == "reverse" {
			pr.WeightReverse = true
		} else {
			p.diags.warnf(st.at(2), "vrrp_track_process %s unknown weight option %s - ignored (the option is 'reverse')", pr.Name, st.arg(2))
		}
	}
	pr.Weight = int(n)
}

// quorum reads quorum N (1..65535), which must not exceed quorum_max.
func (p *parser) quorum(st statement, pr *Process) {
	if !p.needArgs(st, 1) {
		return
	}
	p.extraArgs(st, 1)
	n, err := parseUnsigned(st.arg(1), 1, maxQuorum)
	if err != nil {
		p.diags.errorf(st.at(1), "Quorum (%s) for vrrp_track_process %s must be between [1..65535] inclusive. Ignoring...", st.arg(1), pr.Name)
		return
	}
	if int(n) > pr.QuorumMax {
		p.diags.errorf(st.at(1), "Quorum is greater than quorum_max - ignoring (vrrp_track_process %s: quorum %d, quorum_max %d)", pr.Name, n, pr.QuorumMax)
		return
	}
	pr.Quorum = int(n)
}

// quorumMax reads quorum_max N (0..65535); 0 (allowed while quorum is 1)
// means no such process may run.
func (p *parser) quorumMax(st statement, pr *Process) {
	if !p.needArgs(st, 1) {
		return
	}
	p.extraArgs(st, 1)
	n, err := parseUnsigned(st.arg(1), 0, maxQuorum)
	if err != nil {
		p.diags.errorf(st.at(1), "quorum_max (%s) for vrrp_track_process %s must be between [0..65535] inclusive. Ignoring...", st.arg(1), pr.Name)
		return
	}
	limit := int(n)
	if (limit != 0 || pr.Quorum > 1) && limit < pr.Quorum {
		p.diags.errorf(st.at(1), "quorum_max is less than quorum - ignoring (vrrp_track_process %s: quorum %d, quorum_max %d)", pr.Name, pr.Quorum, limit)
		return
	}
	pr.QuorumMax = limit
	switch {
	case limit == 0:
		pr.Quorum = 0
	case pr.Quorum == 0:
		pr.Quorum = 1
	}
}

// trackProcesses reads the lines of track_process: NAME [weight N
// [reverse|noreverse]] (vrrp_track.c alloc_track_process). The block must be
// defined above, as keepalived looks it up while reading.
func (p *parser) trackProcesses(in *instanceState, lines []statement) {
	for _, st := range lines {
		name := st.keyword()
		pr := p.cfg.Process(name)
		if pr == nil {
			p.diags.errorf(st.pos, "(%s) track process %s not found, ignoring... - define vrrp_track_process %s before this instance", in.Name, name, name)
			continue
		}
		if slices.ContainsFunc(in.TrackProcesses, func(t TrackProcess) bool { return t.Name == name }) {
			p.diags.warnf(st.pos, "(%s) duplicate track_process %s - ignoring", in.Name, name)
			continue
		}
		track := TrackProcess{Name: name, Process: pr, Weight: pr.Weight, WeightReverse: pr.WeightReverse, Pos: st.pos}
		if len(st.words) > 1 && !p.trackProcessWeight(in, st, &track) {
			continue
		}
		in.TrackProcesses = append(in.TrackProcesses, track)
	}
}

// trackProcessWeight reads "weight N [reverse|noreverse]" after a tracked
// process name. It reports whether the line is kept: like keepalived, a
// line with an invalid weight is kept with the block's weight.
func (p *parser) trackProcessWeight(in *instanceState, st statement, track *TrackProcess) bool {
	if st.arg(1) != "weight" {
		p.diags.errorf(st.at(1), "(%s) unknown track process option %s - ignoring the track_process; the option is weight N", in.Name, st.arg(1))
		return false
	}
	if len(st.words) == 2 {
		p.diags.errorf(st.at(1), "(%s) weight without value specified for track process %s - ignoring", in.Name, track.Name)
		return false
	}
	if n, err := parseInt(st.arg(2), -254, 254); err == nil {
		track.Weight = int(n)
	} else {
		// keepalived keeps the line with the block's weight.
		p.diags.errorf(st.at(2), "(%s) weight for track process %s must be in [-254..254] inclusive. Ignoring... (keepalived would use the vrrp_track_process weight %d)", in.Name, track.Name, track.Weight)
	}
	if len(st.words) > 3 {
		switch st.arg(3) {
		case "reverse":
			track.WeightReverse = true
		case "noreverse":
			track.WeightReverse = false
		default:
			p.diags.warnf(st.at(3), "(%s) unknown track_process %s weight option %s - ignoring", in.Name, track.Name, st.arg(3))
		}
		p.extraArgs(st, 3)
	}
	return true
}

// completeProcessTracking warns of weights the address owner ignores:
// keepalived 2.2.7 keeps the line and never applies its weight
// (process_update_track_process_status skips VRRP_PRIO_OWNER); its manual
// asks for weight 0.
func (p *parser) completeProcessTracking(in *instanceState) {
	if !in.AddressOwner() {
		return
	}
	for _, t := range in.TrackProcesses {
		if t.Weight != 0 {
			p.diags.warnf(t.Pos, "(%s) track_process %s has weight %d, which the address owner (priority 255) ignores - set weight 0", in.Name, t.Name, t.Weight)
		}
	}
}
