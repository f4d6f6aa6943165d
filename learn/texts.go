package learn

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Texts are one language's messages — the screen's own words and what the
// shows, actions and checks say — each a template with {name}
// placeholders, and the language's way of writing numbers. The values of a
// lab (its VIP, its load balancers, figures from its configurations; see
// Vars) fill the placeholders a message does not fill itself.
type Texts struct {
	msgs    map[string]string
	decimal string
	vars    map[string]string
}

func newTexts(msgs map[string]string, decimal string) *Texts {
	return &Texts{msgs: msgs, decimal: decimal}
}

// WithVars returns texts that fill placeholders from vars as well.
func (t *Texts) WithVars(vars map[string]string) *Texts {
	c := *t
	c.vars = vars
	return &c
}

// Vars are the values WithVars gave.
func (t *Texts) Vars() map[string]string { return t.vars }

var placeholder = regexp.MustCompile(`\{([a-z0-9_]+)\}`)

// T is the message called key with its placeholders filled: args are
// name, value pairs, then the lab's values. A key the language lacks is
// shown as [key], so that it is seen rather than hidden (the tests make
// sure no key is lacking).
func (t *Texts) T(key string, args ...string) string {
	s, ok := t.msgs[key]
	if !ok {
		return "[" + key + "]"
	}
	return t.fill(s, args)
}

// Expand fills the placeholders of a text (a step's) from the lab's
// values.
func (t *Texts) Expand(s string) string { return t.fill(s, nil) }

func (t *Texts) fill(s string, args []string) string {
	if !strings.Contains(s, "{") {
		return s
	}
	return placeholder.ReplaceAllStringFunc(s, func(m string) string {
		name := m[1 : len(m)-1]
		for i := 0; i+1 < len(args); i += 2 {
			if args[i] == name {
				return args[i+1]
			}
		}
		if v, ok := t.vars[name]; ok {
			return v
		}
		return m
	})
}

// Dur writes a duration for people, with the language's decimal
// separator: "1.2 ms" below a tenth of a second, "300 ms" for whole
// milliseconds below a second, "2 s" for whole seconds, else "3.60 s" (one
// decimal from 10 s).
func (t *Texts) Dur(d time.Duration) string {
	switch {
	case d < 0:
		return "-" + t.Dur(-d)
	case d < 100*time.Millisecond:
		return t.Num(float64(d)/float64(time.Millisecond), 1) + " ms"
	case d < time.Second && d%time.Millisecond == 0:
		return strconv.FormatInt(d.Milliseconds(), 10) + " ms"
	case d%time.Second == 0 && d < time.Minute:
		return strconv.FormatInt(int64(d/time.Second), 10) + " s"
	case d < 10*time.Second:
		return t.Num(d.Seconds(), 2) + " s"
	default:
		return t.Num(d.Seconds(), 1) + " s"
	}
}

// Num writes f with prec decimals and the language's separator.
func (t *Texts) Num(f float64, prec int) string {
	s := strconv.FormatFloat(f, 'f', prec, 64)
	if t.decimal != "." {
		s = strings.Replace(s, ".", t.decimal, 1)
	}
	return s
}

// Pct writes a ratio (0..1) as a percentage: "99.5 %", "100 %".
func (t *Texts) Pct(r float64) string {
	if r >= 1 {
		return "100 %"
	}
	return t.Num(r*100, 1) + " %"
}

// Clock writes a time of day to the millisecond, as the event log and
// the daemons' logs do (in every language).
func (t *Texts) Clock(at time.Time) string { return at.Format("15:04:05.000") }

// Count writes an integer.
func (t *Texts) Count(n int64) string { return strconv.FormatInt(n, 10) }

// messageProblems says which declared messages msgs lacks, which it has
// that are not declared, and which placeholders a message uses that are
// neither its arguments nor a lab value.
func messageProblems(msgs map[string]string) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(messageArgs)) {
		if strings.TrimSpace(msgs[k]) == "" {
			out = append(out, fmt.Sprintf("no message %q", k))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(msgs)) {
		args, ok := messageArgs[k]
		if !ok {
			out = append(out, fmt.Sprintf("message %q is not one halab uses", k))
			continue
		}
		for _, m := range placeholder.FindAllStringSubmatch(msgs[k], -1) {
			if !slices.Contains(args, m[1]) && !slices.Contains(VarNames, m[1]) {
				out = append(out, fmt.Sprintf("message %q uses {%s}, which is neither its argument (%s) nor a lab value", k, m[1], strings.Join(args, ", ")))
			}
		}
	}
	return out
}
