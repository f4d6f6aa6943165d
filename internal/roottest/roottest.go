// Package roottest is what halab's root-only integration tests share: the
// root requirement (skip, or fail when HALAB_REQUIRE_ROOT=1), a halab binary
// built once per test process, and running it.
package roottest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"
)

// Require skips t unless the test runs as root; with HALAB_REQUIRE_ROOT=1
// (set in CI) it fails instead, so root-only tests can never pass by being
// skipped.
func Require(t testing.TB) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv("HALAB_REQUIRE_ROOT") == "1" {
		t.Fatal("this test needs root and HALAB_REQUIRE_ROOT=1 is set: run the suite as root")
	}
	t.Skip("needs root (network namespaces); run as root, or set HALAB_REQUIRE_ROOT=1 to make this a failure")
}

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// Binary builds cmd/halab once per test process and returns its path
// ($HALAB_BINARY, when set, is used as it is).
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		if b := os.Getenv("HALAB_BINARY"); b != "" {
			binary = b
			return
		}
		_, here, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(here), "..", "..")
		dir, err := os.MkdirTemp("", "halab-test-bin-")
		if err != nil {
			buildErr = err
			return
		}
		// Readable by everyone: one test runs it as an unprivileged user.
		if err := os.Chmod(dir, 0o755); err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "halab")
		cmd := exec.Command("go", "build", "-o", binary, "./cmd/halab")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/halab: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binary
}

// Result is a finished halab run.
type Result struct {
	Stdout, Stderr string
	Code           int
}

// Run runs the halab binary with args (bounded to a minute) and returns
// what it printed and its exit status.
func Run(t testing.TB, args ...string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, Binary(t), args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := Result{Stdout: out.String(), Stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.Code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("halab %v: %v", args, err)
	}
	return r
}

// MustRun is Run that fails the test on a non-zero exit.
func MustRun(t testing.TB, args ...string) Result {
	t.Helper()
	r := Run(t, args...)
	if r.Code != 0 {
		t.Fatalf("halab %v: exit %d\nstdout:\n%s\nstderr:\n%s", args, r.Code, r.Stdout, r.Stderr)
	}
	return r
}

// LabName returns a lab name unique to this test process, so tests never
// touch a lab a person has running.
func LabName(prefix string) string {
	return fmt.Sprintf("%s%d", prefix, os.Getpid()%100000)
}
