// Package learn is the walkthrough of `halab learn`: the tutorial "High
// Availability dengan HAProxy dan Keepalived" (2021) followed step by step
// on a running lab, in English or Bahasa Indonesia.
//
// A Course is the steps in order (assets/learn/course.yaml) with the texts
// of one language (assets/learn/LANG.yaml). Each step names what the Go
// code does for it: a prepare (bring the lab to the state the step starts
// from), a show (what it shows from the live lab first: configurations
// read from the lab's state, figures computed from them), an action (what
// one key does: run a command inside a node, power a node off) and a check
// (what must then be seen, polled within a bound, for ✓ or ✗). They are
// registered by name in this package and reach the lab only through the
// Lab interface, so the unit tests run them on a simulated lab
// (learn/fake) and the root tests on a real one (learn/live).
//
// Progress (the step reached, the checks passed) is kept in a small file
// in the user's state directory; see ProgressPath.
package learn

import (
	"bytes"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/halab/halab/assets"
)

// The languages of the walkthrough.
const (
	English    = "en"
	Indonesian = "id"
)

// Languages lists the walkthrough's languages, by their code.
var Languages = []string{English, Indonesian}

// LangFromEnv picks the language from the locale the way the C library
// does: the first of LC_ALL, LC_MESSAGES and LANG that is set decides;
// id_ID.UTF-8 (any id or id_*) means Bahasa Indonesia, anything else
// English.
func LangFromEnv(getenv func(string) string) string {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := getenv(k)
		if v == "" {
			continue
		}
		if v == "id" || strings.HasPrefix(v, "id_") || strings.HasPrefix(v, "id.") {
			return Indonesian
		}
		return English
	}
	return English
}

// Step is one step of the walkthrough.
type Step struct {
	// ID names the step in the course, the language files and the
	// progress file.
	ID string
	// Prepare, Show, Action and Check name what the Go code does (see the
	// package documentation); each is registered in this package.
	Prepare, Show, Action, Check string
	// Title and Text explain the step; ActionLabel says in a few words
	// what the action key does. Text is paragraphs separated by blank
	// lines; a line indented by two spaces is shown as it is.
	Title, Text, ActionLabel string
}

// Course is the walkthrough in one language.
type Course struct {
	// Lang is the language's code (en, id); Name its name in itself.
	Lang, Name string
	Steps      []Step
	// Texts are the language's words for everything else on the screen.
	Texts *Texts
}

// Index returns the index of the step called id, or -1.
func (c *Course) Index(id string) int {
	for i, s := range c.Steps {
		if s.ID == id {
			return i
		}
	}
	return -1
}

// courseFile is course.yaml.
type courseFile struct {
	Steps []struct {
		ID      string `yaml:"id"`
		Prepare string `yaml:"prepare"`
		Show    string `yaml:"show"`
		Action  string `yaml:"action"`
		Check   string `yaml:"check"`
	} `yaml:"steps"`
}

// langFile is LANG.yaml.
type langFile struct {
	Language string `yaml:"language"`
	// Decimal is the decimal separator of numbers ("." or ",").
	Decimal  string               `yaml:"decimal"`
	Messages map[string]string    `yaml:"messages"`
	Steps    map[string]stepTexts `yaml:"steps"`
}

type stepTexts struct {
	Title  string `yaml:"title"`
	Action string `yaml:"action"`
	Text   string `yaml:"text"`
}

// decodeStrict decodes YAML, refusing unknown keys.
func decodeStrict(name string, data []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// Load reads the course in language lang from the built-in walkthrough.
func Load(lang string) (*Course, error) { return LoadFS(assets.Learn, lang) }

// LoadFS reads the course in language lang from fsys (course.yaml and
// LANG.yaml). It fails when the language lacks a step or a text, or has
// one the course does not know.
func LoadFS(fsys fs.FS, lang string) (*Course, error) {
	data, err := fs.ReadFile(fsys, "course.yaml")
	if err != nil {
		return nil, fmt.Errorf("walkthrough: %w", err)
	}
	var cf courseFile
	if err := decodeStrict("course.yaml", data, &cf); err != nil {
		return nil, fmt.Errorf("walkthrough: %w", err)
	}
	name := lang + ".yaml"
	data, err = fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("walkthrough: no language %q (%s): %w; the languages are %s", lang, name, err, strings.Join(Languages, ", "))
	}
	var lf langFile
	if err := decodeStrict(name, data, &lf); err != nil {
		return nil, fmt.Errorf("walkthrough: %w", err)
	}
	if lf.Decimal != "." && lf.Decimal != "," {
		return nil, fmt.Errorf("walkthrough: %s: decimal must be \".\" or \",\", not %q", name, lf.Decimal)
	}
	c := &Course{Lang: lang, Name: lf.Language, Texts: newTexts(lf.Messages, lf.Decimal)}
	seen := map[string]bool{}
	var problems []string
	for _, s := range cf.Steps {
		if seen[s.ID] {
			problems = append(problems, fmt.Sprintf("course.yaml names step %q twice", s.ID))
		}
		seen[s.ID] = true
		problems = append(problems, unknownParts(Step{ID: s.ID, Prepare: s.Prepare, Show: s.Show, Action: s.Action, Check: s.Check})...)
		t, ok := lf.Steps[s.ID]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s has no step %q", name, s.ID))
			continue
		}
		for _, key := range []string{"title", "action", "text"} {
			v := map[string]string{"title": t.Title, "action": t.Action, "text": t.Text}[key]
			if strings.TrimSpace(v) == "" {
				problems = append(problems, fmt.Sprintf("%s: step %s has no %s", name, s.ID, key))
			}
			for _, m := range placeholder.FindAllStringSubmatch(v, -1) {
				if !slices.Contains(VarNames, m[1]) {
					problems = append(problems, fmt.Sprintf("%s: step %s: its %s uses {%s}, which is no lab value", name, s.ID, key, m[1]))
				}
			}
		}
		c.Steps = append(c.Steps, Step{ID: s.ID, Prepare: s.Prepare, Show: s.Show, Action: s.Action, Check: s.Check,
			Title: strings.TrimSpace(t.Title), Text: strings.TrimRight(t.Text, "\n"), ActionLabel: strings.TrimSpace(t.Action)})
	}
	var extra []string
	for id := range lf.Steps {
		if !seen[id] {
			extra = append(extra, id)
		}
	}
	sort.Strings(extra)
	for _, id := range extra {
		problems = append(problems, fmt.Sprintf("%s has step %q, which course.yaml does not", name, id))
	}
	for _, p := range messageProblems(lf.Messages) {
		problems = append(problems, name+": "+p)
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("walkthrough in %s: %s", lang, strings.Join(problems, "; "))
	}
	return c, nil
}
