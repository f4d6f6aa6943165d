package export

import (
	"fmt"
	"path"
	"strings"
)

// realProcess maps the process names halab's components take (`halab run
// KIND` names itself halab-KIND) to the programs they stand in for on the
// tutorial's machines.
var realProcess = map[string]string{
	"halab-proxy": "haproxy",
	"halab-vrrp":  "keepalived",
	"halab-web":   "nginx",
}

// KillallPath is the tutorial's process check, `/usr/bin/killall -0 NAME`
// (Debian's and Ubuntu's psmisc package): it exits 0 when a process called
// NAME runs, sending it no signal.
const KillallPath = "/usr/bin/killall"

// realProcessName returns the real machine's name for a process name in a
// lab configuration: haproxy for halab-proxy, and so on; a name that is
// not halab's stays as it is.
func realProcessName(name string) (string, error) {
	if real, ok := realProcess[name]; ok {
		return real, nil
	}
	if strings.HasPrefix(name, "halab-") {
		return "", fmt.Errorf("process %s is halab's own and stands in for no program of the tutorial's machines (halab-proxy is haproxy, halab-vrrp keepalived, halab-web nginx)", name)
	}
	return name, nil
}

// runsHalab reports whether a script's argv runs halab.
func runsHalab(args []string) bool {
	return len(args) > 0 && path.Base(args[0]) == "halab"
}

// translateCheck returns the real machine's command for a script that runs
// halab. `halab check process NAME` asks what the tutorial's `killall -0
// NAME` asks, confined to the lab node's network namespace (in a namespace
// lab every node shares one process table): on a machine of its own, the
// tutorial's killall asks it. Any other halab command has no counterpart.
func translateCheck(args []string) (string, error) {
	if len(args) != 4 || args[1] != "check" || args[2] != "process" {
		return "", fmt.Errorf("%q runs halab, which the real machine does not have; only `halab check process NAME` has a counterpart there (killall -0 NAME): write the real command in the lab's file", strings.Join(args, " "))
	}
	name, err := realProcessName(args[3])
	if err != nil {
		return "", err
	}
	if !isPlainWord(name) {
		return "", fmt.Errorf("%q: the process name %q needs quoting in a shell word; use a plain process name", strings.Join(args, " "), name)
	}
	return KillallPath + " -0 " + name, nil
}

// isPlainWord reports whether s is one keepalived word that needs no
// quotes: no white space, quotes, comment characters, braces or
// backslashes.
func isPlainWord(s string) bool {
	return s != "" && !strings.ContainsAny(s, " \t\r\n\"'#!{}\\")
}
