package soak

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/scenarios"
	"github.com/halab/halab/scenarios/livelab"
)

// DefaultDrillTimeout bounds one drill run when Config.DrillTimeout is 0.
const DefaultDrillTimeout = 3 * time.Minute

// maxErrorsInARow stops a soak whose drills cannot even run: the lab is
// broken and going on would only repeat the error.
const maxErrorsInARow = 3

// Config is one soak.
type Config struct {
	// Lab is the running netns lab to soak; it stays up throughout.
	Lab string
	// Drills run in this order, round after round.
	Drills []*scenarios.Drill
	// Duration bounds the soak from its start: no drill starts after it,
	// except in the warm-up round, which always runs whole (the baseline
	// is taken at its end). The soak thus lasts at most the longer of
	// Duration and the warm-up, plus one drill run.
	Duration time.Duration
	// MaxRounds, when above 0, stops after that many rounds past the
	// warm-up even if time remains.
	MaxRounds int
	// DrillTimeout bounds each drill run (DefaultDrillTimeout when 0).
	DrillTimeout time.Duration
	// Limits are the growth thresholds (DefaultLimits when zero).
	Limits Limits
	// ReportDir, when set, receives a Markdown report of each failed run.
	ReportDir string
	// Log receives a line per drill run as the soak goes (nil: none).
	Log io.Writer
}

// Result is a finished soak.
type Result struct {
	Lab     string        `json:"lab"`
	Started time.Time     `json:"started"`
	Elapsed time.Duration `json:"elapsed"`
	Runs    []RunRecord   `json:"runs"`
	// Samples are the lab right after it came up, then after each run.
	Samples []Sample `json:"samples"`
	// Baseline is the index of the sample that ended the warm-up round
	// (-1 when the warm-up did not finish).
	Baseline int          `json:"baseline"`
	Drills   []DrillTally `json:"drills"`
	// Verdicts hold each process's fds, goroutines and RSS from the
	// baseline on; CheckError says why there are none.
	Verdicts   []Verdict `json:"verdicts"`
	CheckError string    `json:"check_error,omitempty"`
	// Namespaces holds the lab's namespace count over every sample.
	Namespaces Verdict `json:"namespaces"`
	// Aborted says why the soak stopped before its time, if it did.
	Aborted string `json:"aborted,omitempty"`
	Limits  Limits `json:"limits"`
	// Passed is true when every run passed, every sample read every
	// process, and nothing grew beyond its limits.
	Passed bool `json:"passed"`
}

// Run soaks the lab as cfg says. It returns an error only when the soak
// cannot start; a soak that stops early says why in Result.Aborted.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if len(cfg.Drills) == 0 {
		return nil, errors.New("soak: no drills to run")
	}
	if cfg.DrillTimeout == 0 {
		cfg.DrillTimeout = DefaultDrillTimeout
	}
	if cfg.Limits == (Limits{}) {
		cfg.Limits = DefaultLimits
	}
	ll, err := livelab.Open(cfg.Lab)
	if err != nil {
		return nil, fmt.Errorf("soak: %w", err)
	}
	defer ll.Close()
	st := ll.State()
	if st.Provider != "" && st.Provider != lab.ProviderNetns {
		return nil, fmt.Errorf("soak: lab %s was built by the %s provider; the soak reads /proc on this machine and needs a netns lab", cfg.Lab, st.Provider)
	}
	acc, err := lab.OpenAccess(st)
	if err != nil {
		return nil, fmt.Errorf("soak: %w", err)
	}
	defer acc.Close()
	smp := newSampler(ll.Name(), acc)
	dr := &driller{lab: ll, timeout: cfg.DrillTimeout, reportDir: cfg.ReportDir}
	s := &soak{cfg: cfg, now: time.Now, run: dr.run, take: smp.take,
		res: &Result{Lab: ll.Name(), Started: time.Now(), Baseline: -1, Limits: cfg.Limits}}
	s.sample(ctx, "lab up")
	s.loop(ctx)
	return s.finish(), nil
}

// soak is a soak under way. Its clock, drill runs and samples are
// functions, so that the loop can be tested without a lab.
type soak struct {
	cfg     Config
	now     func() time.Time
	run     func(ctx context.Context, d *scenarios.Drill, round int) RunRecord
	take    func(ctx context.Context, after string) Sample
	res     *Result
	errsRow int // drill runs in a row that could not run at all
}

// loop runs the warm-up round whole, then rounds until the time is up,
// MaxRounds are done, ctx ends or drills keep failing to run.
func (s *soak) loop(ctx context.Context) {
	deadline := s.res.Started.Add(s.cfg.Duration)
	for round := 0; s.cfg.MaxRounds <= 0 || round <= s.cfg.MaxRounds; round++ {
		for _, d := range s.cfg.Drills {
			if ctx.Err() != nil {
				s.res.Aborted = "interrupted: " + context.Cause(ctx).Error()
				return
			}
			if round > 0 && !s.now().Before(deadline) {
				return
			}
			rec := s.run(ctx, d, round)
			s.res.Runs = append(s.res.Runs, rec)
			s.sample(ctx, fmt.Sprintf("%s (round %d)", d.Name, round))
			s.progress(rec)
			if rec.Measured {
				s.errsRow = 0
			} else {
				s.errsRow++
			}
			if s.errsRow >= maxErrorsInARow {
				s.res.Aborted = fmt.Sprintf("%d drill runs in a row could not run; the last: %s", s.errsRow, rec.Failure)
				return
			}
		}
		if round == 0 {
			s.res.Baseline = len(s.res.Samples) - 1
		}
	}
}

// driller runs drills on a live lab.
type driller struct {
	lab       *livelab.Lab
	timeout   time.Duration
	reportDir string
}

// run runs drill d once, bounded by the drill timeout.
func (dr *driller) run(ctx context.Context, d *scenarios.Drill, round int) RunRecord {
	rctx, cancel := context.WithTimeout(ctx, dr.timeout)
	defer cancel()
	rec := RunRecord{Drill: d.Name, Round: round, Started: time.Now()}
	rep, err := scenarios.Run(rctx, dr.lab, d, scenarios.Options{})
	rec.Duration = time.Since(rec.Started)
	if rep == nil {
		rec.Failure = fmt.Sprintf("could not run: %v", err)
		return rec
	}
	rec.Measured, rec.Outage = true, rep.Measurements.Outage
	rec.Failure = failure(rep, err)
	rec.Passed = rec.Failure == ""
	if !rec.Passed && dr.reportDir != "" {
		path, werr := writeReport(dr.reportDir, rec, rep)
		if werr != nil {
			rec.Failure += fmt.Sprintf(" (report not written: %v)", werr)
		}
		rec.Report = path
	}
	return rec
}

// failure says why a run with report rep (and error err) did not pass, or
// "" when it passed cleanly: every expectation met, nothing left for the
// runner to undo, no error.
func failure(rep *scenarios.Report, err error) string {
	var why string
	for _, st := range rep.Steps {
		if st.Failed() {
			why = fmt.Sprintf("step %d %q: %s", st.Index, st.Text, st.Seen)
			break
		}
	}
	if why == "" && !rep.Passed {
		why = "the drill did not pass"
	}
	if rep.Interrupted {
		why = join(why, "interrupted")
	}
	if err != nil {
		why = join(why, err.Error())
	}
	if len(rep.UndoErrors) > 0 {
		why = join(why, fmt.Sprintf("faults the runner could not undo: %v", rep.UndoErrors))
	} else if len(rep.Undone) > 0 && why == "" {
		why = fmt.Sprintf("the drill left faults the runner undid: %v", rep.Undone)
	}
	return why
}

// writeReport writes a failed run's Markdown report into dir.
func writeReport(dir string, rec RunRecord, rep *scenarios.Report) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := rep.WriteMarkdown(&b, scenarios.MarkdownOptions{NoTimeline: true}); err != nil {
		return "", err
	}
	path := filepath.Join(dir, fmt.Sprintf("%s-round%d-%s.md", rec.Drill, rec.Round, rec.Started.Format("150405")))
	return path, os.WriteFile(path, b.Bytes(), 0o644)
}

// sample takes a sample and keeps it. It outlives ctx (each status call
// has its own timeout): the lab after an interrupted run is still worth
// reading.
func (s *soak) sample(ctx context.Context, after string) {
	s.res.Samples = append(s.res.Samples, s.take(context.WithoutCancel(ctx), after))
}

// progress prints a line for a run and the sample after it.
func (s *soak) progress(rec RunRecord) {
	if s.cfg.Log == nil {
		return
	}
	smp := s.res.Samples[len(s.res.Samples)-1]
	var fds, gor int
	var rss int64
	for _, r := range smp.Readings {
		fds, gor, rss = fds+r.FDs, gor+r.Goroutines, rss+r.RSS
	}
	mark := "✓"
	if !rec.Passed {
		mark = "✗"
	}
	elapsed := rec.Started.Add(rec.Duration).Sub(s.res.Started).Truncate(time.Second)
	round := fmt.Sprintf("round %d", rec.Round)
	if rec.Round == 0 {
		round = "warm-up"
	}
	fmt.Fprintf(s.cfg.Log, "%8s %-8s %-17s %s %5.1fs outage %-8s | all processes: fds %d, goroutines %d, RSS %s; namespaces %d\n",
		elapsed, round, rec.Drill, mark, rec.Duration.Seconds(), fmtDuration(rec.Outage), fds, gor, formatBytes(float64(rss)), smp.Namespaces)
	if rec.Failure != "" {
		fmt.Fprintf(s.cfg.Log, "%8s   %s\n", "", rec.Failure)
	}
	for _, p := range smp.Problems {
		fmt.Fprintf(s.cfg.Log, "%8s   sampling: %s\n", "", p)
	}
}

// finish judges the soak.
func (s *soak) finish() *Result {
	r := s.res
	r.Elapsed = s.now().Sub(r.Started)
	r.Drills = Tally(r.Runs)
	r.Namespaces = NamespaceVerdict(r.Samples)
	if r.Baseline < 0 {
		r.CheckError = "the warm-up round did not finish: no baseline"
	} else {
		v, err := Check(r.Samples[r.Baseline:], r.Limits)
		r.Verdicts = v
		if err != nil {
			r.CheckError = err.Error()
		}
	}
	r.Passed = r.Aborted == "" && r.CheckError == "" && r.Namespaces.Pass && len(r.Runs) > 0
	for _, run := range r.Runs {
		r.Passed = r.Passed && run.Passed
	}
	for _, v := range r.Verdicts {
		r.Passed = r.Passed && v.Pass
	}
	for _, smp := range r.Samples {
		r.Passed = r.Passed && len(smp.Problems) == 0
	}
	return r
}
