package scenarios

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"slices"
	"strings"
)

// MarkdownOptions tunes WriteMarkdown.
type MarkdownOptions struct {
	// TimelineFile, when set, is the path the Markdown links the timeline
	// image to (the caller writes it with SVG); by default the SVG is
	// inlined as a data: URI, so the report is one self-contained file.
	TimelineFile string
	// NoTimeline leaves the timeline out.
	NoTimeline bool
}

// Markdown writes the report as Markdown a student can hand in: what the
// drill teaches, each step with its time and result, the measurements
// beside their bounds, and the timeline as an inline SVG image.
func (r *Report) Markdown(w io.Writer) error {
	return r.WriteMarkdown(w, MarkdownOptions{})
}

// WriteMarkdown writes the report as Markdown with options.
func (r *Report) WriteMarkdown(w io.Writer, o MarkdownOptions) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "# Drill %s: %s\n\n", r.Drill, cell(r.Title))
	passed, total := r.Expectations()
	verdict := "✓ passed"
	switch {
	case r.Interrupted:
		verdict = "✗ interrupted"
	case !r.Passed:
		verdict = "✗ failed"
	}
	fmt.Fprintf(b, "**Result: %s** — %d of %d expectations met · lab `%s` (%s) · %s · %s\n\n",
		verdict, passed, total, r.Lab, r.LabSource, r.Started.Format("2006-01-02 15:04:05"), fmtDur(r.Duration))
	if r.Teaches != "" {
		fmt.Fprintf(b, "> **What it teaches.** %s\n\n", oneLine(r.Teaches))
	}
	b.WriteString("Times count from the start of measurement, when the client probe's counters were reset.\n\n")

	b.WriteString("## Steps\n\n| # | time | step | result |\n|--:|--:|---|---|\n")
	for _, s := range r.Steps {
		num := fmt.Sprint(s.Index)
		if s.Whole {
			num = "all"
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", num, fmtOffset(s.Start), cell(s.Text), cell(resultWords(s)))
	}
	b.WriteString("\n")

	r.writeMeasurements(b)

	if !o.NoTimeline {
		b.WriteString("## Timeline\n\n")
		b.WriteString("Requests started per bucket (green answered, red failed), who held the VIP below, faults as dashed lines.\n\n")
		if o.TimelineFile != "" {
			fmt.Fprintf(b, "![timeline](%s)\n\n", o.TimelineFile)
		} else {
			var svg bytes.Buffer
			if err := r.SVG(&svg); err != nil {
				return err
			}
			fmt.Fprintf(b, "![timeline](data:image/svg+xml;base64,%s)\n\n", base64.StdEncoding.EncodeToString(svg.Bytes()))
		}
	}

	if len(r.Undone) > 0 || len(r.UndoErrors) > 0 {
		b.WriteString("## Undone by the runner\n\n")
		for _, u := range r.Undone {
			fmt.Fprintf(b, "- %s\n", oneLine(u))
		}
		for _, u := range r.UndoErrors {
			fmt.Fprintf(b, "- ✗ could not undo: %s\n", oneLine(u))
		}
		b.WriteString("\n")
	}
	return b.Flush()
}

// writeMeasurements writes the figures and their bounds.
func (r *Report) writeMeasurements(b *bufio.Writer) {
	m := r.Measurements
	b.WriteString("## Measurements\n\n")
	outage := "none"
	if m.Outage > 0 {
		outage = fmt.Sprintf("%s (%d %s failed)", fmtSecs(m.Outage), m.OutageFailed, plural(m.OutageFailed, "request"))
		if m.OutageOpen {
			outage += ", still lasting at the end"
		}
	}
	fmt.Fprintf(b, "- Longest outage seen by the client (the longest interval between two consecutive successful answers): **%s**\n", outage)
	fmt.Fprintf(b, "- Requests: %d sent, %d answered, %d failed\n\n", m.Sent, m.OK, m.Failed)
	if len(m.Faults) == 0 {
		return
	}
	b.WriteString("| step | fault | VIP moved after | bound | noticed after | bound | outage (failed) | answers back after | bound |\n")
	b.WriteString("|--:|---|--:|--:|--:|--:|--:|--:|--:|\n")
	var notes []string
	note := func(bd *Bound) string {
		if bd == nil {
			return "—"
		}
		i := slices.Index(notes, bd.Why)
		if i < 0 {
			notes = append(notes, bd.Why)
			i = len(notes) - 1
		}
		return fmt.Sprintf("%s [%d]", fmtSecs(bd.Value), i+1)
	}
	for _, f := range m.Faults {
		moved := "did not move"
		if f.Takeover != nil {
			moved = fmt.Sprintf("%s (%s → %s)", fmtSecs(*f.Takeover), holderWords(f.HoldersBefore), holderWords(f.HoldersAfter))
		}
		noticed := "—"
		if f.Detected != nil {
			noticed = fmt.Sprintf("%s (%s)", fmtSecs(*f.Detected), f.DetectedWhat)
		}
		outage, back := "none", "—"
		if f.Outage != nil {
			outage = fmt.Sprintf("%s (%d)", fmtSecs(*f.Outage), f.OutageFailed)
		}
		if f.Recovered != nil {
			back = fmtSecs(*f.Recovered)
		}
		fmt.Fprintf(b, "| %d | %s | %s | %s | %s | %s | %s | %s | %s |\n", f.Step, cell(f.Fault), moved, note(f.TakeoverBound),
			cell(noticed), note(f.DetectedBound), outage, back, note(f.RecoveryBound))
	}
	b.WriteString("\n")
	if len(notes) > 0 {
		b.WriteString("Bounds, from the lab's keepalived.conf and haproxy.cfg:\n\n")
		for i, n := range notes {
			fmt.Fprintf(b, "%d. %s\n", i+1, oneLine(n))
		}
		b.WriteString("\n")
	}
	b.WriteString("Figures count from the fault: from the moment the runner applied it for one that breaks, from the moment it had taken effect (components ready) for one that mends; they include the few milliseconds a fault takes to land. An outage is counted at the fault that caused it; \"answers back after\" is the time from the fault to the first successful answer that ended it (for a fault that mends, of the outage it found going on).\n\n")
}

// resultWords is a step's result cell.
func resultWords(s StepResult) string {
	mark := ""
	switch s.Status {
	case StatusPass:
		mark = "✓ "
	case StatusFail:
		mark = "✗ "
	case StatusError:
		mark = "✗ error: "
	case StatusSkipped:
		return "skipped (an earlier step failed)"
	case StatusInterrupted:
		return "interrupted"
	case StatusDone:
		if (Step{Kind: s.Kind}).IsExpectation() {
			break
		}
		if s.Kind == StepSay {
			return ""
		}
	}
	return mark + s.Seen
}

// cell makes text safe for one Markdown table cell.
func cell(s string) string {
	return strings.ReplaceAll(oneLine(s), "|", `\|`)
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// Summary is the report in one line: "master-poweroff: passed, outage
// 3.52 s, VIP moved after 3.61 s (bound 3.609 s)".
func (r *Report) Summary() string {
	verdict := "passed"
	switch {
	case r.Interrupted:
		verdict = "interrupted"
	case !r.Passed:
		verdict = "FAILED"
	}
	s := fmt.Sprintf("%s: %s, outage %s, %d failed", r.Drill, verdict, fmtSecs(r.Measurements.Outage), r.Measurements.Failed)
	for _, f := range r.Measurements.Faults {
		if f.Takeover != nil {
			s += fmt.Sprintf(", VIP moved %s after %s", fmtSecs(*f.Takeover), f.Fault)
			if f.TakeoverBound != nil {
				s += fmt.Sprintf(" (bound %s)", fmtSecs(f.TakeoverBound.Value))
			}
			break
		}
	}
	return s
}
