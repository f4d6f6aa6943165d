// Package assets holds what halab ships inside its binary: the built-in labs
// and the configuration files they name, the built-in drills, and the
// walkthrough of `halab learn` in each of its languages.
package assets

import (
	"embed"
	"io/fs"
	"path"
	"sort"
	"strings"
)

//go:embed labs
var files embed.FS

// Labs is the file system of built-in labs, rooted at the labs directory:
// NAME.yaml files and the configuration files they name, relative to it.
var Labs fs.FS = mustSub(files, "labs")

//go:embed drills
var drillFiles embed.FS

// Drills is the file system of built-in drills (scenarios), rooted at the
// drills directory: one NAME.yaml file per drill.
var Drills fs.FS = mustSub(drillFiles, "drills")

//go:embed learn
var learnFiles embed.FS

// Learn is the file system of the walkthrough (`halab learn`), rooted at
// the learn directory: course.yaml names the steps in order and what each
// does; LANG.yaml (en.yaml, id.yaml) holds every text of one language.
var Learn fs.FS = mustSub(learnFiles, "learn")

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // the directory is embedded above: unreachable
	}
	return sub
}

// LabNames lists the built-in labs, sorted.
func LabNames() []string { return yamlNames(Labs) }

// DrillNames lists the built-in drills, sorted.
func DrillNames() []string { return yamlNames(Drills) }

// yamlNames lists the NAME.yaml files at the top of fsys by NAME, sorted.
func yamlNames(fsys fs.FS) []string {
	entries, _ := fs.ReadDir(fsys, ".")
	var names []string
	for _, e := range entries {
		if !e.IsDir() && path.Ext(e.Name()) == ".yaml" {
			names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
		}
	}
	sort.Strings(names)
	return names
}
