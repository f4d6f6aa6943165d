package scenarios

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/halab/halab/lab"
)

var drillNameRE = regexp.MustCompile(`^[a-z][a-z0-9-]{0,39}$`)

// ParseDrill reads a drill file's text. name names it in problems. Decoding
// is strict: unknown keys, wrong shapes and bad values are errors, and every
// problem found is returned at once in a *lab.ValidationError, each as
// file:line:column, as lab files report theirs.
func ParseDrill(name string, data []byte) (*Drill, error) {
	p := &parser{file: name}
	doc, yamlErrs := lab.ParseYAML(name, data)
	if yamlErrs != nil {
		p.list = yamlErrs
		return nil, p.err()
	}
	if doc == nil {
		p.add(1, 1, "the drill file is empty; `halab drill show master-poweroff` prints a complete example")
		return nil, p.err()
	}
	d := &Drill{Source: name}
	p.drill(resolve(doc), d)
	if err := p.err(); err != nil {
		return nil, err
	}
	return d, nil
}

// parser collects problems while a drill file is read.
type parser struct {
	file string
	list []lab.Problem
}

func (p *parser) add(line, col int, format string, args ...any) {
	p.list = append(p.list, lab.Problem{File: p.file, Line: line, Column: col, Message: fmt.Sprintf(format, args...)})
}

func (p *parser) at(n *yaml.Node, format string, args ...any) {
	p.add(n.Line, n.Column, format, args...)
}

// err returns the problems sorted by place, or nil.
func (p *parser) err() error {
	if len(p.list) == 0 {
		return nil
	}
	sort.SliceStable(p.list, func(i, j int) bool {
		a, b := p.list[i], p.list[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return &lab.ValidationError{Problems: p.list}
}

// resolve follows an alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; i < 8 && n.Kind == yaml.AliasNode && n.Alias != nil; i++ {
		n = n.Alias
	}
	return n
}

// field is one key of a mapping with its value.
type field struct {
	key, value *yaml.Node
}

// fields reads a mapping whose keys must be among known: unknown and
// repeated keys are problems, missing required ones (marked with a
// trailing "!") too. It returns the keys found, or nil when n is not a
// mapping.
func (p *parser) fields(n *yaml.Node, where string, known ...string) map[string]field {
	if n.Kind != yaml.MappingNode {
		p.at(n, "%s: want a mapping of keys (%s), got %s", where, strings.Join(trimBang(known), ", "), describe(n))
		return nil
	}
	out := map[string]field{}
	names := trimBang(known)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		switch {
		case !contains(names, k.Value):
			p.at(k, "unknown key %q in %s; known keys: %s", k.Value, where, strings.Join(names, ", "))
		case out[k.Value].key != nil:
			prev := out[k.Value].key
			p.at(k, "%s: key %q given twice (first at line %d)", where, k.Value, prev.Line)
		default:
			out[k.Value] = field{k, v}
		}
	}
	for _, k := range known {
		if name, ok := strings.CutSuffix(k, "!"); ok && out[name].key == nil {
			p.at(n, "%s: %s is missing", where, name)
		}
	}
	return out
}

func trimBang(keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = strings.TrimSuffix(k, "!")
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	if n.Tag == "!!null" {
		return "nothing"
	}
	s := n.Value
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return strconv.Quote(s)
}

// drill reads the top level of a drill file.
func (p *parser) drill(n *yaml.Node, d *Drill) {
	fs := p.fields(n, "the drill", "name!", "title!", "teaches!", "description", "lab!", "no_split_brain", "steps!")
	if fs == nil {
		return
	}
	if f := fs["name"]; f.key != nil {
		if d.Name = p.text(f.value, "name"); d.Name != "" && !drillNameRE.MatchString(d.Name) {
			p.at(f.value, "name %q: use lowercase letters, digits and dashes, starting with a letter (at most 40)", d.Name)
		}
	}
	if f := fs["title"]; f.key != nil {
		d.Title = p.text(f.value, "title")
	}
	if f := fs["teaches"]; f.key != nil {
		d.Teaches = strings.TrimSpace(p.text(f.value, "teaches"))
	}
	if f := fs["description"]; f.key != nil {
		d.Description = strings.TrimSpace(p.text(f.value, "description"))
	}
	if f := fs["lab"]; f.key != nil {
		d.Labs = p.names(f.value, "lab")
		if len(d.Labs) == 0 && f.value.Kind == yaml.SequenceNode {
			p.at(f.value, "lab: name at least one lab the drill is written for, like seed")
		}
	}
	if f := fs["no_split_brain"]; f.key != nil {
		d.NoSplitBrain = p.boolean(f.value, "no_split_brain")
	}
	if f := fs["steps"]; f.key != nil {
		if f.value.Kind != yaml.SequenceNode {
			p.at(f.value, "steps: want a list of steps, got %s", describe(f.value))
			return
		}
		if len(f.value.Content) == 0 {
			p.at(f.value, "steps: the list is empty; a drill needs at least one step")
		}
		for i, item := range f.value.Content {
			if s, ok := p.step(resolve(item), i+1); ok {
				d.Steps = append(d.Steps, s)
			}
		}
	}
}

// step reads one step: a mapping with exactly one key, the step's kind.
func (p *parser) step(n *yaml.Node, num int) (Step, bool) {
	where := fmt.Sprintf("step %d", num)
	s := Step{Line: n.Line, Column: n.Column}
	if n.Kind != yaml.MappingNode {
		p.at(n, "%s: want one key naming what the step does (%s), got %s", where, kindList(), describe(n))
		return s, false
	}
	if len(n.Content) == 0 {
		p.at(n, "%s is empty; say what it does (%s)", where, kindList())
		return s, false
	}
	if len(n.Content) > 2 {
		var keys []string
		for i := 0; i+1 < len(n.Content); i += 2 {
			keys = append(keys, n.Content[i].Value)
		}
		p.at(resolve(n.Content[2]), "%s has %d keys (%s); a step does one thing: split it into %d steps", where, len(keys), strings.Join(keys, ", "), len(keys))
		return s, false
	}
	k, v := resolve(n.Content[0]), resolve(n.Content[1])
	s.Kind = StepKind(k.Value)
	where = fmt.Sprintf("step %d (%s)", num, k.Value)
	before := len(p.list)
	switch s.Kind {
	case StepFault, StepRestore, StepHeal, StepWait, StepTraffic, StepSay:
		p.act(&s, v, where)
	case ExpectVIPOn, ExpectState, ExpectSuccess, ExpectFailed, ExpectOutage, ExpectNoSplitBrain, ExpectBackend:
		p.expect(&s, v, where)
	default:
		p.at(k, "%s: unknown step %q; a step is one of: %s", fmt.Sprintf("step %d", num), k.Value, kindList())
	}
	return s, len(p.list) == before
}

func kindList() string {
	names := make([]string, len(stepKinds))
	for i, k := range stepKinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// act reads the value of an acting step.
func (p *parser) act(s *Step, v *yaml.Node, where string) {
	switch s.Kind {
	case StepFault:
		s.Words = strings.Join(strings.Fields(p.text(v, where)), " ")
		if s.Words == "" {
			if v.Kind == yaml.ScalarNode {
				p.at(v, "%s: say which fault, in `halab fault` words, like \"crash lb1\"", where)
			}
			return
		}
		f, err := lab.ParseFault(strings.Fields(s.Words))
		if err != nil {
			p.at(v, "%s: %v", where, err)
			return
		}
		s.Fault = &f
	case StepRestore:
		node := p.text(v, where)
		if node == "" {
			if v.Kind == yaml.ScalarNode {
				p.at(v, "%s: name the node to power on, like `restore: lb1`", where)
			}
			return
		}
		s.Fault, s.Words = &lab.Fault{Kind: lab.FaultRestore, Node: node}, "restore "+node
	case StepHeal:
		if !p.boolean(v, where) && v.Kind == yaml.ScalarNode && v.Tag == "!!bool" {
			p.at(v, "%s: write `heal: true` (there is nothing to do with false)", where)
			return
		}
		s.Fault, s.Words = &lab.Fault{Kind: lab.FaultHeal}, "heal"
	case StepWait:
		s.Wait = p.duration(v, where, false)
	case StepTraffic:
		fs := p.fields(v, where, "rate!")
		if f := fs["rate"]; f.key != nil {
			s.Rate = p.integer(f.value, where+": rate", 0, 1000)
		}
	case StepSay:
		s.Text = strings.TrimSpace(p.text(v, where))
		if s.Text == "" && v.Kind == yaml.ScalarNode {
			p.at(v, "%s: the text is empty", where)
		}
	}
}

// expect reads the value of an expectation.
func (p *parser) expect(s *Step, v *yaml.Node, where string) {
	switch s.Kind {
	case ExpectVIPOn:
		fs := p.fields(v, where, "node", "nodes", "within")
		node, nodes := fs["node"], fs["nodes"]
		switch {
		case fs == nil:
		case node.key != nil && nodes.key != nil:
			p.at(nodes.key, "%s: give node (one holder) or nodes (several, or [] for none), not both", where)
		case node.key != nil:
			if n := p.text(node.value, where+": node"); n != "" {
				s.Nodes = []string{n}
			}
		case nodes.key != nil:
			s.Nodes = p.names(nodes.value, where+": nodes")
		default:
			p.at(v, "%s: say which node holds the VIP: node: lb2 (or nodes: [lb1, lb2] for a split brain)", where)
		}
		s.Within = p.optDuration(fs, "within", where)
	case ExpectState:
		fs := p.fields(v, where, "node!", "state!", "within")
		if f := fs["node"]; f.key != nil {
			if n := p.text(f.value, where+": node"); n != "" {
				s.Nodes = []string{n}
			}
		}
		if f := fs["state"]; f.key != nil {
			s.State = strings.ToUpper(p.text(f.value, where+": state"))
			if s.State != "" && !contains([]string{StateMaster, StateBackup, StateFault, StateDown}, s.State) {
				p.at(f.value, "%s: state %q: use MASTER, BACKUP, FAULT or DOWN (VRRP not running)", where, s.State)
			}
		}
		s.Within = p.optDuration(fs, "within", where)
	case ExpectSuccess:
		fs := p.fields(v, where, "at_least", "at_most", "over!")
		if f := fs["at_least"]; f.key != nil {
			r := p.percent(f.value, where+": at_least")
			s.AtLeast = &r
		}
		if f := fs["at_most"]; f.key != nil {
			r := p.percent(f.value, where+": at_most")
			s.AtMost = &r
		}
		if fs != nil && s.AtLeast == nil && s.AtMost == nil && fs["at_least"].key == nil && fs["at_most"].key == nil {
			p.at(v, "%s: give at_least (like 99%%) or at_most (like 1%%)", where)
		}
		if s.AtLeast != nil && s.AtMost != nil && *s.AtLeast > *s.AtMost {
			p.at(v, "%s: at_least %s is above at_most %s: no ratio can pass", where, fmtPercent(*s.AtLeast), fmtPercent(*s.AtMost))
		}
		s.Over = p.reqDuration(fs, "over", where)
	case ExpectFailed:
		fs := p.fields(v, where, "at_most!", "over!")
		if f := fs["at_most"]; f.key != nil {
			s.MaxFailed = p.integer(f.value, where+": at_most", 0, 1<<30)
		}
		s.Over = p.reqDuration(fs, "over", where)
	case ExpectOutage:
		fs := p.fields(v, where, "at_most!")
		s.MaxOutage = p.reqDuration(fs, "at_most", where)
	case ExpectNoSplitBrain:
		fs := p.fields(v, where, "for!")
		s.Over = p.reqDuration(fs, "for", where)
	case ExpectBackend:
		fs := p.fields(v, where, "node", "server!", "state!", "within")
		if f := fs["node"]; f.key != nil {
			if n := p.text(f.value, where+": node"); n != "" {
				s.Nodes = []string{n}
			}
		}
		if f := fs["server"]; f.key != nil {
			s.Server = p.text(f.value, where+": server")
		}
		if f := fs["state"]; f.key != nil {
			s.State = strings.ToUpper(p.text(f.value, where+": state"))
			if s.State != "" && s.State != "UP" && s.State != "DOWN" {
				p.at(f.value, "%s: state %q: use UP or DOWN", where, s.State)
			}
		}
		s.Within = p.optDuration(fs, "within", where)
	}
}
