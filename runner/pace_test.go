package runner

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestPacer checks the slots a pacer hands out, not how long it sleeps:
// each caller takes the next slot, 1/rate after the one before.
func TestPacer(t *testing.T) {
	t.Parallel()
	assert.Nil(t, newPacer(0), "no rate, no pacing")
	var none *pacer
	none.wait(context.Background()) // a nil pacer never waits

	p := newPacer(4)
	assert.Equal(t, 250*time.Millisecond, p.every)
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // taken slots are kept, but nobody sleeps in the test
	before := time.Now()
	for range 3 {
		p.wait(ctx)
	}
	first := p.next.Add(-3 * p.every)
	assert.False(t, first.Before(before), "the first slot is now")
	assert.False(t, first.After(time.Now()))
}

func TestConfigRate(t *testing.T) {
	t.Parallel()
	assert.Error(t, (&Config{Rate: -1}).Validate())
	assert.NoError(t, (&Config{Rate: 2.5}).Validate())
}
