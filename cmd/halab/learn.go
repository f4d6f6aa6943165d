package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/halab/halab/assets"
	"github.com/halab/halab/lab"
	"github.com/halab/halab/lab/netns"
	"github.com/halab/halab/learn"
	"github.com/halab/halab/learn/live"
	"github.com/halab/halab/ui/learnview"
)

func newLearnCommand() *cobra.Command {
	var lang, name string
	var restart bool
	cmd := &cobra.Command{
		Use:   "learn [--lang en|id] [--lab NAME]",
		Short: "Follow the tutorial step by step on a live lab, in English or Bahasa Indonesia",
		Long: `learn walks through the tutorial halab grew from, "High Availability dengan
HAProxy dan Keepalived" (2021), on a running lab: the topology, the web
server, the proxy, keepalived.conf line by line, the VIP, a failover, its
preemption, track_script, tuning and split brain. Each step explains, shows
the lab's real configuration and command output, does one thing on a key
(Enter) and checks that what should happen did, with ✓ or ✗ and what was
seen.

With no lab up it builds the seed lab; with one up that is like the
tutorial's (a client, two load balancers sharing a VIP, a web server) it
uses that one. The language follows LC_ALL, LC_MESSAGES or LANG (id_*:
Bahasa Indonesia) unless --lang says. Where you left off is kept in
$XDG_STATE_HOME/halab/learn.json (~/.local/state/halab/learn.json), so
learn starts there next time; --restart starts from the first step.`,
		Example: `  sudo halab learn                  # builds the seed lab if none is up
  sudo halab learn --lang id        # dalam Bahasa Indonesia
  sudo halab learn --lab fast       # on the fast lab (built if not up)`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if lang == "" {
				lang = learn.LangFromEnv(os.Getenv)
			}
			course, err := learn.Load(lang)
			if err != nil {
				return err
			}
			if !isTerminal() {
				return errors.New("halab learn needs a terminal; the dashboard's `halab ui --snapshot` and `halab drill run` work without one")
			}
			if err := netns.CheckPrivileges(); err != nil {
				return err
			}
			path, err := learn.BookmarkPath(os.Getenv)
			if err != nil {
				return err
			}
			bookmark := &learn.Bookmark{Checks: map[string]learn.CheckMark{}}
			if !restart {
				if bookmark, err = learn.LoadBookmark(path); err != nil {
					return err
				}
			}
			ctx, stop := signalContext(cmd.Context())
			defer stop()
			st, err := learnLab(ctx, name)
			if err != nil {
				return err
			}
			self, err := os.Executable()
			if err != nil {
				return fmt.Errorf("find the halab binary for halab exec: %w", err)
			}
			l, err := live.Open(st.Name, self)
			if err != nil {
				return err
			}
			defer l.Close()
			env, err := learn.NewEnv(l, course, nil)
			if err != nil {
				return err
			}
			b, err := learnview.Run(ctx, course, env, newLabBackend(st, l.Access()), learnview.Options{Bookmark: bookmark, BookmarkPath: path})
			if err != nil {
				return fmt.Errorf("halab learn: %w", err)
			}
			if i := course.Index(b.Step); i >= 0 {
				fmt.Fprintf(os.Stderr, "halab learn: left at step %d of %d; `sudo halab learn` resumes there (kept in %s)\n", i+1, len(course.Steps), path)
			}
			fmt.Fprintf(os.Stderr, "lab %s is still up: `sudo halab down --lab %s` removes it\n", st.Name, st.Name)
			return nil
		},
	}
	cmd.Flags().StringVar(&lang, "lang", "", "language: en (English) or id (Bahasa Indonesia); default from LC_ALL/LANG")
	cmd.Flags().StringVar(&name, "lab", "", "the lab to learn on: used when up, else built (a built-in lab's name builds it, any other name builds the seed lab under it)")
	cmd.Flags().BoolVar(&restart, "restart", false, "start again from the first step")
	return cmd
}

// learnLab is the lab to learn on: the one called name when it is up, or
// the only lab up like the tutorial's (the one called seed among
// several); else it builds one — the built-in lab called name, or the
// seed lab (under name, when given).
func learnLab(ctx context.Context, name string) (*lab.State, error) {
	if name != "" {
		st, err := lab.LoadState(name)
		switch {
		case errors.Is(err, lab.ErrNoLab):
			return buildForLearning(ctx, name)
		case err != nil:
			return nil, err
		case st.Lab == nil:
			return nil, fmt.Errorf("lab %s: its state has no lab model", name)
		}
		if _, err := learn.RolesOf(st.Lab); err != nil {
			return nil, err
		}
		return st, nil
	}
	var like []*lab.State
	for _, n := range lab.Running() {
		st, err := lab.LoadState(n)
		if err != nil || st.Lab == nil || st.Phase != lab.PhaseUp {
			continue
		}
		if _, err := learn.RolesOf(st.Lab); err == nil {
			like = append(like, st)
		}
	}
	switch {
	case len(like) == 1:
		return like[0], nil
	case len(like) > 1:
		if i := slices.IndexFunc(like, func(st *lab.State) bool { return st.Name == lab.DefaultLab }); i >= 0 {
			return like[i], nil
		}
		var names []string
		for _, st := range like {
			names = append(names, st.Name)
		}
		return nil, fmt.Errorf("%d labs like the tutorial's are up (%s); choose one with --lab NAME", len(like), strings.Join(names, ", "))
	}
	if _, err := lab.LoadState(lab.DefaultLab); err == nil {
		return nil, fmt.Errorf("lab %s is up but is not like the tutorial's; `sudo halab learn --lab NAME` builds one beside it", lab.DefaultLab)
	}
	return buildForLearning(ctx, "")
}

// buildForLearning builds the built-in lab called name, or the seed lab
// (under name when given), saying each step as `halab up` does.
func buildForLearning(ctx context.Context, name string) (*lab.State, error) {
	builtin := lab.DefaultLab
	if slices.Contains(assets.LabNames(), name) {
		builtin = name
	}
	l, err := lab.LoadBuiltin(builtin)
	if err != nil {
		return nil, err
	}
	if name != "" && name != l.Name {
		if err := renameLab(l, name); err != nil {
			return nil, err
		}
	}
	if _, err := learn.RolesOf(l); err != nil {
		return nil, err
	}
	p, err := providerFor("", l, providerOptions{})
	if err != nil {
		return nil, err
	}
	start := time.Now()
	fmt.Fprintf(os.Stderr, "no lab like the tutorial's is up: building lab %s (%s)\n", l.Name, l.Source)
	st, err := p.Up(ctx, l, func(s lab.Step) { fmt.Fprintf(os.Stderr, "  %s\n", s) })
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "lab %s is up in %s\n", l.Name, time.Since(start).Round(time.Millisecond))
	return st, nil
}
