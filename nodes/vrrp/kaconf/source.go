package kaconf

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// source is where configuration files come from.
type source interface {
	readFile(name string) ([]byte, error)
	glob(pattern string) ([]string, error)

	// resolve turns an include pattern into one for glob: relative patterns
	// are relative to the directory of the including file, as keepalived
	// reads them.
	resolve(including, pattern string) string
}

// osSource reads the operating system's files.
type osSource struct{}

func (osSource) readFile(name string) ([]byte, error) { return os.ReadFile(name) }

func (osSource) glob(pattern string) ([]string, error) { return filepath.Glob(pattern) }

func (osSource) resolve(including, pattern string) string {
	if filepath.IsAbs(pattern) {
		return pattern
	}
	return filepath.Join(filepath.Dir(including), pattern)
}

// fsSource reads an fs.FS. Absolute include patterns are resolved from its
// root, as if it were mounted at "/".
type fsSource struct{ fsys fs.FS }

func (s fsSource) readFile(name string) ([]byte, error) { return fs.ReadFile(s.fsys, name) }

func (s fsSource) glob(pattern string) ([]string, error) {
	if !fs.ValidPath(pattern) {
		return nil, fmt.Errorf("%q is outside the configuration file system", pattern)
	}
	return fs.Glob(s.fsys, pattern)
}

func (fsSource) resolve(including, pattern string) string {
	if strings.HasPrefix(pattern, "/") {
		if p := strings.TrimLeft(pattern, "/"); p != "" {
			return p
		}
		return "."
	}
	return path.Join(path.Dir(including), pattern)
}
