package lab

import (
	"strings"
	"testing"
)

func TestParseYAMLPlacesProblems(t *testing.T) {
	tests := []struct {
		name, src string
		want      string // "line:col: message start", or "" for no problem
	}{
		{"syntax error, indented line", "name: t\n  steps: [x\n", "2:3: mapping values are not allowed"},
		{"syntax error on the first line", "a: [", "1:1: did not find expected node content"},
		{"blank line named", "a: b\n\n  c: [\n", "3:3: mapping values are not allowed"},
		{"control character", "name: t\ntitle: ab\x01\n", "2:10: control characters are not allowed"},
		{"invalid UTF-8", "name: t\n  x: \xff\n", "2:6: invalid leading UTF-8 octet"},
		{"after a multibyte character", "é: \x02\n", "1:4: control characters are not allowed"},
		{"CR ends a line", "a: 1\rname: t\r  steps: [x\r", "3:3: mapping values are not allowed"},
		{"UTF-16", "\xff\xfen\x00", "1:1: the file is UTF-16 text; save it as UTF-8"},
		{"good", "a: 1\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, ps := ParseYAML("f.yaml", []byte(tt.src))
			if tt.want == "" {
				if ps != nil || doc == nil {
					t.Fatalf("doc %v, problems %v", doc, ps)
				}
				return
			}
			if doc != nil || len(ps) != 1 {
				t.Fatalf("doc %v, problems %v; want one problem", doc, ps)
			}
			if got := strings.TrimPrefix(ps[0].String(), "f.yaml:"); !strings.HasPrefix(got, tt.want) {
				t.Fatalf("problem %q, want it to start with %q", got, tt.want)
			}
		})
	}
}

func TestParseYAMLEmptyDocumentsAndEndOfInput(t *testing.T) {
	for _, src := range []string{"", "# only a comment\n", "---", "--- \n...\n", "\n\n"} {
		if doc, ps := ParseYAML("f.yaml", []byte(src)); doc != nil || ps != nil {
			t.Errorf("%q: doc %+v, problems %v; want neither", src, doc, ps)
		}
	}
	// an empty value after a last line without a line break stays on it
	doc, ps := ParseYAML("f.yaml", []byte("a: 1\nb: &x"))
	if ps != nil {
		t.Fatal(ps)
	}
	if v := doc.Content[3]; v.Line != 2 || v.Column < 1 {
		t.Fatalf("value of b at %d:%d, want line 2", v.Line, v.Column)
	}
	if _, err := Parse("f.yaml", []byte("---"), nil); err == nil || !strings.Contains(err.Error(), "f.yaml:1:1: the lab file is empty") {
		t.Fatalf("a bare --- gives %v", err)
	}
}
