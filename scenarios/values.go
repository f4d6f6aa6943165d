package scenarios

import (
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// maxDuration bounds every duration in a drill file: a drill is minutes
// long at most.
const maxDuration = 10 * time.Minute

// text reads a single value as text ("" after a problem).
func (p *parser) text(n *yaml.Node, where string) string {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.at(n, "%s: want a single value, got %s", where, describe(n))
		return ""
	}
	return n.Value
}

// names reads one name or a list of names.
func (p *parser) names(n *yaml.Node, where string) []string {
	if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
		if strings.TrimSpace(n.Value) == "" {
			p.at(n, "%s: the name is empty", where)
			return nil
		}
		return []string{n.Value}
	}
	if n.Kind != yaml.SequenceNode {
		p.at(n, "%s: want a name or a list of names, got %s", where, describe(n))
		return nil
	}
	out := []string{}
	for _, item := range n.Content {
		item = resolve(item)
		if v := p.text(item, where); v != "" {
			if contains(out, v) {
				p.at(item, "%s: %s is named twice", where, v)
				continue
			}
			out = append(out, v)
		}
	}
	return out
}

// boolean reads true or false.
func (p *parser) boolean(n *yaml.Node, where string) bool {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		p.at(n, "%s: want true or false, got %s", where, describe(n))
		return false
	}
	b, _ := strconv.ParseBool(strings.ToLower(n.Value))
	return b
}

// integer reads a whole number from lo to hi.
func (p *parser) integer(n *yaml.Node, where string, lo, hi int) int {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		p.at(n, "%s: want a whole number, got %s", where, describe(n))
		return 0
	}
	v, err := strconv.Atoi(n.Value)
	if err != nil || v < lo || v > hi {
		p.at(n, "%s: %s is out of range %d…%d", where, n.Value, lo, hi)
		return 0
	}
	return v
}

// duration reads a Go duration with a unit ("2s", "3.7s", "500ms"),
// more than zero (or zero too, when zeroOK) and at most maxDuration.
func (p *parser) duration(n *yaml.Node, where string, zeroOK bool) time.Duration {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.at(n, "%s: want a duration like 2s or 500ms, got %s", where, describe(n))
		return 0
	}
	d, err := time.ParseDuration(n.Value)
	if err != nil {
		if _, nerr := strconv.ParseFloat(n.Value, 64); nerr == nil {
			p.at(n, "%s: %s has no unit; write it like %ss or %sms", where, n.Value, n.Value, n.Value)
		} else {
			p.at(n, "%s: %q is not a duration; write it like 2s, 3.7s or 500ms", where, n.Value)
		}
		return 0
	}
	switch {
	case d < 0 || (d == 0 && !zeroOK):
		p.at(n, "%s: %s must be more than zero", where, n.Value)
		return 0
	case d > maxDuration:
		p.at(n, "%s: %s is longer than a drill may take (%s)", where, n.Value, maxDuration)
		return 0
	}
	return d
}

// optDuration reads an optional duration key of fs (0 when absent).
func (p *parser) optDuration(fs map[string]field, key, where string) time.Duration {
	if f := fs[key]; f.key != nil {
		return p.duration(f.value, where+": "+key, true)
	}
	return 0
}

// reqDuration reads a required duration key of fs (its absence was
// reported by fields).
func (p *parser) reqDuration(fs map[string]field, key, where string) time.Duration {
	if f := fs[key]; f.key != nil {
		return p.duration(f.value, where+": "+key, false)
	}
	return 0
}

// percent reads a percentage, "99%" or 99, as a ratio from 0 to 1.
func (p *parser) percent(n *yaml.Node, where string) float64 {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.at(n, "%s: want a percentage like 99%%, got %s", where, describe(n))
		return 0
	}
	s := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(n.Value), "%"))
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v != v {
		p.at(n, "%s: %q is not a percentage; write it like 99%% or 99.5%%", where, n.Value)
		return 0
	}
	if v < 0 || v > 100 {
		p.at(n, "%s: %s is not a percentage from 0%% to 100%%", where, n.Value)
		return 0
	}
	return v / 100
}
