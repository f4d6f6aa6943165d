package kaconf

import (
	"fmt"
	"io/fs"
	"os"
)

// Parse parses src, the content of the keepalived.conf named name (used in
// diagnostics). An include line in it is an error: there is nothing to read
// it from (use ParseFS or ParseFile).
//
// Parse always returns a Config with every problem found in Warnings and
// Errors; the error is Config.Err(), nil when there are no errors.
func Parse(name string, src []byte) (*Config, error) {
	return parse(nil, name, src)
}

// ParseFS parses the keepalived.conf name in fsys. Include patterns are
// resolved against the directory of the including file, and absolute ones
// against the root of fsys. Results are as for [Parse]; only a main file
// that cannot be read returns a nil Config.
func ParseFS(fsys fs.FS, name string) (*Config, error) {
	src, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("reading keepalived configuration: %w", err)
	}
	return parse(fsSource{fsys}, name, src)
}

// ParseFile parses the keepalived.conf at path in the operating system's
// file system, as keepalived -f path would read it: include patterns
// relative to the including file's directory. Results are as for [ParseFS].
func ParseFile(path string) (*Config, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading keepalived configuration: %w", err)
	}
	return parse(osSource{}, path, src)
}

func parse(src source, name string, data []byte) (*Config, error) {
	diags := &diagnostics{}
	lx := &lexer{src: src, diags: diags}
	lx.lexFile(name, data, 0)
	p := newParser(lx.stmts, diags)
	p.parseRoot()
	p.complete()
	cfg := p.cfg
	cfg.Files = lx.files
	cfg.Warnings, cfg.Errors, cfg.all = diags.warnings, diags.errors, diags.all
	return cfg, cfg.Err()
}
