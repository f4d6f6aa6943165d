package engine

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/halab/halab/nodes/proxy"
)

// ParseShowStat reads the answer to HAProxy's `show stat` (CSV, one row
// per frontend, backend and server, the header naming the columns) into
// the rows of halab's proxy status. Columns are found by name, so rows of
// any HAProxy version with these columns read alike. HAProxy gives ages
// in seconds (lastchg, lastsess); now turns them into times.
//
// Where HAProxy counts differently from halab's proxy it says so:
// GatewayErrors is the frontend's hrsp_5xx, every 5xx it sent, the
// servers' own included; NoServer, which HAProxy does not count, stays 0.
func ParseShowStat(data []byte, now time.Time) ([]proxy.FrontendStatus, []proxy.BackendStatus, error) {
	data = bytes.TrimPrefix(bytes.TrimLeft(data, " \n"), []byte("# "))
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		return nil, nil, fmt.Errorf("show stat: %w", err)
	}
	if len(rows) == 0 || len(rows[0]) < 2 || rows[0][0] != "pxname" {
		return nil, nil, errors.New("show stat: no header line (want \"# pxname,svname,…\")")
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	for _, need := range []string{"pxname", "svname", "status", "scur", "stot"} {
		if _, ok := col[need]; !ok {
			return nil, nil, fmt.Errorf("show stat: no %s column", need)
		}
	}
	var fes []proxy.FrontendStatus
	var bes []proxy.BackendStatus
	servers := map[string][]proxy.ServerStatus{}
	for _, row := range rows[1:] {
		if len(row) < 2 {
			continue
		}
		f := statRow{row: row, col: col}
		switch f.s("svname") {
		case "FRONTEND":
			fes = append(fes, proxy.FrontendStatus{Name: f.s("pxname"), Mode: f.s("mode"),
				CurConns: f.i("scur"), MaxConns: f.i("smax"), ConnLimit: int(f.i("slim")), TotalConns: f.i("stot"),
				Requests: f.i("req_tot"), RequestErrors: f.i("ereq"), GatewayErrors: f.i("hrsp_5xx"),
				BytesIn: f.i("bin"), BytesOut: f.i("bout")})
		case "BACKEND":
			bes = append(bes, proxy.BackendStatus{Name: f.s("pxname"), Mode: f.s("mode"), Balance: f.s("algo"),
				Up: f.s("status") == "UP", Active: int(f.i("act")), Backup: int(f.i("bck")), LastChange: f.ago(now, "lastchg"),
				Requests: f.i(f.first("req_tot", "stot")), ConnErrors: f.i("econ"), RespErrors: f.i("eresp"), Retries: f.i("wretr"),
				Redispatches: f.i("wredis"), BytesOut: f.i("bout")})
		default:
			servers[f.s("pxname")] = append(servers[f.s("pxname")], serverRow(f, now))
		}
	}
	for i := range bes {
		bes[i].Servers = servers[bes[i].Name]
	}
	return fes, bes, nil
}

// serverRow is one server's row: HAProxy's status column as it stands
// ("UP", "DOWN", "UP 1/3" going down, "DOWN 1/2" coming up, "MAINT",
// "no check") and its last check.
func serverRow(f statRow, now time.Time) proxy.ServerStatus {
	state := f.s("status")
	s := proxy.ServerStatus{Name: f.s("svname"), Addr: f.s("addr"), State: state,
		Up:          strings.HasPrefix(state, "UP") || state == "no check" || state == "DRAIN" || state == "NOLB",
		Maintenance: strings.Contains(state, "MAINT"), Backup: f.i("bck") > 0, Weight: int(f.i("weight")),
		LastChange: f.ago(now, "lastchg"), FailedChecks: int(f.i("chkfail")), DownTransitions: int(f.i("chkdown")),
		InFlight: int(f.i("scur")), Sessions: f.i("stot"), ConnErrors: f.i("econ"), RespErrors: f.i("eresp"),
		Retries: f.i("wretr"), Redispatches: f.i("wredis"), BytesOut: f.i("bout")}
	if s.Maintenance {
		s.Up = false
	}
	if f.i("lastsess") >= 0 && f.s("lastsess") != "" {
		s.LastSession = f.ago(now, "lastsess")
	}
	if cs := strings.TrimPrefix(f.s("check_status"), "* "); cs != "" {
		s.Checked = true
		s.LastCheck = &proxy.CheckStatus{Status: cs, Description: f.s("check_desc"), Code: int(f.i("check_code")),
			Info: f.s("last_chk"), Duration: time.Duration(f.i("check_duration")) * time.Millisecond}
	}
	return s
}

// statRow reads one row's columns by name; a missing or empty column is
// "" or 0.
type statRow struct {
	row []string
	col map[string]int
}

func (f statRow) s(name string) string {
	if i, ok := f.col[name]; ok && i < len(f.row) {
		return f.row[i]
	}
	return ""
}

func (f statRow) i(name string) int64 {
	n, err := strconv.ParseInt(f.s(name), 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// ago is the time a "seconds ago" column stands for; zero when empty.
func (f statRow) ago(now time.Time, name string) time.Time {
	if f.s(name) == "" {
		return time.Time{}
	}
	return now.Add(-time.Duration(f.i(name)) * time.Second)
}

// first is the first of the columns that has a value in this row.
func (f statRow) first(names ...string) string {
	for _, n := range names {
		if f.s(n) != "" {
			return n
		}
	}
	return names[len(names)-1]
}
