package export

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/halab/halab/nodes/vrrp/kaconf"
)

// keepalived's defaults, as kaconf fills them in: a value equal to its
// default is not written, as the tutorial does not write it.
const (
	defaultVRRPVersion      = 2
	defaultGARPMasterDelay  = 5 * time.Second
	defaultGARPMasterRepeat = 5
	defaultInterval         = time.Second
	defaultMaxTTL           = 255
)

// render writes the configuration: global_defs, the vrrp_script and
// vrrp_track_process blocks, then the instances, in the lab file's order.
func (k *kaExport) render() error {
	if err := k.translateScripts(); err != nil {
		return err
	}
	k.global()
	for _, s := range k.cfg.Scripts {
		k.script(s)
	}
	for _, p := range k.cfg.Processes {
		if err := k.process(p); err != nil {
			return err
		}
	}
	for _, in := range k.cfg.Instances {
		if err := k.instance(in); err != nil {
			return err
		}
	}
	return k.err
}

// translateScripts decides each vrrp_script's command on the real
// machine: halab's checks become the tutorial's killall; others stay.
func (k *kaExport) translateScripts() error {
	k.scriptCmd = map[*kaconf.Script]string{}
	k.translatedAll = len(k.cfg.Scripts) > 0
	for _, s := range k.cfg.Scripts {
		if !runsHalab(s.Args) {
			k.scriptCmd[s] = s.Command
			k.translatedAll = false
			continue
		}
		real, err := translateCheck(s.Args)
		if err != nil {
			return fmt.Errorf("vrrp_script %s (line %d): %w", s.Name, s.Pos.Line, err)
		}
		k.scriptCmd[s] = real
		n := k.add(Translated, fmt.Sprintf("%s:%d", s.Pos.File, s.Pos.Line), fmt.Sprintf(
			"vrrp_script %s runs %q, halab's check: in a namespace lab every node shares one process table, so it looks only at the node's own processes. A real machine has its own processes and no halab; the check is the tutorial's %q.",
			s.Name, s.Command, real))
		n.From, n.To = s.Command, real
		if k.tracked(s) {
			n.Says = SaysScriptNotFound(s.Name)
		}
	}
	return nil
}

// tracked reports whether an instance tracks script s.
func (k *kaExport) tracked(s *kaconf.Script) bool {
	for _, in := range k.cfg.Instances {
		for _, t := range in.TrackScripts {
			if t.Script == s {
				return true
			}
		}
	}
	return false
}

// hasScripts reports whether keepalived runs any script for this file:
// vrrp_script blocks or notify scripts.
func (k *kaExport) hasScripts() bool {
	return len(k.cfg.Scripts) > 0 || k.hasNotify()
}

// global writes global_defs, adding what keepalived needs to run scripts.
func (k *kaExport) global() {
	g := k.cfg.Global
	addSecurity := k.hasScripts() && !g.EnableScriptSecurity
	addUser := k.hasScripts() && g.ScriptUser == ""
	var lines []string
	if g.RouterID != "" {
		lines = append(lines, "router_id "+k.word(g.RouterID))
	}
	if g.VRRPVersion != defaultVRRPVersion {
		lines = append(lines, "vrrp_version "+strconv.Itoa(g.VRRPVersion))
	}
	if g.GARPMasterDelay != defaultGARPMasterDelay {
		lines = append(lines, "vrrp_garp_master_delay "+strconv.Itoa(int(g.GARPMasterDelay/time.Second)))
	}
	if g.GARPMasterRepeat != defaultGARPMasterRepeat {
		lines = append(lines, "vrrp_garp_master_repeat "+strconv.Itoa(g.GARPMasterRepeat))
	}
	if !addSecurity && g.EnableScriptSecurity {
		lines = append(lines, "enable_script_security")
	}
	if !addUser && g.ScriptUser != "" {
		lines = append(lines, strings.TrimSpace("script_user "+k.word(g.ScriptUser)+" "+k.word(g.ScriptGroup)))
		if g.ScriptUser != "root" && k.killallScripts() {
			k.add(Info, "", fmt.Sprintf("script_user %s stays as the lab has it, but the translated killall -0 then runs as %s, and killall -0 fails on root's processes (\"Operation not permitted\"): haproxy's master runs as root. Use script_user root, or a check that needs no signal permission (pidof).", g.ScriptUser, g.ScriptUser))
		}
	}
	if len(lines) == 0 && !addSecurity && !addUser {
		return
	}
	k.w.open("global_defs")
	for _, l := range lines {
		k.w.line(l)
	}
	if addSecurity {
		n := k.add(Fixed, k.warning("SECURITY VIOLATION", nil), "enable_script_security is added to global_defs. Without it keepalived warns at every start and runs scripts whoever can change them; with it, it runs only scripts that no user but root can change.")
		n.Says, n.SaysAfterTranslation = SaysSecurity, k.translatedAll && !k.hasNotify()
		k.w.comment("Not in the lab's file: keepalived warns without it (see the top of the file).")
		k.w.line("enable_script_security")
	}
	if addUser {
		k.add(Fixed, "", "script_user root is added to global_defs. With enable_script_security keepalived runs scripts as the user keepalived_script, which Debian's and Ubuntu's packages do not create, and without it keepalived removes every script (\"Unable to set default user keepalived_script for script\"). killall -0 also needs root to see haproxy, a root process: as another user it fails with \"Operation not permitted\".")
		k.w.comment("Not in the lab's file: who runs the scripts (see the top of the file).")
		k.w.line("script_user root")
	}
	k.w.close()
	k.w.line("")
}

// killallScripts reports whether any script runs the translated killall.
func (k *kaExport) killallScripts() bool {
	for _, cmd := range k.scriptCmd {
		if strings.HasPrefix(cmd, KillallPath+" ") {
			return true
		}
	}
	return false
}

// hasNotify reports whether any instance has a notify script.
func (k *kaExport) hasNotify() bool {
	for _, in := range k.cfg.Instances {
		if notifies(in) != nil {
			return true
		}
	}
	return false
}

// script writes a vrrp_script block.
func (k *kaExport) script(s *kaconf.Script) {
	k.w.open("vrrp_script " + s.Name)
	if cmd := k.scriptCmd[s]; cmd != s.Command {
		k.w.comment(fmt.Sprintf("The lab's file: script %q, halab's check (see the top of the file).", s.Command))
	}
	k.w.line("script " + k.command(k.scriptCmd[s]))
	if s.Interval != defaultInterval {
		k.w.line("interval " + seconds(s.Interval))
	}
	if s.Timeout != 0 {
		k.w.line("timeout " + seconds(s.Timeout))
	}
	if s.Weight != 0 || s.WeightReverse {
		k.w.line("weight " + strconv.Itoa(s.Weight) + reverseWord(s.WeightReverse, false))
	}
	if s.Rise != 1 {
		k.w.line("rise " + strconv.Itoa(s.Rise))
	}
	if s.Fall != 1 {
		k.w.line("fall " + strconv.Itoa(s.Fall))
	}
	k.w.close()
	k.w.line("")
}

// process writes a vrrp_track_process block, halab's process names
// replaced with the programs they stand in for.
func (k *kaExport) process(p *kaconf.Process) error {
	command := p.Command
	if p.FullCommand {
		if runsHalab([]string{command}) || strings.HasPrefix(command, "halab-") {
			return fmt.Errorf("vrrp_track_process %s (line %d) matches halab's command line %q, which a real machine does not run: track the process by name (process halab-proxy), which the export translates", p.Name, p.Pos.Line, command)
		}
	} else {
		real, err := realProcessName(command)
		if err != nil {
			return fmt.Errorf("vrrp_track_process %s (line %d): %w", p.Name, p.Pos.Line, err)
		}
		if real != command {
			n := k.add(Translated, fmt.Sprintf("%s:%d", p.Pos.File, p.Pos.Line), fmt.Sprintf(
				"vrrp_track_process %s counts processes called %s, the name halab's proxy takes; on the real machine the proxy is %s. keepalived accepts either name, but no process is called %s there, so the instance would never count the proxy as running.",
				p.Name, command, real, command))
			n.From, n.To = command, real
			command = real
		}
	}
	k.w.open("vrrp_track_process " + p.Name)
	if command != p.Command {
		k.w.comment(fmt.Sprintf("The lab's file: process %s, halab's name for it (see the top of the file).", p.Command))
	}
	words := []string{"process", k.word(command)}
	for _, param := range p.Params {
		words = append(words, k.word(param))
	}
	k.w.line(strings.Join(words, " "))
	switch {
	case p.ParamMatch == kaconf.ParamMatchInitial || p.ParamMatch == kaconf.ParamMatchPartial:
		k.w.line("param_match " + p.ParamMatch.String())
	case p.ParamMatch == kaconf.ParamMatchExact && len(p.Params) == 0:
		k.w.line("param_match")
	case p.ParamMatch == kaconf.ParamMatchNone && p.FullCommand:
		k.w.line("full_command")
	}
	if p.Weight != 0 || p.WeightReverse {
		k.w.line("weight " + strconv.Itoa(p.Weight) + reverseWord(p.WeightReverse, false))
	}
	if p.QuorumMax == 0 {
		k.w.line("quorum_max 0")
	} else {
		if p.Quorum != 1 {
			k.w.line("quorum " + strconv.Itoa(p.Quorum))
		}
		if p.QuorumMax != kaconf.NoQuorumMax {
			k.w.line("quorum_max " + strconv.Itoa(p.QuorumMax))
		}
	}
	switch {
	case p.ForkDelay != 0 && p.ForkDelay == p.TerminateDelay:
		k.w.line("delay " + seconds(p.ForkDelay))
	default:
		if p.ForkDelay != 0 {
			k.w.line("fork_delay " + seconds(p.ForkDelay))
		}
		if p.TerminateDelay != 0 {
			k.w.line("terminate_delay " + seconds(p.TerminateDelay))
		}
	}
	k.w.close()
	k.w.line("")
	return nil
}

// seconds formats a duration as keepalived's decimal seconds: "2", "0.1".
func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
}

// reverseWord is " reverse" when reverse is set, " noreverse" when it
// must undo a reverse inherited from the tracked block, else "".
func reverseWord(reverse, inherited bool) string {
	switch {
	case reverse:
		return " reverse"
	case inherited:
		return " noreverse"
	}
	return ""
}

// word writes s as one keepalived word: bare when it can be, else in
// double quotes, which keepalived removes and inside which nothing is
// escaped. A word that needs quotes and holds a quote or a backslash
// cannot be written; that is recorded in k.err.
func (k *kaExport) word(s string) string {
	if !strings.ContainsAny(s, " \t#!{}\"") {
		return s
	}
	if strings.ContainsAny(s, `"\`) {
		k.fail(fmt.Errorf("%q cannot be written as one keepalived word (it needs quotes and holds a quote or a backslash): change it in the lab's file", s))
		return s
	}
	return `"` + s + `"`
}

// command writes a script command as one double-quoted keepalived word:
// backslashes and double quotes escaped, as keepalived reads script lines
// (alloc_strvec_quoted_escaped). keepalived finds braces outside quotes
// without minding escapes, so a command with both a quote and a brace
// cannot be written; that is recorded in k.err.
func (k *kaExport) command(s string) string {
	if strings.Contains(s, `"`) && strings.ContainsAny(s, "{}") {
		k.fail(fmt.Errorf("the command %q holds both a double quote and a brace, which keepalived cannot read back as one word: change it in the lab's file", s))
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// fail records the first error found while writing.
func (k *kaExport) fail(err error) {
	if k.err == nil {
		k.err = err
	}
}
