package scenarios

import (
	"bufio"
	"fmt"
	"html"
	"io"
	"math"
	"strings"
	"time"
)

// SVG geometry, in pixels.
const (
	svgWidth  = 900
	svgLeft   = 56
	svgRight  = 16
	svgTop    = 46
	svgChartH = 150
	svgBandH  = 18
	svgBottom = 58
)

// svgColors are the VIP holders' colours, in the order holders are first
// seen; two holders at once are drawn in red (split brain).
var svgColors = []string{"#4e79a7", "#f28e2b", "#76b7b2", "#b07aa1", "#9c755f"}

const (
	svgOK      = "#59a14f"
	svgFailed  = "#e15759"
	svgNobody  = "#d0d0d0"
	svgSplit   = "#e15759"
	svgMarkCol = "#333333"
)

// SVG writes the report's timeline as a self-contained SVG image: requests
// per bucket (answered stacked under failed), a band showing who held the
// VIP, and the faults as dashed lines.
func (r *Report) SVG(w io.Writer) error {
	tl := r.Timeline
	b := bufio.NewWriter(w)
	total := r.Duration
	if total <= 0 {
		total = time.Second
	}
	plotW := float64(svgWidth - svgLeft - svgRight)
	x := func(d time.Duration) float64 {
		return svgLeft + plotW*math.Max(0, math.Min(1, float64(d)/float64(total)))
	}
	height := svgTop + svgChartH + 6 + svgBandH + svgBottom
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="11">`+"\n",
		svgWidth, height, svgWidth, height)
	fmt.Fprintf(b, `<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", svgWidth, height)
	fmt.Fprintf(b, `<text x="%d" y="16" font-size="13" font-weight="bold">%s</text>`+"\n", svgLeft, esc("Drill "+r.Drill+": "+r.Title))

	// Requests per bucket.
	peak := 1
	for _, bk := range tl.Buckets {
		peak = max(peak, bk.OK+bk.Failed)
	}
	y := func(n int) float64 { return svgTop + svgChartH - svgChartH*float64(n)/float64(peak) }
	fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#999"/>`+"\n", svgLeft, svgTop+svgChartH, svgWidth-svgRight, svgTop+svgChartH)
	fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#999"/>`+"\n", svgLeft, svgTop, svgLeft, svgTop+svgChartH)
	fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="end">%d</text>`+"\n", svgLeft-4, svgTop+4, peak)
	fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="end">0</text>`+"\n", svgLeft-4, svgTop+svgChartH)
	fmt.Fprintf(b, `<text transform="translate(14,%d) rotate(-90)" text-anchor="middle">requests / %s</text>`+"\n",
		svgTop+svgChartH/2, esc(fmtDur(tl.Bucket)))
	bw := math.Max(1, plotW*float64(tl.Bucket)/float64(total))
	for _, bk := range tl.Buckets {
		if bk.At < 0 || bk.At > total {
			continue
		}
		bx := x(bk.At)
		if bk.OK > 0 {
			fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`+"\n", bx, y(bk.OK), bw, y(0)-y(bk.OK), svgOK)
		}
		if bk.Failed > 0 {
			fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`+"\n", bx, y(bk.OK+bk.Failed), bw, y(bk.OK)-y(bk.OK+bk.Failed), svgFailed)
		}
	}

	// Who held the VIP.
	bandY := svgTop + svgChartH + 6
	colors := map[string]string{}
	var order []string
	for _, h := range tl.Holders {
		for _, n := range h.Nodes {
			if _, ok := colors[n]; !ok {
				colors[n] = svgColors[len(order)%len(svgColors)]
				order = append(order, n)
			}
		}
	}
	fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="end">VIP</text>`+"\n", svgLeft-4, bandY+13)
	for _, h := range tl.Holders {
		fill, label := svgNobody, "nobody"
		switch len(h.Nodes) {
		case 0:
		case 1:
			fill, label = colors[h.Nodes[0]], h.Nodes[0]
		default:
			fill, label = svgSplit, "split brain: "+strings.Join(h.Nodes, "+")
		}
		x1, x2 := x(h.From), x(h.To)
		fmt.Fprintf(b, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"><title>%s</title></rect>`+"\n",
			x1, bandY, math.Max(0.5, x2-x1), svgBandH, fill, esc(label+" "+fmtOffset(h.From)+" … "+fmtOffset(h.To)))
		if x2-x1 > 36 {
			fmt.Fprintf(b, `<text x="%.1f" y="%d" fill="#fff" text-anchor="middle">%s</text>`+"\n", (x1+x2)/2, bandY+13, esc(shorten(label, int((x2-x1)/6))))
		}
	}

	// Faults.
	for i, m := range tl.Marks {
		mx := x(m.At)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s" stroke-dasharray="4,3"/>`+"\n",
			mx, svgTop-6, mx, bandY+svgBandH, svgMarkCol)
		ly := svgTop - 10 - 11*(i%2)
		anchor := "start"
		if mx > svgWidth-160 {
			anchor = "end"
		}
		fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="%s" fill="%s">%s</text>`+"\n", mx+2, ly+6, anchor, svgMarkCol, esc(m.Label))
	}

	// Time axis.
	axisY := bandY + svgBandH + 14
	step := tickStep(total)
	for t := time.Duration(0); t <= total; t += step {
		tx := x(t)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#999"/>`+"\n", tx, axisY-12, tx, axisY-8)
		fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", tx, axisY+2, esc(fmt.Sprintf("%gs", t.Seconds())))
	}

	// Legend.
	ly := axisY + 22
	lx := svgLeft
	item := func(color, label string) {
		fmt.Fprintf(b, `<rect x="%d" y="%d" width="10" height="10" fill="%s"/><text x="%d" y="%d">%s</text>`+"\n", lx, ly-9, color, lx+14, ly, esc(label))
		lx += 24 + 7*len(label)
	}
	item(svgOK, "answered")
	item(svgFailed, "failed")
	for _, n := range order {
		item(colors[n], "VIP on "+n)
	}
	item(svgNobody, "VIP on no node")
	b.WriteString("</svg>\n")
	return b.Flush()
}

// tickStep picks a time-axis step giving at most about 12 ticks.
func tickStep(total time.Duration) time.Duration {
	for _, s := range []time.Duration{100 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond,
		time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 30 * time.Second, time.Minute} {
		if total/s <= 12 {
			return s
		}
	}
	return 5 * time.Minute
}

func esc(s string) string { return html.EscapeString(s) }

func shorten(s string, n int) string {
	if n < 2 {
		return ""
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
