package keymap

import "charm.land/bubbles/v2/key"

// Home is every binding of the lab manager (ui/home): the list of labs, the
// start and remove dialogs, and the screen that shows a build.
type Home struct {
	// The list: move within it and between its sections.
	Up, Down, NextSection, PrevSection, Top, Bottom key.Binding
	// Open does what the selection is for: start a lab, attach to a
	// running one.
	Open key.Binding
	// Start builds the selected lab (the provider is chosen next).
	Start key.Binding
	// Attach opens the dashboard on the selected running lab.
	Attach key.Binding
	// Remove stops and removes the selected running lab, after a confirm.
	Remove key.Binding
	// Refresh reads the lab files and the running labs again.
	Refresh key.Binding
	Help    key.Binding
	Quit    key.Binding
	// ForceQuit leaves at once; a build in progress is cancelled.
	ForceQuit key.Binding

	// In dialogs.
	Choose, Cancel, Yes, No key.Binding
	// On the build screen.
	Back, Retry, Abort key.Binding
}

// DefaultHome returns the lab manager's key bindings.
func DefaultHome() *Home {
	b := func(keys []string, k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
	}
	return &Home{
		Up:          b([]string{"up", "k"}, "↑/k", "up"),
		Down:        b([]string{"down", "j"}, "↓/j", "down"),
		NextSection: b([]string{"tab"}, "tab", "next section"),
		PrevSection: b([]string{"shift+tab"}, "shift+tab", "previous section"),
		Top:         b([]string{"home", "g"}, "home/g", "first"),
		Bottom:      b([]string{"end", "G"}, "end/G", "last"),
		Open:        b([]string{"enter"}, "enter", "start or attach"),
		Start:       b([]string{"s"}, "s", "start…"),
		Attach:      b([]string{"a"}, "a", "attach"),
		Remove:      b([]string{"d", "x", "delete"}, "d", "stop & remove…"),
		Refresh:     b([]string{"r", "ctrl+r"}, "r", "re-read labs"),
		Help:        b([]string{"?"}, "?", "all keys"),
		Quit:        b([]string{"q"}, "q", "quit"),
		ForceQuit:   b([]string{"ctrl+c"}, "ctrl+c", "quit now (cancels a build)"),

		Choose: b([]string{"enter", "space"}, "enter", "choose"),
		Cancel: b([]string{"esc", "q"}, "esc", "cancel"),
		Yes:    b([]string{"y", "Y"}, "y", "yes"),
		No:     b([]string{"n", "N", "esc", "q"}, "n/esc", "no"),

		Back:  b([]string{"esc", "backspace", "b"}, "esc", "back to labs"),
		Retry: b([]string{"r"}, "r", "try again"),
		Abort: b([]string{"esc", "q"}, "esc", "cancel the build…"),
	}
}

// ShortHelp is the list's help line (help.KeyMap); ui/home shows a line
// that fits the selection instead.
func (k *Home) ShortHelp() []key.Binding {
	return []key.Binding{k.Open, k.Start, k.Attach, k.Remove, k.Help, k.Quit}
}

// FullHelp is the full help's columns (help.KeyMap).
func (k *Home) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.NextSection, k.PrevSection, k.Top, k.Bottom},
		{k.Open, k.Start, k.Attach, k.Remove, k.Refresh},
		{k.Back, k.Retry, k.Abort, k.Help, k.Quit, k.ForceQuit},
	}
}
