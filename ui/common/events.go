package common

import (
	tea "charm.land/bubbletea/v2"

	"github.com/halab/halab/nodes/control"
)

// EventBatch is the most events one EventsMsg carries.
const EventBatch = 512

// EventsMsg is a batch of a lab's events, in arrival order.
type EventsMsg []control.Event

// StreamEndedMsg says the lab's event stream closed.
type StreamEndedMsg struct{}

// WaitEvents reads the next events from a lab's stream (lab.Watch): one,
// blocking, then whatever else is already waiting, up to EventBatch, so a
// burst costs one update and one render rather than one each.
func WaitEvents(ch <-chan control.Event) tea.Cmd {
	return func() tea.Msg {
		e, ok := <-ch
		if !ok {
			return StreamEndedMsg{}
		}
		batch := EventsMsg{e}
		for len(batch) < EventBatch {
			select {
			case e, ok := <-ch:
				if !ok {
					return batch
				}
				batch = append(batch, e)
			default:
				return batch
			}
		}
		return batch
	}
}
