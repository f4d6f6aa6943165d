// Package fuzzseed finds seed inputs for halab's fuzz targets that live
// outside the package under test: the shipped assets, and the shared/
// folder of real keepalived captures and configurations that sits beside a
// developer's checkout but not beside CI's clean clone. Seeds that must
// always be there are committed as testdata/fuzz corpus files or come from
// assets; the shared ones are extra and skipped silently when absent.
package fuzzseed

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
)

// SharedDir returns the shared/ folder: $HALAB_SHARED when set, else
// shared/ beside the repository's root (for a git worktree, beside the
// main checkout's root as well). It returns "" when there is none.
func SharedDir() string {
	if d := os.Getenv("HALAB_SHARED"); d != "" {
		if isDir(d) {
			return d
		}
		return ""
	}
	for _, root := range repoRoots() {
		if d := filepath.Join(root, "..", "shared"); isDir(d) {
			return filepath.Clean(d)
		}
	}
	return ""
}

// repoRoots returns the root of the checkout holding this file and, when
// that checkout is a git worktree, the root of the main checkout.
func repoRoots() []string {
	_, here, _, ok := runtime.Caller(0)
	if !ok {
		return nil
	}
	root := filepath.Join(filepath.Dir(here), "..", "..")
	roots := []string{root}
	// A worktree's .git is a file "gitdir: <main>/.git/worktrees/<name>".
	b, err := os.ReadFile(filepath.Join(root, ".git"))
	if err != nil {
		return roots
	}
	gitdir, ok := strings.CutPrefix(strings.TrimSpace(string(b)), "gitdir: ")
	if !ok {
		return roots
	}
	if !filepath.IsAbs(gitdir) {
		gitdir = filepath.Join(root, gitdir)
	}
	common := filepath.Dir(filepath.Dir(gitdir)) // <main>/.git
	if filepath.Base(common) == ".git" {
		roots = append(roots, filepath.Dir(common))
	}
	return roots
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// Shared returns the contents of the files of the shared folder matching
// pattern (a filepath.Match pattern relative to the folder, such as
// "testdata/keepalived/*.conf"), sorted by name; none when the folder is
// absent. A file that matches but cannot be read fails tb.
func Shared(tb testing.TB, pattern string) [][]byte {
	tb.Helper()
	dir := SharedDir()
	if dir == "" {
		return nil
	}
	return Files(tb, os.DirFS(dir), pattern)
}

// Files returns the contents of the files of fsys matching pattern (an
// fs.Glob pattern), sorted by name. A bad pattern or an unreadable file
// fails tb.
func Files(tb testing.TB, fsys fs.FS, pattern string) [][]byte {
	tb.Helper()
	names, err := fs.Glob(fsys, pattern)
	if err != nil {
		tb.Fatalf("seed pattern %q: %v", pattern, err)
	}
	sort.Strings(names)
	out := make([][]byte, 0, len(names))
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			tb.Fatalf("seed %s: %v", name, err)
		}
		out = append(out, data)
	}
	return out
}

// YAMLLines counts the lines of data as YAML does: CR, LF, CRLF, NEL, LS
// and PS each end one. Fuzz targets use it to check that a reported line
// lies inside their input.
func YAMLLines(data []byte) int {
	s := strings.ReplaceAll(string(data), "\r\n", "\n")
	n := 1
	for _, r := range s {
		switch r {
		case '\r', '\n', '\u0085', '\u2028', '\u2029':
			n++
		}
	}
	return n
}
