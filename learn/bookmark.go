package learn

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Bookmark is where a person left the walkthrough: the step they were on
// and how each step's check ended. It is kept in the user's state
// directory (BookmarkPath), not with the lab: it is the reader's place in
// the tutorial, which outlives `halab down` and a reboot (the lab's
// directory under /run does not), and every step's prepare rebuilds the
// lab state the step starts from, so a new lab resumes as well as the old.
type Bookmark struct {
	// Step is the id of the step on the screen.
	Step string `json:"step"`
	// Lang is the language last used.
	Lang string `json:"lang,omitempty"`
	// Checks holds each step's last check, by step id.
	Checks map[string]CheckMark `json:"checks,omitempty"`
	// Updated is when the bookmark was written.
	Updated time.Time `json:"updated"`
}

// CheckMark is how a step's check last ended.
type CheckMark struct {
	Pass bool      `json:"pass"`
	At   time.Time `json:"at"`
}

// BookmarkPath is the bookmark's file: $XDG_STATE_HOME/halab/learn.json,
// else ~/.local/state/halab/learn.json (the XDG base directory default).
// Under sudo that is root's home, as for every file sudo halab writes.
func BookmarkPath(getenv func(string) string) (string, error) {
	if d := getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "halab", "learn.json"), nil
	}
	home := getenv("HOME")
	if home == "" {
		var err error
		if home, err = os.UserHomeDir(); err != nil {
			return "", fmt.Errorf("where to keep the walkthrough's bookmark: %w", err)
		}
	}
	return filepath.Join(home, ".local", "state", "halab", "learn.json"), nil
}

// LoadBookmark reads the bookmark at path; a missing file is an empty
// bookmark (the walkthrough starts at its first step).
func LoadBookmark(path string) (*Bookmark, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &Bookmark{Checks: map[string]CheckMark{}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the walkthrough's bookmark: %w", err)
	}
	var b Bookmark
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("the walkthrough's bookmark %s is damaged (%v); remove it, or start again with --restart", path, err)
	}
	if b.Checks == nil {
		b.Checks = map[string]CheckMark{}
	}
	return &b, nil
}

// Save writes the bookmark to path atomically, creating its directory.
func (b *Bookmark) Save(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("save the walkthrough's bookmark: %w", err)
	}
	data, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return fmt.Errorf("save the walkthrough's bookmark: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("save the walkthrough's bookmark: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("save the walkthrough's bookmark: %w", err)
	}
	return nil
}
