package lab

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/halab/halab/assets"
)

// DefaultLab is the lab `halab up` builds when given none: the tutorial's.
const DefaultLab = "seed"

// LoadBuiltin loads the built-in lab called name (see assets.LabNames).
func LoadBuiltin(name string) (*Lab, error) {
	data, err := fs.ReadFile(assets.Labs, name+".yaml")
	if err != nil {
		return nil, fmt.Errorf("no built-in lab %q; built-in labs are: %s", name, strings.Join(assets.LabNames(), ", "))
	}
	return Parse(name+".yaml (built-in)", data, assets.Labs)
}

// LoadFile loads and validates the lab file at path. Configuration files it
// names are read relative to its directory.
func LoadFile(path string) (*Lab, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read lab file: %w", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("lab file %s: %w", path, err)
	}
	return Parse(path, data, os.DirFS(filepath.Dir(abs)))
}

// Load loads a lab given as a file path or a built-in lab's name: a word
// without a slash or an extension that names a built-in lab is that lab;
// anything else is a file.
func Load(pathOrName string) (*Lab, error) {
	if pathOrName == "" {
		return LoadBuiltin(DefaultLab)
	}
	if !strings.ContainsAny(pathOrName, "/.") {
		for _, name := range assets.LabNames() {
			if name == pathOrName {
				return LoadBuiltin(name)
			}
		}
		if _, err := os.Stat(pathOrName); err != nil {
			return LoadBuiltin(pathOrName) // says which built-in labs there are
		}
	}
	return LoadFile(pathOrName)
}

// Parse validates a lab file's text. source names it in problems; fsys
// resolves the configuration files it names. Every problem found is
// returned at once in a *ValidationError, each at a line and column of
// data.
func Parse(source string, data []byte, fsys fs.FS) (*Lab, error) {
	ps := &problems{file: source}
	doc, yamlErrs := ParseYAML(source, data)
	if yamlErrs != nil {
		ps.list = yamlErrs
		return nil, ps.err()
	}
	if doc == nil {
		ps.add(1, 1, "the lab file is empty; `halab labs show seed` prints a complete example")
		return nil, ps.err()
	}
	at := positions{}
	walkSchema(doc, reflect.TypeOf(fileLab{}), "", at, ps)
	// Decoding goes on past values of the wrong type, and checking goes on
	// past unknown keys: every problem is reported in one pass.
	var raw fileLab
	if err := doc.Decode(&raw); err != nil {
		addDecodeError(ps, data, err)
	}
	l := build(&raw, at, ps, fsys)
	l.Source = source
	if err := ps.err(); err != nil {
		return nil, err
	}
	return l, nil
}

// addDecodeError adds the YAML library's decoding errors ("line 5: cannot
// unmarshal …") that the schema walk has not already reported on the same
// line with a precise column.
func addDecodeError(ps *problems, data []byte, err error) {
	reported := map[int]bool{}
	for _, p := range ps.list {
		reported[p.Line] = true
	}
	for _, p := range yamlProblems(ps.file, data, err) {
		if !reported[p.Line] {
			ps.list = append(ps.list, p)
		}
	}
}
