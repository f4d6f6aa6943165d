package engine

import (
	"regexp"
	"strconv"
	"strings"
)

// KARecordKind says what a keepalived log line reports.
type KARecordKind int

// What keepalived's log lines (keepalived -l -D, version 2.2.7) report.
const (
	// KAOther is any other line.
	KAOther KARecordKind = iota
	// KAStarting is "Starting Keepalived v2.2.7 (01/16,2022)".
	KAStarting
	// KAStartup is "Startup complete" (the VRRP child is running).
	KAStartup
	// KAState is "(LB_VIP) Entering MASTER STATE", with " (init)" for
	// the first state.
	KAState
	// KAPriority is "(LB_VIP) Changing effective priority from 100 to 102".
	KAPriority
	// KAScript is "VRRP_Script(chk_haproxy) succeeded" or "… failed …".
	KAScript
	// KACause is a line that explains the transition that follows it:
	// an advert timeout, a higher or priority-0 advert, a link change.
	KACause
	// KAStopping is "Stopping" (SIGTERM received).
	KAStopping
	// KAWarning is a line keepalived means as a warning about the
	// configuration or the system.
	KAWarning
)

// KARecord is one keepalived log line, parsed.
type KARecord struct {
	Kind KARecordKind
	// Text is the line without keepalived's time stamp.
	Text string
	// Instance is the vrrp_instance the line is about, "" for the daemon.
	Instance string
	// State is MASTER, BACKUP or FAULT (KAState); Init marks the first
	// state an instance enters.
	State string
	Init  bool
	// From and To are the priorities of a KAPriority line.
	From, To int
	// Script and OK are a KAScript line's script and result.
	Script string
	OK     bool
	// Cause says a KACause line in words, as a transition's reason.
	Cause string
	// Peer and PeerPriority name the advert's sender, for a master's
	// "received advert … with higher priority" and a backup's "received
	// lower priority … advert".
	Peer         string
	PeerPriority int
	// Interface and Up are a link change ("Netlink reports enp0s9 down").
	Interface string
	Up        bool
	// Version is a KAStarting line's version, "v2.2.7".
	Version string
}

var (
	// keepalived -l prefixes each line with ctime(3) and ": ".
	kaStamp    = regexp.MustCompile(`^[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d \d{4}: `)
	kaInstRE   = regexp.MustCompile(`^\(([^)\s]+)\) (.*)$`)
	kaStarting = regexp.MustCompile(`^Starting Keepalived (v[0-9][0-9.]*)`)
	kaStateRE  = regexp.MustCompile(`^(?i:entering) (MASTER|BACKUP|FAULT) (?i:state)(?: \((.*)\))?$`)
	kaPriority = regexp.MustCompile(`^Changing effective priority from (\d+) to (\d+)$`)
	kaScript   = regexp.MustCompile(`^VRRP_Script\(([^)]+)\) (succeeded|failed|timed_out)(.*)$`)
	kaNetlink  = regexp.MustCompile(`^Netlink reports (\S+) (up|down)$`)
	kaHigher   = regexp.MustCompile(`^Master received advert from (\S+) with higher priority (\d+), ours (\d+)$`)
	kaLower    = regexp.MustCompile(`^received lower priority \((\d+)\) advert from (\S+) - discarding$`)
	kaSamePrio = regexp.MustCompile(`^Master received advert from (\S+) with same priority (\d+) but higher IP address than ours$`)
)

// ParseKeepalivedLine reads one line of keepalived's console log.
func ParseKeepalivedLine(line string) KARecord {
	text := kaStamp.ReplaceAllString(strings.TrimRight(line, "\r\n"), "")
	r := KARecord{Kind: KAOther, Text: text}
	rest := text
	if m := kaInstRE.FindStringSubmatch(text); m != nil {
		r.Instance, rest = m[1], m[2]
	}
	switch {
	case text == "Startup complete":
		r.Kind = KAStartup
	case text == "Stopping":
		r.Kind = KAStopping
	}
	if m := kaStarting.FindStringSubmatch(text); m != nil {
		r.Kind, r.Version = KAStarting, m[1]
		return r
	}
	if m := kaScript.FindStringSubmatch(text); m != nil {
		r.Kind, r.Script, r.OK = KAScript, m[1], m[2] == "succeeded"
		r.Cause = "track script " + m[1] + " " + strings.ReplaceAll(m[2], "_", " ") + m[3]
		return r
	}
	if m := kaNetlink.FindStringSubmatch(text); m != nil {
		r.Kind, r.Interface, r.Up = KACause, m[1], m[2] == "up"
		r.Cause = "interface " + m[1] + " " + m[2]
		return r
	}
	if r.Instance == "" {
		if isKAWarning(text) {
			r.Kind = KAWarning
		}
		return r
	}
	switch m := kaStateRE.FindStringSubmatch(rest); {
	case m != nil:
		r.Kind, r.State, r.Init = KAState, m[1], m[2] == "init"
		return r
	}
	if m := kaPriority.FindStringSubmatch(rest); m != nil {
		r.Kind = KAPriority
		r.From, _ = strconv.Atoi(m[1])
		r.To, _ = strconv.Atoi(m[2])
		return r
	}
	switch {
	case rest == "Receive advertisement timeout":
		r.Kind, r.Cause = KACause, "no advert heard: master down timer expired"
	case rest == "Backup received priority 0 advertisement":
		r.Kind, r.Cause = KACause, "the master sent priority 0 (it is stopping)"
	case kaHigher.MatchString(rest):
		m := kaHigher.FindStringSubmatch(rest)
		r.Kind, r.Peer = KACause, m[1]
		r.PeerPriority, _ = strconv.Atoi(m[2])
		r.Cause = "advert from " + m[1] + " with higher priority " + m[2] + ", ours " + m[3]
	case kaSamePrio.MatchString(rest):
		m := kaSamePrio.FindStringSubmatch(rest)
		r.Kind, r.Peer = KACause, m[1]
		r.PeerPriority, _ = strconv.Atoi(m[2])
		r.Cause = "advert from " + m[1] + " with the same priority " + m[2] + " and a higher address"
	case kaLower.MatchString(rest):
		// A backup of higher priority hears the master it will preempt.
		m := kaLower.FindStringSubmatch(rest)
		r.Kind, r.Peer = KACause, m[2]
		r.PeerPriority, _ = strconv.Atoi(m[1])
		r.Cause = "preempting " + m[2] + ", which has lower priority " + m[1]
	case isKAWarning(rest):
		r.Kind = KAWarning
	}
	return r
}

// isKAWarning picks keepalived's warnings: what it says about a
// configuration it adjusts or a system it cannot use as asked.
func isKAWarning(text string) bool {
	for _, w := range []string{"WARNING", "SECURITY VIOLATION", "Truncating", "incompatible", "does not exist", "Unknown keyword", "Error", "error", "Failed", "failed"} {
		if strings.Contains(text, w) {
			return true
		}
	}
	return false
}
