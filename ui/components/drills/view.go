package drills

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/halab/halab/ui/common"
	"github.com/halab/halab/ui/styles"
)

// Spinner is the frames of a waiting step, one per 100 ms of the
// dashboard's clock (so it turns with the redraw tick, and stands still in
// tests).
var Spinner = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// offsetW is the width of a step's offset column ("  3.62s").
const offsetW = 7

// spinner is the frame for now.
func (p *Pane) spinner() string {
	return Spinner[int(p.Now().UnixMilli()/100)%len(Spinner)]
}

// View renders the pane: the narration (the latest say step, or the
// drill's title before the first), the steps around the current one, and
// a footer with what happens now or how the drill ended.
func (p *Pane) View() string {
	w, h := p.width-2, p.height-2
	title := "drill · " + p.info.Name
	if w < 20 || h < 1 {
		return common.Frame(p.Styles, title, "", nil, p.width, p.height, true)
	}
	foot := p.footer(w, h)
	narrMax := 1
	switch {
	case h >= 10:
		narrMax = 3
	case h >= 5:
		narrMax = 2
	}
	narr := p.narration(w, min(narrMax, max(h-len(foot)-1, 1)))
	var body []string
	body = append(body, narr...)
	space := h - len(narr) - len(foot)
	if space >= 4 {
		body = append(body, "")
		space--
	}
	body = append(body, p.stepLines(w, max(space, 0))...)
	for len(body) < h-len(foot) {
		body = append(body, "")
	}
	body = append(body, foot...)
	if len(body) > h {
		body = body[:h]
	}
	return common.Frame(p.Styles, title, p.info2(), body, p.width, p.height, true)
}

// info2 is the frame's top-right text: progress and time, or the outcome.
func (p *Pane) info2() string {
	el := tenths(p.elapsed())
	switch p.phase {
	case PhaseStarting:
		return "waiting for a steady lab · " + el
	case PhaseStopping:
		return "stopping · " + el
	case PhaseFinished:
		switch {
		case p.err != nil && p.result.Summary == "":
			return "could not run"
		case p.result.Interrupted:
			return "stopped after " + el
		case p.result.Passed:
			return "passed in " + el
		}
		return "FAILED after " + el
	}
	if n := len(p.info.Steps); n > 0 && len(p.steps) > 0 {
		cur := min(p.steps[len(p.steps)-1].Index, n)
		return fmt.Sprintf("step %d of %d · %s", cur, n, el)
	}
	return "running · " + el
}

// narration is the latest say step, wrapped to at most n lines, or the
// drill's title while none was said.
func (p *Pane) narration(w, n int) []string {
	st := p.Styles
	text := p.Narration()
	if text == "" {
		return []string{" " + st.Bold.Render(common.Fit(p.info.Title, w-1))}
	}
	lines := strings.Split(ansi.Wrap(text, w-4, ""), "\n")
	if len(lines) > n {
		lines = lines[:n]
		lines[n-1] = common.Fit(lines[n-1]+" …", w-4)
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		lead := "   "
		if i == 0 {
			lead = " " + st.Selected.Render("»") + " "
		}
		out[i] = lead + st.Bold.Render(l)
	}
	return out
}

// stepLines are n lines of steps: the current one (once stopped or
// finished, the first that failed or was interrupted), as many before it
// as fit, and one or two after it.
func (p *Pane) stepLines(w, n int) []string {
	rows, pending := p.rows()
	if n <= 0 || len(rows) == 0 {
		return nil
	}
	if n < 6 {
		// Few lines: the say step narrated above is not repeated.
		if i := p.narrated(rows); i >= 0 {
			rows = append(rows[:i:i], rows[i+1:]...)
		}
	}
	focus := len(rows) - pending - 1
	if p.phase == PhaseFinished || p.phase == PhaseStopping {
		// The step that failed, or the one the stop interrupted.
		for i, r := range rows {
			if r.Status == StatusFail || r.Status == StatusError || (r.Status == StatusInterrupted && !notRun(r)) {
				focus = i
				break
			}
		}
	}
	ahead := 0
	switch {
	case n >= 6:
		ahead = 2
	case n >= 4:
		ahead = 1
	}
	ahead = min(ahead, len(rows)-1-focus)
	start := max(min(focus+ahead-n+1, len(rows)-n), 0)
	var out []string
	for i := start; i < len(rows) && len(out) < n; i++ {
		out = append(out, p.stepLine(rows[i], i >= len(rows)-pending, w))
	}
	return out
}

// narrated is the index in rows of the say step the narration shows, or
// -1.
func (p *Pane) narrated(rows []Step) int {
	for i := len(rows) - 1; i >= 0; i-- {
		if rows[i].Kind == "say" && rows[i].Status != "" && !notRun(rows[i]) {
			return i
		}
	}
	return -1
}

// stepLine is one step: offset, mark, words, what was seen.
func (p *Pane) stepLine(s Step, pending bool, w int) string {
	st := p.Styles
	var l common.Line
	switch {
	case pending:
		l.Space(offsetW+1).Add(st.Dim, "○ "+s.Text)
		return common.Fit(l.String(), w)
	case notRun(s):
		why := "skipped"
		if s.Status == StatusInterrupted {
			why = "not run: stopped"
		}
		l.Space(offsetW+1).Add(st.Dim, "· "+s.Text+" — "+why)
		return common.Fit(l.String(), w)
	case s.Whole:
		l.Add(st.Time, fmt.Sprintf("%*s", offsetW, "whole")).Space(1)
	default:
		l.Add(st.Time, fmt.Sprintf("%*s", offsetW, offset(s.Start))).Space(1)
	}
	mark, markSt, textSt, seenSt := p.look(s)
	text := s.Text
	if s.Kind == "say" {
		text = sayText(s)
	}
	l.Add(markSt, mark).Space(1).Add(textSt, text)
	seen := s.Seen
	if s.Kind == "say" || strings.Contains(s.Text, seen) {
		seen = ""
	}
	switch s.Status {
	case StatusRunning:
		if seen == "" {
			seen = "waiting " + tenths(p.stepElapsed(s))
		}
		seen += " …"
	}
	if seen != "" {
		l.Add(st.Dim, " — ").Add(seenSt, seen)
	}
	return common.Fit(l.String(), w)
}

// look is a step's mark and the styles of its mark, words and seen.
func (p *Pane) look(s Step) (mark string, markSt, textSt, seenSt styles.Style) {
	st := p.Styles
	switch s.Status {
	case StatusRunning:
		return p.spinner(), st.Warn, st.Bold, st.Warn
	case StatusPass:
		return "✓", st.Up, st.Text, st.Dim
	case StatusFail, StatusError:
		return "✗", st.Down, st.Text, st.Down
	case StatusSkipped:
		return "·", st.Dim, st.Dim, st.Dim
	case StatusInterrupted:
		return "!", st.Warn, st.Dim, st.Warn
	}
	switch s.Kind {
	case "say":
		return "»", st.Selected, st.Text, st.Dim
	case "fault", "restore", "heal":
		return "▲", st.Marker, st.Text, st.Dim
	}
	return "•", st.Dim, st.Text, st.Dim
}

// stepElapsed is how long a running step has run.
func (p *Pane) stepElapsed(s Step) time.Duration {
	if p.anchor.IsZero() {
		return 0
	}
	return max(p.Now().Sub(p.anchor)-s.Start, 0)
}

// footer is the last lines: what happens now, or how the drill ended.
func (p *Pane) footer(w, h int) []string {
	st := p.Styles
	var l common.Line
	l.Space(1)
	switch p.phase {
	case PhaseStarting:
		l.Add(st.Warn, p.spinner()).Space(1).
			Add(st.Dim, "waiting for a steady lab (one VIP holder, the client answered) before measuring …")
	case PhaseStopping:
		l.Add(st.Warn, p.spinner()).Space(1).Add(st.Warn, "undoing faults …").
			Add(st.Dim, " the runner mends what the drill broke before it returns")
	case PhaseRunning:
		switch {
		case p.allReported():
			l.Add(st.Warn, p.spinner()).Space(1).Add(st.Dim, "last steps done: measuring the end, then undoing faults …")
		case h < 6:
			return nil // the help line says x and esc
		default:
			l.Add(st.Dim, "esc hides this pane (the drill keeps running) · x stops the drill and undoes its faults")
		}
	case PhaseFinished:
		return p.outcome(w, h)
	}
	return []string{common.Fit(l.String(), w)}
}

// outcome is the summary line, and the faults undone when there is room.
func (p *Pane) outcome(w, h int) []string {
	st := p.Styles
	var l common.Line
	l.Space(1)
	res := p.result
	switch {
	case p.err != nil && res.Summary == "":
		l.Add(st.Down, "✗ could not run: ").Add(st.Down, p.err.Error())
	case res.Interrupted:
		l.Add(st.Warn, "! stopped: ").Text(res.Summary)
	case res.Passed:
		l.Add(st.Master, "✓ PASSED  ").Add(st.Up, res.Summary)
	default:
		l.Add(st.Fault, "✗ FAILED  ").Add(st.Down, res.Summary)
	}
	out := []string{common.Fit(l.String(), w)}
	if h < 5 {
		return out
	}
	var l2 common.Line
	l2.Space(3)
	switch {
	case len(res.UndoErrors) > 0:
		l2.Add(st.Down, "could not undo: "+strings.Join(res.UndoErrors, "; ")+" — the lab may still be broken")
	case len(res.Undone) > 0:
		l2.Add(st.Dim, "faults undone: "+strings.Join(res.Undone, ", ")+" · esc closes · d drills")
	default:
		l2.Add(st.Dim, "esc closes · d drills")
	}
	return append(out, common.Fit(l2.String(), w))
}

// tenths formats a time running: "2.3 s".
func tenths(d time.Duration) string {
	return strconv.FormatFloat(d.Truncate(100*time.Millisecond).Seconds(), 'f', 1, 64) + " s"
}

// offset formats a step's offset from the start of measurement: "3.62s".
func offset(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + "s"
}
