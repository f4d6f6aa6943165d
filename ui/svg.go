package ui

import (
	"bufio"
	"fmt"
	"html"
	"io"
	"sort"
	"time"

	"github.com/halab/halab/nodes/control"
)

// SVG geometry.
const (
	svgW, svgH               = 1000, 360
	svgLeft, svgRight        = 64, 24
	svgTop, svgBottom        = 78, 64
	svgPlotW, svgPlotH       = svgW - svgLeft - svgRight, svgH - svgTop - svgBottom
	svgOK, svgFail, svgGap   = "#2e9e44", "#d0312d", "#f6d5d4"
	svgVIP, svgFault, svgInk = "#1f5fbf", "#c77700", "#333333"
)

// ExportTimelineSVG writes the client's requests over the buckets' span as
// a self-contained SVG: per bucket, the successful share as a green bar and
// the failed share in red above it; spans without any answer shaded with
// their length; VIP moves (blue) and faults (orange) marked with their
// time and words. It is the dashboard's timeline for a report.
func ExportTimelineSVG(w io.Writer, buckets []control.ProbeBucket, vipChanges, faults []Mark) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	p(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">`+"\n", svgW, svgH, svgW, svgH)
	p(`<rect width="100%%" height="100%%" fill="white"/>` + "\n")
	if len(buckets) == 0 {
		p(`<text x="%d" y="%d" fill="%s">no client requests recorded</text>`+"\n</svg>\n", svgLeft, svgH/2, svgInk)
		return bw.Flush()
	}
	buckets = append([]control.ProbeBucket(nil), buckets...)
	sort.Slice(buckets, func(i, j int) bool { return buckets[i].Start.Before(buckets[j].Start) })
	width := buckets[0].Width
	if width <= 0 {
		width = 100 * time.Millisecond
	}
	t0 := buckets[0].Start
	t1 := buckets[len(buckets)-1].Start.Add(width)
	span := t1.Sub(t0)
	x := func(t time.Time) float64 { return svgLeft + float64(t.Sub(t0))/float64(span)*svgPlotW }
	ok, failed := 0, 0
	for _, b := range buckets {
		ok += b.OK
		failed += b.Failed
	}
	zone := t0.Format("MST")
	p(`<text x="%d" y="22" font-size="15" font-weight="bold" fill="%s">Client requests to the VIP, per %s bucket</text>`+"\n", svgLeft, svgInk, durText(width))
	p(`<text x="%d" y="40" fill="%s">%s – %s %s · %d answered, %d failed (%.2f %%)</text>`+"\n",
		svgLeft, svgInk, t0.Format("15:04:05.0"), t1.Format("15:04:05.0"), zone, ok, failed, pct(ok, failed))

	// Spans without a successful answer, shaded (and measured, below).
	spans := gaps(buckets, width)
	for _, g := range spans {
		x1, x2 := x(g.from), x(g.to)
		p(`<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"/>`+"\n", x1, svgTop, max(x2-x1, 1), svgPlotH, svgGap)
	}
	// Bars: runs of buckets with the same shares are drawn as one.
	p(`<g shape-rendering="crispEdges">` + "\n")
	for i := 0; i < len(buckets); {
		b := buckets[i]
		j := i + 1
		for j < len(buckets) && sameShare(buckets[j], b) && buckets[j].Start.Equal(buckets[j-1].Start.Add(width)) {
			j++
		}
		total := b.OK + b.Failed
		if total > 0 {
			okH := float64(b.OK) / float64(total) * svgPlotH
			bx, bw := x(b.Start), x(buckets[j-1].Start.Add(width))-x(b.Start)
			if b.OK > 0 {
				p(`<rect x="%.2f" y="%.2f" width="%.2f" height="%.2f" fill="%s"/>`+"\n", bx, svgTop+svgPlotH-okH, bw, okH, svgOK)
			}
			if b.Failed > 0 {
				p(`<rect x="%.2f" y="%d" width="%.2f" height="%.2f" fill="%s"/>`+"\n", bx, svgTop, bw, svgPlotH-okH, svgFail)
			}
		}
		i = j
	}
	p("</g>\n")
	for _, g := range spans {
		x1, x2 := x(g.from), x(g.to)
		label := fmt.Sprintf("no answer for %.2f s", g.to.Sub(g.from).Seconds())
		lw := float64(len(label)) * 7.2
		p(`<rect x="%.1f" y="%d" width="%.1f" height="20" rx="3" fill="white" fill-opacity="0.9" stroke="%s"/>`+"\n",
			(x1+x2)/2-lw/2-4, svgTop+svgPlotH/2-14, lw+8, svgFail)
		p(`<text x="%.1f" y="%d" text-anchor="middle" fill="%s" font-weight="bold">%s</text>`+"\n",
			(x1+x2)/2, svgTop+svgPlotH/2, svgFail, label)
	}
	// Axes: success share, and the time every few seconds.
	p(`<g stroke="%s" stroke-width="1"><line x1="%d" y1="%d" x2="%d" y2="%d"/><line x1="%d" y1="%d" x2="%d" y2="%d"/></g>`+"\n",
		svgInk, svgLeft, svgTop, svgLeft, svgTop+svgPlotH, svgLeft, svgTop+svgPlotH, svgLeft+svgPlotW, svgTop+svgPlotH)
	for _, f := range []int{0, 50, 100} {
		y := svgTop + svgPlotH - svgPlotH*f/100
		p(`<text x="%d" y="%d" text-anchor="end" fill="%s">%d %%</text>`+"\n", svgLeft-6, y+4, svgInk, f)
	}
	step := tickStep(span)
	for t := t0.Truncate(step).Add(step); t.Before(t1); t = t.Add(step) {
		p(`<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s"/>`+"\n", x(t), svgTop+svgPlotH, x(t), svgTop+svgPlotH+4, svgInk)
		p(`<text x="%.1f" y="%d" text-anchor="middle" fill="%s">%s</text>`+"\n", x(t), svgTop+svgPlotH+18, svgInk, t.Format("15:04:05"))
	}
	// Marks: a line through the plot, the words above it (staggered).
	row := 0
	mark := func(m Mark, color string) {
		if m.Time.Before(t0) || m.Time.After(t1) {
			return
		}
		mx := x(m.Time)
		y := svgTop - 8 - 14*(row%2)
		row++
		anchor := "start"
		if mx > svgLeft+svgPlotW*0.7 {
			anchor = "end"
		}
		p(`<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s" stroke-width="1.5" stroke-dasharray="4 3"/>`+"\n", mx, svgTop-4, mx, svgTop+svgPlotH, color)
		p(`<text x="%.1f" y="%d" text-anchor="%s" fill="%s">%s %s</text>`+"\n", mx, y, anchor, color,
			m.Time.Format("15:04:05.000"), html.EscapeString(m.Text))
	}
	for _, m := range faults {
		mark(m, svgFault)
	}
	for _, m := range vipChanges {
		mark(m, svgVIP)
	}
	ly := svgH - 18
	p(`<rect x="%d" y="%d" width="10" height="10" fill="%s"/><text x="%d" y="%d" fill="%s">answered</text>`+"\n", svgLeft, ly-9, svgOK, svgLeft+14, ly, svgInk)
	p(`<rect x="%d" y="%d" width="10" height="10" fill="%s"/><text x="%d" y="%d" fill="%s">failed</text>`+"\n", svgLeft+90, ly-9, svgFail, svgLeft+104, ly, svgInk)
	p(`<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"/><text x="%d" y="%d" fill="%s">VIP moved</text>`+"\n", svgLeft+170, ly-4, svgLeft+184, ly-4, svgVIP, svgLeft+190, ly, svgInk)
	p(`<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"/><text x="%d" y="%d" fill="%s">fault</text>`+"\n", svgLeft+270, ly-4, svgLeft+284, ly-4, svgFault, svgLeft+290, ly, svgInk)
	p(`<text x="%d" y="%d" text-anchor="end" fill="%s">halab · outage = longest time between two successful answers</text>`+"\n", svgLeft+svgPlotW, ly, svgInk)
	p("</svg>\n")
	return bw.Flush()
}

// sameShare reports whether two buckets have the same shares of answered
// and failed requests.
func sameShare(a, b control.ProbeBucket) bool {
	return a.OK*(b.OK+b.Failed) == b.OK*(a.OK+a.Failed) && (a.OK+a.Failed == 0) == (b.OK+b.Failed == 0)
}

// durText says a bucket width: "100 ms", "1 s".
func durText(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%d ms", d/time.Millisecond)
	}
	return fmt.Sprintf("%g s", d.Seconds())
}

func pct(ok, failed int) float64 {
	if ok+failed == 0 {
		return 0
	}
	return 100 * float64(ok) / float64(ok+failed)
}

// gap is a span of buckets with requests and no successful answer.
type gap struct{ from, to time.Time }

func gaps(buckets []control.ProbeBucket, width time.Duration) []gap {
	var out []gap
	var cur *gap
	for _, b := range buckets {
		switch {
		case b.OK == 0 && b.Failed > 0 && cur == nil:
			cur = &gap{from: b.Start, to: b.Start.Add(width)}
		case b.OK == 0 && b.Failed > 0:
			cur.to = b.Start.Add(width)
		case b.OK > 0 && cur != nil:
			out = append(out, *cur)
			cur = nil
		}
	}
	if cur != nil {
		out = append(out, *cur)
	}
	return out
}

// tickStep is a time axis step giving about ten ticks.
func tickStep(span time.Duration) time.Duration {
	for _, s := range []time.Duration{time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second, time.Minute, 5 * time.Minute} {
		if span/s <= 12 {
			return s
		}
	}
	return 10 * time.Minute
}
