// Package traffic is the pane of what the client sees: the success ratio
// over the last minute, requests per second and latency now, a timeline of
// every 100 ms bucket (bar height is the share of successful requests,
// failures stacked above in their own glyph and colour), which load
// balancer answered, faults and VIP moves marked under the timeline, and
// the outage in progress or the last one.
package traffic

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/halab/halab/ui/common"
	"github.com/halab/halab/ui/labview"
	"github.com/halab/halab/ui/styles"
)

// Window is the span of the success ratio.
const Window = 60 * time.Second

// FailGlyph draws failed requests in the chart: a shade distinct from the
// successes' full block, so failures read without colour too.
const FailGlyph = "▒"

// Model is the traffic pane.
type Model struct {
	common.Common
	live          *labview.Live
	width, height int
	cols          []labview.Column
}

// New returns the pane.
func New(c common.Common, live *labview.Live) *Model { return &Model{Common: c, live: live} }

// SetSize sets the pane's outer size.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// MinHeight is the pane's smallest outer height.
const MinHeight = 9

// Scale picks how many buckets one column of a chart chartW wide shows, so
// that the chart spans at least a minute.
func Scale(chartW int) int {
	for _, per := range []int{1, 2, 5, 10, 20, 50} {
		if chartW*per >= 600 {
			return per
		}
	}
	return 100
}

// View renders the pane.
func (m *Model) View() string {
	w, h := m.width-2, m.height-2
	if w < 10 || h < 5 {
		return common.Frame(m.Styles, "traffic seen by client", "", nil, m.width, m.height, false)
	}
	st := m.Styles
	now := m.Now()
	t := m.live.Traffic
	lines := make([]string, 0, h)

	win := t.Window(now, Window)
	rec := t.Recent(now, 10, 2*time.Second)
	var l1, l2 common.Line
	// The first line, as much of it as fits: ratio, rate, who answers.
	for _, part := range []struct{ window, via bool }{{true, true}, {false, true}, {false, false}} {
		l1 = common.Line{}
		l1.Text("success ")
		if win.Ratio < 0 {
			l1.Add(st.Dim, "—")
		} else {
			l1.Add(ratioStyle(st, win.Ratio), pct(win.Ratio))
		}
		if part.window {
			l1.Add(st.Dim, " (60 s)")
		}
		l1.Space(2).Text(strconv.Itoa(int(rec.Rate+0.5)) + " req/s")
		if part.via && t.LastLB != "" && rec.OK > 0 {
			l1.Space(2).Text("via ").Add(st.LBStyle(m.live.LBIndex(t.LastLB)), t.LastLB)
		}
		if l1.Width() <= w {
			break
		}
	}
	if rec.OK > 0 {
		l2.Text("p50 " + common.Dur(rec.P50)).Space(3).Text("p99 " + common.Dur(rec.P99))
	} else {
		l2.Add(st.Dim, "p50 —   p99 —")
	}
	legend := common.Line{}
	for i, lb := range m.live.LBs() {
		legend.Space(1).Add(st.LBStyle(i), styles.LBGlyph(i)).Text(" " + lb.Name)
	}
	if l2.Width()+legend.Width()+3 <= w {
		l2.PadTo(w - legend.Width()).Text(legend.String())
	}
	lines = append(lines, l1.String(), l2.String())

	outage := m.outageLines(now, 2)
	chartH := h - 2 - 2 - len(outage)
	if chartH < 2 {
		outage = m.outageLines(now, 1)
		chartH = h - 2 - 2 - 1
	}
	chartH = max(chartH, 1)
	const axisW = 5
	chartW := w - axisW
	per := Scale(chartW)
	m.cols = t.Columns(now, chartW, per, m.live.LBIndex, m.cols)
	lines = append(lines, m.chart(chartH)...)
	lines = append(lines, m.band(axisW), m.axis(axisW, per))
	lines = append(lines, outage...)
	info := "1 column = " + colDur(time.Duration(per)*labview.DefaultBucketWidth)
	return common.Frame(st, "traffic seen by client", info, lines, m.width, m.height, false)
}

// colDur says a column's time span: "100 ms", "1 s", "2 s".
func colDur(d time.Duration) string {
	if d < time.Second {
		return strconv.Itoa(int(d/time.Millisecond)) + " ms"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + " s"
}

func pct(r float64) string {
	if r >= 1 {
		return "100 %"
	}
	if r > 0.999 {
		return "99.9 %"
	}
	return strconv.FormatFloat(r*100, 'f', 1, 64) + " %"
}

func ratioStyle(st *styles.Styles, r float64) styles.Style {
	switch {
	case r >= 0.999:
		return st.Up
	case r >= 0.95:
		return st.Warn
	}
	return st.Down
}

// chart draws the columns' bars, top row first, with a y axis.
func (m *Model) chart(h int) []string {
	st := m.Styles
	rows := make([]strings.Builder, h)
	// Per column: how many cells are ok (from the bottom), how many failed.
	for _, c := range m.cols {
		okRows, failRows := cells(c, h)
		for r := 0; r < h; r++ {
			fromBottom := h - 1 - r
			switch {
			case fromBottom < okRows:
				rows[r].WriteString(st.ChartOK.Render("█"))
			case fromBottom < okRows+failRows:
				rows[r].WriteString(st.ChartFail.Render(FailGlyph))
			default:
				rows[r].WriteByte(' ')
			}
		}
	}
	out := make([]string, h)
	for r := range rows {
		label := "     "
		switch {
		case r == 0:
			label = "100% "
		case r == h-1:
			label = "  0% "
		}
		out[r] = st.Axis.Render(label) + rows[r].String()
	}
	return out
}

// cells is how many of h cells a column's successes and failures fill: in
// proportion, but at least one each when there are any.
func cells(c labview.Column, h int) (ok, failed int) {
	total := c.OK + c.Failed
	if total == 0 {
		return 0, 0
	}
	ok = (c.OK*h*2 + total) / (total * 2)
	if c.OK > 0 && ok == 0 {
		ok = 1
	}
	if c.Failed > 0 && ok == h {
		ok = h - 1
	}
	return ok, h - ok
}

// band is the "answered by" row: each column in the glyph and colour of
// the load balancer that answered most in it.
func (m *Model) band(axisW int) string {
	var b strings.Builder
	b.WriteString(m.Styles.Axis.Render(fmt.Sprintf("%-*s", axisW, "via")))
	for _, c := range m.cols {
		if c.LB < 0 {
			b.WriteByte(' ')
			continue
		}
		b.WriteString(m.Styles.LBStyle(c.LB).Render(styles.LBGlyph(c.LB)))
	}
	return b.String()
}

// axis is the time axis, with faults (▲) and VIP moves (◆) marked.
func (m *Model) axis(axisW, per int) string {
	st := m.Styles
	n := len(m.cols)
	cells := make([]string, n)
	ids := make([]styles.Style, n)
	for i := range cells {
		cells[i] = "─"
		ids[i] = st.Axis
	}
	span := time.Duration(n*per) * labview.DefaultBucketWidth
	put := func(i int, s string, sty styles.Style) {
		for _, r := range s {
			if i >= 0 && i < n {
				cells[i], ids[i] = string(r), sty
			}
			i++
		}
	}
	put(0, "−"+strconv.Itoa(int(span.Round(time.Second).Seconds()))+" s", st.Axis)
	put(n-3, "now", st.Axis)
	marked := false
	if n > 0 {
		first := m.cols[0].Start
		width := time.Duration(per) * labview.DefaultBucketWidth
		col := func(t time.Time) int {
			if t.Before(first) {
				return -1
			}
			return int(t.Sub(first) / width)
		}
		for _, mk := range m.live.VIPMarks {
			if i := col(mk.Time); i >= 0 && i < n && mk.Added {
				put(i, "◆", st.VIP)
				marked = marked || i >= n-3
			}
		}
		for _, mk := range m.live.FaultMarks {
			if i := col(mk.Time); i >= 0 && i < n {
				put(i, "▲", st.Marker)
				marked = marked || i >= n-3
			}
		}
	}
	if marked { // a mark at the right end: the label would hide it
		for i := max(n-3, 0); i < n; i++ {
			if cells[i] == "n" || cells[i] == "o" || cells[i] == "w" {
				cells[i], ids[i] = "─", st.Axis
			}
		}
	}
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", axisW))
	for i := range cells {
		b.WriteString(ids[i].Render(cells[i]))
	}
	return b.String()
}

// outageLines says the outage in progress, or that there is none, and the
// last and longest closed ones, in lines lines (1 or 2).
func (m *Model) outageLines(now time.Time, lines int) []string {
	st := m.Styles
	t := m.live.Traffic
	w := m.width - 2
	var l1, l2 common.Line
	if o := t.Open; o != nil {
		long := fmt.Sprintf(" and counting · %d failed since %s", t.OpenFailed(), common.Clock(o.Start))
		if common.Width(long)+16 > w {
			long = fmt.Sprintf(" · %d failed so far", t.OpenFailed())
		}
		l1.Add(st.Down, "OUTAGE "+common.Dur(now.Sub(o.Start))).Text(long)
	} else {
		l1.Add(st.Up, "no outage now")
	}
	if o := t.Last; o != nil {
		l2.Text("last ").Add(st.Bold, common.Dur(o.Length)).
			Text(fmt.Sprintf(", %d failed, ended %s", o.Failed, common.Clock(o.End)))
		if lo := t.Longest; lo != nil && lo.Length > o.Length {
			l2.Text(" · longest " + common.Dur(lo.Length))
		}
	} else {
		l2.Add(st.Dim, "no outage seen yet")
	}
	if lines >= 2 {
		return []string{l1.String(), l2.String()}
	}
	if o := t.Last; o != nil && t.Open == nil {
		l1.Add(st.Dim, " · ").Text("last ").Add(st.Bold, common.Dur(o.Length)).Text(fmt.Sprintf(" (%d failed)", o.Failed))
	}
	return []string{l1.String()}
}
