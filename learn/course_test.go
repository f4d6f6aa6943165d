package learn

import (
	"io/fs"
	"maps"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/halab/halab/assets"
)

// TestLanguagesHaveTheSameSteps: every language has exactly the course's
// steps, each with a title, an action and a text, and every message the
// Go code uses (LoadFS refuses a language that lacks one).
func TestLanguagesHaveTheSameSteps(t *testing.T) {
	var ids [][]string
	for _, lang := range Languages {
		c, err := Load(lang)
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		var got []string
		for _, s := range c.Steps {
			got = append(got, s.ID)
			if s.Title == "" || s.Text == "" || s.ActionLabel == "" {
				t.Errorf("%s: step %s lacks a text", lang, s.ID)
			}
		}
		ids = append(ids, got)
		if len(got) != 10 {
			t.Errorf("%s: %d steps, want the tutorial's 10", lang, len(got))
		}
	}
	for i := 1; i < len(ids); i++ {
		if !slices.Equal(ids[0], ids[i]) {
			t.Errorf("%s has steps %v, %s has %v", Languages[0], ids[0], Languages[i], ids[i])
		}
	}
}

// TestLanguageFilesHaveTheSameKeys compares the language files key by key,
// as files: a message or a step one has and another lacks.
func TestLanguageFilesHaveTheSameKeys(t *testing.T) {
	keys := map[string][]string{}
	for _, lang := range Languages {
		data, err := fs.ReadFile(assets.Learn, lang+".yaml")
		if err != nil {
			t.Fatal(err)
		}
		var lf langFile
		if err := decodeStrict(lang, data, &lf); err != nil {
			t.Fatal(err)
		}
		var ks []string
		for k := range lf.Messages {
			ks = append(ks, "messages."+k)
		}
		for id := range lf.Steps {
			ks = append(ks, "steps."+id)
		}
		slices.Sort(ks)
		keys[lang] = ks
	}
	for _, lang := range Languages[1:] {
		if !slices.Equal(keys[Languages[0]], keys[lang]) {
			t.Errorf("%s and %s differ in keys:\n%v\n%v", Languages[0], lang, keys[Languages[0]], keys[lang])
		}
	}
}

// TestEveryPartIsUsed: each show, action, check and prepare registered is
// named by a step, and each step's names are registered.
func TestEveryPartIsUsed(t *testing.T) {
	c, err := Load(English)
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]map[string]bool{"prepare": {}, "show": {}, "action": {}, "check": {}}
	for _, s := range c.Steps {
		if bad := unknownParts(s); len(bad) > 0 {
			t.Error(bad)
		}
		used["prepare"][s.Prepare] = true
		used["show"][s.Show] = true
		used["action"][s.Action] = true
		used["check"][s.Check] = true
	}
	for kind, names := range Names() {
		for _, n := range names {
			if !used[kind][n] {
				t.Errorf("%s %q is registered but no step uses it", kind, n)
			}
		}
	}
}

// TestLoadRefusesIncompleteLanguages holds LoadFS to its word: a language
// without a step, with a step the course lacks, without a message, with a
// message nobody uses, or with a placeholder nothing fills is refused,
// saying which.
func TestLoadRefusesIncompleteLanguages(t *testing.T) {
	course := fsRead(t, "course.yaml")
	en := fsRead(t, "en.yaml")
	tests := []struct {
		name, edit, want string
	}{
		{"no step", cut(en, "  vip:\n", "  client:\n"), `has no step "vip"`},
		{"extra step", strings.Replace(en, "messages:\n", "  extra:\n    title: x\n    action: x\n    text: x\n\nmessages:\n", 1), `has step "extra", which course.yaml does not`},
		{"no message", lineCut(en, "  ui.key_quit:"), `no message "ui.key_quit"`},
		{"unused message", strings.Replace(en, "messages:\n", "messages:\n  ui.nothing: x\n", 1), `message "ui.nothing" is not one halab uses`},
		{"bad placeholder", strings.Replace(en, `ui.timer: "master down in {left}"`, `ui.timer: "master down in {lft}"`, 1), `uses {lft}`},
		{"bad step placeholder", strings.Replace(en, "title: Power off {master}", "title: Power off {mastr}", 1), `uses {mastr}`},
		{"no text", strings.Replace(en, "    action: curl -i the VIP from the client\n", "", 1), "step client has no action"},
		{"unknown key", strings.Replace(en, "decimal: \".\"\n", "decimal: \".\"\ncolour: red\n", 1), "colour"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.edit == en {
				t.Fatal("the edit changed nothing")
			}
			fsys := fstest.MapFS{"course.yaml": {Data: []byte(course)}, "en.yaml": {Data: []byte(tt.edit)}}
			_, err := LoadFS(fsys, English)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to say %s", err, tt.want)
			}
		})
	}
	if _, err := LoadFS(fstest.MapFS{"course.yaml": {Data: []byte(course)}, "en.yaml": {Data: []byte(en)}}, English); err != nil {
		t.Fatalf("the unedited file: %v", err)
	}
	bad := strings.Replace(course, "check: split-brain", "check: split-brian", 1)
	if _, err := LoadFS(fstest.MapFS{"course.yaml": {Data: []byte(bad)}, "en.yaml": {Data: []byte(en)}}, English); err == nil || !strings.Contains(err.Error(), `no check called "split-brian"`) {
		t.Fatalf("a course naming an unknown check: %v", err)
	}
	if _, err := Load("fr"); err == nil || !strings.Contains(err.Error(), "en, id") {
		t.Fatalf("an unknown language: %v", err)
	}
}

func fsRead(t *testing.T, name string) string {
	t.Helper()
	data, err := fs.ReadFile(assets.Learn, name)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// cut removes s from the line from up to the line to.
func cut(s, from, to string) string {
	i, j := strings.Index(s, from), strings.Index(s, to)
	if i < 0 || j < i {
		return s
	}
	return s[:i] + s[j:]
}

// lineCut removes the line that starts with prefix.
func lineCut(s, prefix string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestLangFromEnv(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{}, English},
		{map[string]string{"LANG": "id_ID.UTF-8"}, Indonesian},
		{map[string]string{"LANG": "en_US.UTF-8"}, English},
		{map[string]string{"LANG": "id"}, Indonesian},
		{map[string]string{"LC_ALL": "id_ID.UTF-8", "LANG": "en_US.UTF-8"}, Indonesian},
		{map[string]string{"LC_ALL": "C", "LANG": "id_ID.UTF-8"}, English},
		{map[string]string{"LC_MESSAGES": "id_ID", "LANG": "en_GB"}, Indonesian},
		{map[string]string{"LANG": "ido_XX"}, English},
	}
	for _, tt := range tests {
		if got := LangFromEnv(func(k string) string { return tt.env[k] }); got != tt.want {
			t.Errorf("%v: %s, want %s", tt.env, got, tt.want)
		}
	}
}

func TestTexts(t *testing.T) {
	en := newTexts(map[string]string{"a": "{x} and {vip} and {y}"}, ".").WithVars(map[string]string{"vip": "172.16.0.200", "x": "lab x"})
	id := newTexts(nil, ",")
	tests := []struct{ got, want string }{
		{en.T("a", "x", "one"), "one and 172.16.0.200 and {y}"},
		{en.T("missing"), "[missing]"},
		{en.Dur(3601562500), "3.60 s"},
		{id.Dur(3601562500), "3,60 s"},
		{id.Dur(1200000), "1,2 ms"},
		{en.Dur(12345000000), "12.3 s"},
		{en.Dur(1000000000), "1 s"},
		{en.Dur(300000000), "300 ms"},
		{id.Dur(301171000), "0,30 s"},
		{id.Pct(0.995), "99,5 %"},
		{en.Pct(1), "100 %"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%q, want %q", tt.got, tt.want)
		}
	}
	if got := slices.Sorted(maps.Keys(en.Vars())); !slices.Equal(got, []string{"vip", "x"}) {
		t.Errorf("vars %v", got)
	}
}
