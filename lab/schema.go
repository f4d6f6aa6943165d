package lab

import (
	"reflect"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The lab file as written. Decoding is lenient; the schema walk below reports
// unknown keys and wrong shapes with their line and column, all at once.
type fileLab struct {
	Name        string                 `yaml:"name"`
	Title       string                 `yaml:"title"`
	Description string                 `yaml:"description"`
	Provider    string                 `yaml:"provider"`
	Networks    map[string]fileNetwork `yaml:"networks"`
	VIP         fileVIP                `yaml:"vip"`
	Nodes       map[string]fileNode    `yaml:"nodes"`
	// SSH holds the defaults for every node of a provider: ssh lab.
	SSH *fileSSH `yaml:"ssh"`
}

type fileNetwork struct {
	Subnet string `yaml:"subnet"`
}

type fileVIP struct {
	Address string `yaml:"address"`
	Port    int    `yaml:"port"`
	Network string `yaml:"network"`
}

type fileNode struct {
	Role       string                   `yaml:"role"`
	Interfaces map[string]fileInterface `yaml:"interfaces"`
	Sysctl     map[string]string        `yaml:"sysctl"`
	Keepalived string                   `yaml:"keepalived"`
	HAProxy    string                   `yaml:"haproxy"`
	Probe      *fileProbe               `yaml:"probe"`
	Web        *fileWeb                 `yaml:"web"`
	SSH        *fileSSH                 `yaml:"ssh"`
	// Engine maps a component kind to the program that runs it: halab
	// (the default) or a real one (see Engines).
	Engine map[string]string `yaml:"engine"`
}

type fileInterface struct {
	Network string `yaml:"network"`
	Address string `yaml:"address"`
}

type fileProbe struct {
	Target  string `yaml:"target"`
	Rate    int    `yaml:"rate"`
	Timeout string `yaml:"timeout"`
}

type fileWeb struct {
	Listen []string `yaml:"listen"`
}

// pos is a place in the lab file.
type pos struct{ line, col int }

// positions maps a dotted path ("nodes.lb1.interfaces.enp0s9.address") to
// where its value stands, so that later checks can point at it.
type positions map[string]pos

// get returns the place of path, or of its nearest ancestor that has one.
func (p positions) get(path string) pos {
	for {
		if at, ok := p[path]; ok {
			return at
		}
		i := strings.LastIndexByte(path, '.')
		if i < 0 {
			return p[""]
		}
		path = path[:i]
	}
}

// walkSchema checks node against the shape of t, recording positions and
// reporting unknown keys and shape mismatches.
func walkSchema(node *yaml.Node, t reflect.Type, path string, at positions, ps *problems) {
	if node.Kind == yaml.DocumentNode && len(node.Content) > 0 {
		node = node.Content[0]
	}
	if node.Kind == yaml.AliasNode && node.Alias != nil {
		node = node.Alias
	}
	at[path] = pos{node.Line, node.Column}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if node.Kind == yaml.ScalarNode && node.Tag == "!!null" {
		return
	}
	where := path
	if where == "" {
		where = "the lab file"
	}
	switch t.Kind() {
	case reflect.Struct:
		if node.Kind != yaml.MappingNode {
			ps.add(node.Line, node.Column, "%s: want a mapping of keys, got %s", where, describe(node))
			return
		}
		fields := map[string]reflect.Type{}
		var known []string
		for i := 0; i < t.NumField(); i++ {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
			fields[name] = t.Field(i).Type
			known = append(known, name)
		}
		sort.Strings(known)
		for i := 0; i+1 < len(node.Content); i += 2 {
			k, v := node.Content[i], node.Content[i+1]
			ft, ok := fields[k.Value]
			if !ok {
				ps.add(k.Line, k.Column, "unknown key %q in %s; known keys: %s", k.Value, where, strings.Join(known, ", "))
				continue
			}
			walkSchema(v, ft, join(path, k.Value), at, ps)
		}
	case reflect.Map:
		if node.Kind != yaml.MappingNode {
			ps.add(node.Line, node.Column, "%s: want a mapping of names, got %s", where, describe(node))
			return
		}
		for i := 0; i+1 < len(node.Content); i += 2 {
			k, v := node.Content[i], node.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				ps.add(k.Line, k.Column, "%s: want a name as the key, got %s", where, describe(k))
				continue
			}
			at[join(path, k.Value)+"#key"] = pos{k.Line, k.Column}
			walkSchema(v, t.Elem(), join(path, k.Value), at, ps)
		}
	case reflect.Slice:
		if node.Kind != yaml.SequenceNode {
			ps.add(node.Line, node.Column, "%s: want a list, got %s", where, describe(node))
			return
		}
		for i, item := range node.Content {
			walkSchema(item, t.Elem(), join(path, strconv.Itoa(i)), at, ps)
		}
	case reflect.Int:
		var n int
		if node.Kind != yaml.ScalarNode || node.Decode(&n) != nil {
			ps.add(node.Line, node.Column, "%s: want a whole number, got %s", where, describe(node))
		}
	default:
		if node.Kind != yaml.ScalarNode {
			ps.add(node.Line, node.Column, "%s: want a single value, got %s", where, describe(node))
		}
	}
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	default:
		return "the value " + quoteShort(n.Value)
	}
}

func quoteShort(s string) string {
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return `"` + s + `"`
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
