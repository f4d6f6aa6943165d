package common

import (
	"context"

	tea "charm.land/bubbletea/v2"
)

// JobQueue is how many reports of a job wait for the screen before the
// job's goroutine blocks.
const JobQueue = 256

// Job is a long task a screen runs off its goroutine (a drill, a learn
// step): a command runs it, it sends its reports on a channel, and
// another command reads the channel one message at a time, re-armed after
// each with Next. The task never touches the model.
type Job struct {
	life   context.Context
	ch     chan tea.Msg
	cancel context.CancelFunc
	done   chan struct{}
}

// StartJob makes a job of run, bounded by life (the screen's context),
// and returns it with the command that runs it and reads its first
// report. run is given a context that Cancel ends, and send, which hands
// a report to the screen (or drops it once life is done: nobody reads).
func StartJob(life context.Context, run func(ctx context.Context, send func(tea.Msg))) (*Job, tea.Cmd) {
	ctx, cancel := context.WithCancel(life)
	j := &Job{life: life, ch: make(chan tea.Msg, JobQueue), cancel: cancel, done: make(chan struct{})}
	send := func(msg tea.Msg) {
		select {
		case j.ch <- msg:
		case <-life.Done():
		}
	}
	runner := func() tea.Msg {
		defer close(j.done)
		defer cancel() // a finished job's context is released at once
		run(ctx, send)
		return nil
	}
	return j, tea.Batch(runner, j.Next())
}

// Next reads the job's next report.
func (j *Job) Next() tea.Cmd {
	return func() tea.Msg {
		select {
		case msg := <-j.ch:
			return msg
		case <-j.life.Done():
			return nil
		}
	}
}

// Cancel asks the job to stop.
func (j *Job) Cancel() { j.cancel() }

// Done is closed when the job returned.
func (j *Job) Done() <-chan struct{} { return j.done }

// Wait cancels the job and waits for it to return, at most until ctx is
// done; its reports, no longer read, are dropped so it can finish.
func (j *Job) Wait(ctx context.Context) {
	j.cancel()
	for {
		select {
		case <-j.ch:
		case <-j.done:
			return
		case <-ctx.Done():
			return
		}
	}
}
