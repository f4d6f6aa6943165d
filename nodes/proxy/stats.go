package proxy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"strconv"
	"strings"
	"time"

	"github.com/halab/halab/nodes/proxy/hacfg"
)

// statsFor returns the stats settings that claim the request in c.req:
// the frontend's, else those of the backend it routes to. As in HAProxy
// 2.6, any URI starting with "stats uri" is the stats page, for the GET,
// HEAD and POST methods only (methods are case-sensitive): any other
// request goes to the backend.
func (fe *frontend) statsFor(c *clientConn) *hacfg.Stats {
	if !fe.http {
		return nil
	}
	if m := string(c.req.method); m != "GET" && m != "HEAD" && m != "POST" {
		return nil
	}
	uri := c.req.uri
	if st := &fe.cfg.Stats; st.Enabled && bytes.HasPrefix(uri, []byte(st.URI)) {
		return st
	}
	be := fe.route(c)
	if be != nil && be.cfg.Stats.Enabled && be.cfg.Mode == hacfg.ModeHTTP && bytes.HasPrefix(uri, []byte(be.cfg.Stats.URI)) {
		return &be.cfg.Stats
	}
	return nil
}

// serveStats answers with the stats page: HTML, or CSV for "<uri>;csv" and
// JSON for "<uri>;json", as HAProxy's stats applet. A POST, an admin
// action HAProxy refuses without "stats admin", gets its 303 to
// "<uri>;st=DENY".
func (c *clientConn) serveStats(st *hacfg.Stats, n int) bool {
	rest := string(c.req.uri[len(st.URI):])
	isHead := string(c.req.method) == "HEAD"
	isPost := string(c.req.method) == "POST"
	minor := c.req.minor
	keep := c.req.keepAlive() && c.skipBody(n) // the head is gone from here on
	if isPost {
		c.dl.armWrite(c.fe.clientTimeout())
		_, _ = c.bw.WriteString("HTTP/1.1 303 See Other\r\nCache-Control: no-cache\r\nContent-Type: text/plain\r\nContent-Length: 0\r\nLocation: ")
		_, _ = c.bw.WriteString(st.URI + ";st=DENY\r\n")
		c.finishStatsHead(keep, minor)
		if c.br.Buffered() == 0 {
			_ = c.bw.Flush()
		}
		return keep
	}
	status := c.fe.rt.status()
	var body []byte
	ctype := "text/html"
	switch {
	case strings.Contains(rest, ";csv"):
		body, ctype = statsCSV(status), "text/plain"
	case strings.Contains(rest, ";json"):
		body, _ = json.MarshalIndent(status, "", "  ")
		ctype = "application/json"
	default:
		body = statsHTML(status, st.Refresh, c.fe.rt.started)
	}
	c.dl.armWrite(c.fe.clientTimeout())
	w := c.bw
	_, _ = w.WriteString("HTTP/1.1 200 OK\r\nCache-Control: no-cache\r\nContent-Type: " + ctype + "\r\n")
	_, _ = w.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n")
	if st.Refresh > 0 && ctype == "text/html" {
		_, _ = w.WriteString("Refresh: " + strconv.Itoa(int(st.Refresh/time.Second)) + "\r\n")
	}
	c.finishStatsHead(keep, minor)
	if !isHead {
		_, _ = w.Write(body)
	}
	c.fe.bytesOut.Add(int64(len(body)))
	if c.br.Buffered() == 0 {
		_ = w.Flush()
	}
	return keep
}

// finishStatsHead ends a stats answer's head: X-Halab-LB, the connection
// header the client needs, the blank line.
func (c *clientConn) finishStatsHead(keep bool, minor int) {
	w := c.bw
	c.writeLBHeader()
	if !keep {
		_, _ = w.WriteString("Connection: close\r\n")
	} else if minor == 0 {
		_, _ = w.WriteString("Connection: keep-alive\r\n")
	}
	_, _ = w.WriteString("\r\n")
}

// csvColumns are the first columns of HAProxy's "show stat" CSV, in its
// order; consumers read them by name from the header line.
const csvColumns = "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration"

// statsCSV renders Status as HAProxy's CSV: a FRONTEND line per frontend,
// then per backend its servers and a BACKEND line.
func statsCSV(st Status) []byte {
	var b bytes.Buffer
	b.WriteString(csvColumns + ",\n")
	now := time.Now()
	secs := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return strconv.Itoa(int(now.Sub(t) / time.Second))
	}
	for i, fe := range st.Frontends {
		fmt.Fprintf(&b, "%s,FRONTEND,,,%d,%d,%d,%d,%d,%d,0,0,%d,,,,,OPEN,,,,,,,,,1,%d,0,,,,0,,,,,,,\n",
			fe.Name, fe.CurConns, fe.MaxConns, fe.ConnLimit, fe.TotalConns, fe.BytesIn, fe.BytesOut, fe.RequestErrors, i+1)
	}
	for i, be := range st.Backends {
		act, bck := 0, 0
		for j, s := range be.Servers {
			if s.Backup {
				bck = 1
				act = 0
			} else {
				act, bck = 1, 0
			}
			chk, code, dur := "", "", ""
			if s.LastCheck != nil {
				chk = s.LastCheck.Status
				if s.LastCheck.Code != 0 {
					code = strconv.Itoa(s.LastCheck.Code)
				}
				dur = strconv.Itoa(int(s.LastCheck.Duration.Milliseconds()))
			}
			fmt.Fprintf(&b, "%s,%s,0,0,%d,,,%d,,%d,,0,,%d,%d,%d,%d,%s,%d,%d,%d,%d,%d,%s,,,1,%d,%d,,%d,,2,,,,%s,%s,%s\n",
				be.Name, s.Name, s.InFlight, s.Sessions, s.BytesOut, s.ConnErrors, s.RespErrors, s.Retries, s.Redispatches,
				s.State, s.Weight, act, bck, s.FailedChecks, s.DownTransitions, secs(s.LastChange),
				i+1, j+1, s.Sessions, chk, code, dur)
		}
		state := "UP"
		if !be.Up {
			state = "DOWN"
		}
		fmt.Fprintf(&b, "%s,BACKEND,0,0,,,,%d,,%d,0,0,,%d,%d,%d,%d,%s,,%d,%d,,,%s,,,1,%d,0,,%d,,1,,,,,,\n",
			be.Name, be.Requests, be.BytesOut, be.ConnErrors, be.RespErrors, be.Retries, be.Redispatches,
			state, be.Active, be.Backup, secs(be.LastChange), i+1, be.Requests)
	}
	return b.Bytes()
}

// statsHTML renders Status as a page in the spirit of HAProxy's: one table
// per proxy, servers colored by state, with the time since each change.
func statsHTML(st Status, refresh time.Duration, started time.Time) []byte {
	var b bytes.Buffer
	esc := html.EscapeString
	b.WriteString("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Statistics Report for halab on " + esc(st.Node) + "</title>\n")
	b.WriteString(`<style>body{font-family:sans-serif;font-size:13px}table{border-collapse:collapse;margin-bottom:1.5em}` +
		`th,td{border:1px solid #999;padding:2px 6px;text-align:right}th{background:#20507a;color:#fff}td.n{text-align:left}` +
		`tr.up{background:#c0ffc0}tr.down{background:#ffa0a0}tr.maint{background:#c0c0ff}tr.trans{background:#ffff80}tr.total{background:#ddd;font-weight:bold}</style></head><body>`)
	fmt.Fprintf(&b, "<h1>halab proxy on %s</h1><p>Uptime %s", esc(st.Node), roundDur(time.Since(started)))
	if refresh > 0 {
		fmt.Fprintf(&b, " · refresh every %s", refresh)
	}
	b.WriteString("</p>\n")
	for _, fe := range st.Frontends {
		fmt.Fprintf(&b, "<table><tr><th class=n colspan=10>frontend %s (%s) on %s</th></tr>", esc(fe.Name), esc(fe.Mode), esc(strings.Join(fe.Binds, ", ")))
		b.WriteString("<tr><th>Cur conns</th><th>Max</th><th>Limit</th><th>Total conns</th><th>Requests</th><th>Req errors</th><th>502/503/504</th><th>Bytes in</th><th>Bytes out</th><th>Status</th></tr>")
		fmt.Fprintf(&b, "<tr class=up><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>OPEN</td></tr></table>\n",
			fe.CurConns, fe.MaxConns, fe.ConnLimit, fe.TotalConns, fe.Requests, fe.RequestErrors, fe.GatewayErrors, fe.BytesIn, fe.BytesOut)
	}
	for _, be := range st.Backends {
		fmt.Fprintf(&b, "<table><tr><th class=n colspan=14>backend %s (%s, balance %s)</th></tr>", esc(be.Name), esc(be.Mode), esc(be.Balance))
		b.WriteString("<tr><th class=n>Server</th><th class=n>Address</th><th class=n>Status</th><th>Since</th><th class=n>Last check</th><th>Wght</th><th>Act</th><th>Bck</th><th>Chk fails</th><th>Dwn</th><th>Cur</th><th>Total</th><th>Errors conn/resp</th><th>Retr/Redis</th></tr>")
		for _, s := range be.Servers {
			class := "up"
			switch {
			case s.Maintenance:
				class = "maint"
			case strings.Contains(s.State, "/"):
				class = "trans"
			case !s.Up:
				class = "down"
			}
			chk := ""
			if s.LastCheck != nil {
				chk = fmt.Sprintf("%s in %dms", s.LastCheck.Status, s.LastCheck.Duration.Milliseconds())
				if s.LastCheck.Code != 0 {
					chk += fmt.Sprintf(" (%d)", s.LastCheck.Code)
				}
				if s.LastCheck.Info != "" {
					chk += ": " + s.LastCheck.Info
				}
			}
			act, bck := "Y", "-"
			if s.Backup {
				act, bck = "-", "Y"
			}
			fmt.Fprintf(&b, "<tr class=%s><td class=n>%s</td><td class=n>%s</td><td class=n>%s</td><td>%s</td><td class=n>%s</td><td>%d</td><td>%s</td><td>%s</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d/%d</td><td>%d/%d</td></tr>",
				class, esc(s.Name), esc(s.Addr), esc(s.State), roundDur(time.Since(s.LastChange)), esc(chk), s.Weight, act, bck,
				s.FailedChecks, s.DownTransitions, s.InFlight, s.Sessions, s.ConnErrors, s.RespErrors, s.Retries, s.Redispatches)
		}
		state := "UP"
		if !be.Up {
			state = "DOWN"
		}
		fmt.Fprintf(&b, "<tr class=total><td class=n>Backend</td><td class=n></td><td class=n>%s</td><td>%s</td><td class=n></td><td></td><td>%d</td><td>%d</td><td></td><td></td><td></td><td>%d</td><td>%d/%d</td><td>%d/%d</td></tr></table>\n",
			state, roundDur(time.Since(be.LastChange)), be.Active, be.Backup, be.Requests, be.ConnErrors, be.RespErrors, be.Retries, be.Redispatches)
	}
	b.WriteString("</body></html>\n")
	return b.Bytes()
}

// roundDur renders a duration as HAProxy's stats page does ("1h2m", "5s").
func roundDur(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d >= 24*time.Hour:
		return fmt.Sprintf("%dd%dh", d/(24*time.Hour), (d%(24*time.Hour))/time.Hour)
	case d >= time.Hour:
		return fmt.Sprintf("%dh%dm", d/time.Hour, (d%time.Hour)/time.Minute)
	case d >= time.Minute:
		return fmt.Sprintf("%dm%ds", d/time.Minute, (d%time.Minute)/time.Second)
	}
	return fmt.Sprintf("%ds", d/time.Second)
}
