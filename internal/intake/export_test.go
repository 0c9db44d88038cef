package intake

import "context"

// Test access to the processor's state.

// WaitIdle returns when the processing loop has ended, or ctx ends.
func (s *Store) WaitIdle(ctx context.Context) error {
	p := &s.proc
	for {
		p.mu.Lock()
		p.init()
		running, progress := p.running, p.progress
		p.mu.Unlock()
		if !running {
			return nil
		}
		select {
		case <-progress:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Held counts the deliveries held back.
func (s *Store) Held() int { return s.heldCount() }

// ReleaseHeld ends every hold now, as its time would, and kicks the loop.
func (s *Store) ReleaseHeld() {
	s.proc.mu.Lock()
	for id, h := range s.proc.held {
		h.until = h.until.AddDate(-1, 0, 0)
		s.proc.held[id] = h
	}
	s.proc.mu.Unlock()
	s.Kick()
}

// RetryScheduled tells whether a timer will kick the loop for the held.
func (s *Store) RetryScheduled() bool {
	s.proc.mu.Lock()
	defer s.proc.mu.Unlock()
	return s.proc.retry != nil
}
