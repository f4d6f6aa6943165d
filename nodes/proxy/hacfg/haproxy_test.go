package hacfg

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/halab/halab/assets"
	"github.com/halab/halab/internal/fuzzseed"
)

// haproxyPath finds the real HAProxy, skipping the test when it is missing
// unless HALAB_REQUIRE_ROOT=1 (CI), where a missing reference is a failure.
func haproxyPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("haproxy")
	if err != nil {
		if os.Getenv("HALAB_REQUIRE_ROOT") == "1" {
			t.Fatalf("haproxy is not installed (HALAB_REQUIRE_ROOT=1): %v", err)
		}
		t.Skip("haproxy is not installed")
	}
	return p
}

// haproxyCheck runs `haproxy -c -f file` and returns its exit code and output.
func haproxyCheck(t *testing.T, bin, file string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "-c", "-f", file).CombinedOutput()
	if err == nil {
		return 0, string(out)
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), string(out)
	}
	t.Fatalf("run haproxy -c: %v", err)
	return -1, ""
}

// TestTestdataAgainstRealHAProxy checks that the configurations halab
// accepts are valid for HAProxy 2.6 too, and that those it rejects are
// rejected by HAProxy as well (each invalid file names, in its first line,
// the error halab must report).
func TestTestdataAgainstRealHAProxy(t *testing.T) {
	bin := haproxyPath(t)
	valid, _ := filepath.Glob("testdata/*.cfg")
	for _, f := range valid {
		t.Run(filepath.Base(f), func(t *testing.T) {
			if _, _, err := ParseFile(f); err != nil {
				t.Errorf("halab rejects it: %v", err)
			}
			if code, out := haproxyCheck(t, bin, f); code != 0 {
				t.Errorf("haproxy -c exit %d:\n%s", code, out)
			}
		})
	}
	invalid, _ := filepath.Glob("testdata/invalid/*.cfg")
	if len(invalid) == 0 {
		t.Fatal("no invalid configurations in testdata/invalid")
	}
	for _, f := range invalid {
		t.Run("invalid/"+filepath.Base(f), func(t *testing.T) {
			want := expectedError(t, f)
			_, _, err := ParseFile(f)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("halab: err = %v, want it to contain %q", err, want)
			}
			if code, out := haproxyCheck(t, bin, f); code == 0 {
				t.Errorf("haproxy -c accepts it:\n%s", out)
			}
		})
	}
}

// expectedError reads the "# halab: <message>" first line.
func expectedError(t *testing.T, file string) string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if !sc.Scan() || !strings.HasPrefix(sc.Text(), "# halab: ") {
		t.Fatalf("%s: first line must be '# halab: <expected error>'", file)
	}
	return strings.TrimPrefix(sc.Text(), "# halab: ")
}

// FuzzParseConfig feeds haproxy.cfg texts to the parser. It must never
// panic and always return a Config; every diagnostic must fall on a line
// of the input and every error name one (HAProxy's "[ALERT] parsing
// [file:line]"); the error returned must be an *InvalidError listing
// exactly the error diagnostics; two parses must say the same things; and
// in an accepted configuration every backend a frontend names must exist,
// since the proxy resolves them at start. Seeds: testdata (valid and
// invalid) and the built-in labs' haproxy.cfg files.
func FuzzParseConfig(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.cfg")
	more, _ := filepath.Glob("testdata/invalid/*.cfg")
	for _, name := range append(files, more...) {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	labCfgs := fuzzseed.Files(f, assets.Labs, "*/haproxy.cfg")
	if len(labCfgs) == 0 {
		f.Fatal("no haproxy.cfg among the built-in labs")
	}
	for _, data := range labCfgs {
		f.Add(data)
	}
	f.Add([]byte("frontend f\n bind :80\n use_backend b if { path_beg /x } || !{ src 10.0.0.0/8 }\nbackend b\n"))
	f.Add([]byte("defaults x from y\nlisten l from x\n acl a hdr(host) -m beg -i \"a b\" \\x41\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := strings.Count(string(data), "\n") + 1
		cfg, diags, err := Parse("fuzz.cfg", data)
		if cfg == nil {
			t.Fatalf("nil config (err %v)", err)
		}
		var errs []Diagnostic
		for _, d := range diags {
			if d.Line < 0 || d.Line > lines || d.File != "fuzz.cfg" || d.Message == "" {
				t.Fatalf("diagnostic at line %d of a %d-line input: %s", d.Line, lines, d)
			}
			if d.Severity == Error {
				if d.Line == 0 {
					t.Fatalf("error without a line: %s", d)
				}
				errs = append(errs, d)
			}
		}
		var inv *InvalidError
		switch {
		case (err != nil) != hasErrors(diags):
			t.Fatalf("err = %v but HasErrors = %v", err, hasErrors(diags))
		case err != nil && (!errors.As(err, &inv) || !slices.Equal(inv.Errors, errs)):
			t.Fatalf("err %v does not list the %d error diagnostics", err, len(errs))
		}
		_, again, _ := Parse("fuzz.cfg", data)
		if !slices.Equal(diags, again) {
			t.Fatalf("two parses disagree:\n%v\n%v", diags, again)
		}
		if err != nil {
			return
		}
		for _, px := range cfg.Frontends() {
			if px.DefaultBackend != "" && cfg.Backend(px.DefaultBackend) == nil {
				t.Fatalf("accepted default_backend %q that does not exist", px.DefaultBackend)
			}
			for _, r := range px.Rules {
				if cfg.Backend(r.Backend) == nil {
					t.Fatalf("accepted use_backend %q that does not exist", r.Backend)
				}
			}
		}
	})
}
