package export

import (
	"fmt"
	"slices"
	"strings"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/nodes/vrrp/kaconf"
)

// What keepalived 2.2.7 prints, verbatim, about the lab configurations the
// export fixes (`keepalived -t -f FILE`); the notes quote them and the
// tests hold the real program to them.
const (
	// SaysTruncate: auth_pass is longer than VRRP's 8-byte field.
	SaysTruncate = "Truncating auth_pass to 8 characters"
	// SaysSecurity: scripts without enable_script_security.
	SaysSecurity = "SECURITY VIOLATION - scripts are being executed but script_security not enabled."
)

// SaysMasterAH is what keepalived says of a vrrp_instance with state
// MASTER and AH authentication: it starts it as BACKUP.
func SaysMasterAH(instance string) string {
	return "(" + instance + ") Initial state master is incompatible with AH authentication - clearing"
}

// SaysScriptNotFound is what keepalived says of a tracked vrrp_script
// whose command it cannot find (halab, on a machine without it).
func SaysScriptNotFound(script string) string {
	return "Disabling track script " + script + " since not found/accessible"
}

// SaysUnicastNoPeers is what keepalived says of unicast_src_ip in an
// instance without unicast peers: the instance stays multicast.
func SaysUnicastNoPeers(instance string) string {
	return "(" + instance + ") A unicast keyword has been specified without any unicast peers. Defaulting to multicast. This usage is deprecated - please update your configuration."
}

// kaExport exports one keepalived.conf: it writes the values halab and
// keepalived end up using (kaconf's model), translated and fixed, and
// records a note for each difference.
type kaExport struct {
	node, file, src string
	cfg             *kaconf.Config
	w               writer
	notes           []Note
	used            map[int]bool // kaconf warnings a specific note explains, by index
	scriptCmd       map[*kaconf.Script]string
	translatedAll   bool // every script of the file is a translated halab check
	interfaces      []string
	err             error // the first value that cannot be written
}

// keepalived exports load balancer n's keepalived.conf.
func (x *exporter) keepalived(n *lab.Node) error {
	c := n.Component(lab.ComponentVRRP)
	if c == nil {
		return fmt.Errorf("load balancer %s has no keepalived configuration in lab %s", n.Name, x.lab.Name)
	}
	src := configName(x.lab, n, c)
	cfg, err := kaconf.Parse(src, c.Config)
	if err != nil {
		return fmt.Errorf("node %s: halab does not run this keepalived configuration, so there is nothing to export; fix %s first:\n%w", n.Name, src, err)
	}
	k := &kaExport{node: n.Name, file: n.Name + ".keepalived.conf", src: src, cfg: cfg, used: map[int]bool{}}
	if err := k.render(); err != nil {
		return fmt.Errorf("node %s: %s: %w", n.Name, src, err)
	}
	k.otherWarnings()
	text := k.header(x.lab) + strings.TrimRight(k.w.String(), "\n") + "\n"
	x.note(k.notes...)
	return x.add(k.file, []byte(text), n.Name, Placement{
		Path:  KeepalivedPath,
		Check: "keepalived -t -f " + KeepalivedPath,
		Apply: "systemctl restart keepalived",
	})
}

// add records a note about this file and returns it for the caller to
// complete; the pointer is good until the next add.
func (k *kaExport) add(kind Kind, source, text string) *Note {
	k.notes = append(k.notes, Note{Kind: kind, Node: k.node, File: k.file, Source: source, Text: text})
	return &k.notes[len(k.notes)-1]
}

// warning finds kaconf's first unexplained warning containing substr
// within instance (nil: anywhere), marks it explained, and returns where
// it points ("file:line"), or "" when there is none.
func (k *kaExport) warning(substr string, instance *kaconf.Instance) string {
	for i, d := range k.cfg.Diagnostics() {
		if d.Severity != kaconf.SeverityWarning || k.used[i] || !strings.Contains(d.Message, substr) {
			continue
		}
		if instance != nil && k.instanceAt(d) != instance {
			continue
		}
		k.used[i] = true
		return fmt.Sprintf("%s:%d", d.File, d.Line)
	}
	return ""
}

// instanceAt is the vrrp_instance a diagnostic's line falls in: the last
// one that begins at or before it.
func (k *kaExport) instanceAt(d kaconf.Diagnostic) *kaconf.Instance {
	var at *kaconf.Instance
	for _, in := range k.cfg.Instances {
		if in.Pos.File == d.File && in.Pos.Line <= d.Line {
			at = in
		}
	}
	return at
}

// otherWarnings notes each of kaconf's warnings no specific note explains:
// what halab (and keepalived) adjust or skip, and the export writes as
// adjusted or leaves out.
func (k *kaExport) otherWarnings() {
	for i, d := range k.cfg.Diagnostics() {
		if d.Severity != kaconf.SeverityWarning || k.used[i] {
			continue
		}
		source := fmt.Sprintf("%s:%d", d.File, d.Line)
		if strings.Contains(d.Message, "halab does not support") || strings.Contains(d.Message, "Unknown keyword") {
			k.add(Info, source, "halab reads: "+d.Message+". halab runs the lab without it, and this file leaves it out: add it back if the real machine should have it.")
			continue
		}
		k.add(Fixed, source, "halab reads, as keepalived would: "+d.Message+". This file writes the value that is then used.")
	}
}

// header is the comment that opens the file: where it goes, how to check
// it, and every note.
func (k *kaExport) header(l *lab.Lab) string {
	var w writer
	w.comment(
		KeepalivedPath+" on "+k.node+".",
		"",
		fmt.Sprintf("Exported by `halab config export` from the lab %s (%s): the configuration halab's VRRP daemon runs on %s, for keepalived. It means what the lab's file means; what differs, and why, is listed below and marked where it happens.", l.Name, k.src, k.node),
		"",
		fmt.Sprintf("Check it on %s with `keepalived -t -f %s`: keepalived 2.2.7 accepts it (exit status 0) as long as the machine has the interfaces it names (%s)%s. Then: systemctl restart keepalived.", k.node, KeepalivedPath, k.interfaceList(), k.needsKillall()),
		"",
	)
	if len(k.notes) == 0 {
		w.comment("Nothing differs from the lab's file but the layout and the comments.", "")
		return w.String() + "\n"
	}
	w.comment("What differs from the lab's file:")
	for _, n := range k.notes {
		text := n.Text
		if n.Source != "" {
			text = "line " + fmt.Sprint(sourceLine(n.Source)) + ": " + text
		}
		for _, l := range hangingWrap("  - ", text, commentWidth-2) {
			w.comment(l)
		}
		if n.Says != "" {
			for _, l := range hangingWrap("    ", saysLine(n), commentWidth-2) {
				w.comment(l)
			}
		}
	}
	w.comment("")
	return w.String() + "\n"
}

// needsKillall says, after the interfaces, that the file's scripts need
// killall, when they do.
func (k *kaExport) needsKillall() string {
	if k.killallScripts() {
		return " and " + KillallPath + " (Debian's and Ubuntu's psmisc package)"
	}
	return ""
}

// interfaceList names the interfaces the file names, for the header.
func (k *kaExport) interfaceList() string {
	if len(k.interfaces) == 0 {
		return "none here"
	}
	return strings.Join(k.interfaces, ", ")
}

// useInterface records an interface the file names.
func (k *kaExport) useInterface(name string) {
	if name != "" && !slices.Contains(k.interfaces, name) {
		k.interfaces = append(k.interfaces, name)
	}
}
