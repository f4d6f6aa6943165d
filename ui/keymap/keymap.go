// Package keymap holds the dashboard's one set of key bindings. The help
// line and the full help (?) are generated from it, so every key the
// dashboard answers is discoverable.
package keymap

import (
	"slices"

	"charm.land/bubbles/v2/key"
)

// KeyMap is every binding of the dashboard.
type KeyMap struct {
	// Nodes: select the node the fault menu acts on.
	NextNode, PrevNode, NodeByNumber key.Binding
	// Faults opens the fault menu for the selected node.
	Faults key.Binding
	// Drills opens the drill menu, or shows the running drill's pane;
	// StopDrill stops the running drill (its faults are undone); HideDrill
	// hides the drill pane (the drill keeps running). EnableDrills(false)
	// hides all three when the dashboard has no drills.
	Drills, StopDrill, HideDrill key.Binding
	// Event log.
	ScrollUp, ScrollDown, PageUp, PageDown, Top, Bottom key.Binding
	Filter, ClearFilter                                 key.Binding
	// short is the help line's bindings, with terser words.
	short []key.Binding
	// Save writes a text snapshot of the screen; Export the timeline as SVG.
	Save, Export key.Binding
	// Refresh asks every component for its status again.
	Refresh key.Binding
	Help    key.Binding
	Quit    key.Binding
	// ForceQuit leaves at once, keeping the lab running.
	ForceQuit key.Binding

	// In menus and dialogs.
	Up, Down, Less, More, Select, Cancel key.Binding
	// Keep, Teardown and Stay answer the quit question.
	Keep, Teardown, Stay key.Binding
}

// DefaultKeyMap returns the dashboard's key bindings.
func DefaultKeyMap() *KeyMap {
	b := func(keys []string, k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
	}
	k := &KeyMap{
		NextNode:     b([]string{"tab", "right", "l"}, "tab/→", "next node"),
		PrevNode:     b([]string{"shift+tab", "left", "h"}, "shift+tab/←", "previous node"),
		NodeByNumber: b([]string{"1", "2", "3", "4", "5", "6", "7", "8", "9"}, "1-9", "select node N"),
		Faults:       b([]string{"f"}, "f", "faults"),
		Drills:       b([]string{"d"}, "d", "drill menu"),
		StopDrill:    b([]string{"x"}, "x", "stop the drill"),
		HideDrill:    b([]string{"esc"}, "esc", "hide the drill pane"),
		ScrollUp:     b([]string{"up", "k"}, "↑/k", "log: older"),
		ScrollDown:   b([]string{"down", "j"}, "↓/j", "log: newer"),
		PageUp:       b([]string{"pgup", "ctrl+b"}, "pgup", "log: page older"),
		PageDown:     b([]string{"pgdown", "ctrl+f"}, "pgdn", "log: page newer"),
		Top:          b([]string{"home", "g"}, "home/g", "log: oldest"),
		Bottom:       b([]string{"end", "G"}, "end/G", "log: follow newest"),
		Filter:       b([]string{"/", "n"}, "/", "filter log"),
		ClearFilter:  b([]string{"esc"}, "esc", "log: all nodes"),
		Save:         b([]string{"s"}, "s", "save screen"),
		Export:       b([]string{"e"}, "e", "export timeline SVG"),
		Refresh:      b([]string{"r"}, "r", "re-read statuses"),
		Help:         b([]string{"?"}, "?", "all keys"),
		Quit:         b([]string{"q"}, "q", "quit…"),
		ForceQuit:    b([]string{"ctrl+c"}, "ctrl+c", "quit, lab keeps running"),

		Up:       b([]string{"up", "k", "shift+tab"}, "↑/k", "up"),
		Down:     b([]string{"down", "j", "tab"}, "↓/j", "down"),
		Less:     b([]string{"left", "h", "-"}, "←/-", "less loss"),
		More:     b([]string{"right", "l", "+"}, "→/+", "more loss"),
		Select:   b([]string{"enter", "space"}, "enter", "apply"),
		Cancel:   b([]string{"esc", "q", "f"}, "esc", "close"),
		Keep:     b([]string{"k", "enter", "y", "q"}, "k/enter", "quit, keep the lab running"),
		Teardown: b([]string{"d", "t"}, "d", "quit and tear the lab down"),
		Stay:     b([]string{"esc", "n"}, "esc", "stay"),
	}
	k.short = []key.Binding{
		b([]string{"tab"}, "tab/1-9", "node"), b([]string{"f"}, "f", "faults"), b([]string{"d"}, "d", "drills"),
		b([]string{"/"}, "/", "filter log"), b([]string{"pgup"}, "pgup/pgdn", "scroll"),
		b([]string{"s"}, "s", "save"), b([]string{"?"}, "?", "help"), b([]string{"q"}, "q", "quit"),
	}
	return k
}

// Clone is a copy of the key map that can be changed alone.
func (k *KeyMap) Clone() *KeyMap {
	c := *k
	c.short = slices.Clone(k.short)
	return &c
}

// EnableDrills shows or hides the drill keys (d, x, esc on the pane) in
// the help and in matching.
func (k *KeyMap) EnableDrills(on bool) {
	k.Drills.SetEnabled(on)
	k.StopDrill.SetEnabled(on)
	k.HideDrill.SetEnabled(on)
	for i := range k.short {
		if k.short[i].Help().Key == k.Drills.Help().Key {
			k.short[i].SetEnabled(on)
		}
	}
}

// ShortHelp is the help line's bindings (help.KeyMap).
func (k *KeyMap) ShortHelp() []key.Binding {
	return k.short
}

// FullHelp is the full help's columns (help.KeyMap).
func (k *KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.NextNode, k.PrevNode, k.NodeByNumber, k.Faults, k.Drills, k.StopDrill},
		{k.ScrollUp, k.ScrollDown, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Filter, k.ClearFilter},
		{k.Save, k.Export, k.Refresh, k.Help, k.Quit, k.ForceQuit},
	}
}
