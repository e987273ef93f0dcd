package result

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
)

func TestMerge(t *testing.T) {
	t0 := time.Date(2026, 11, 27, 5, 0, 0, 0, time.UTC)
	a := &Run{Suites: []string{"api"}, Browser: "Chromium 156", Driver: "chromedp", Started: t0.Add(time.Second), DurationMS: 900,
		Records: []Record{{Name: "a1", Verdict: cors.VerdictAllowed, ExpectMet: true}, {Name: "a2", Verdict: cors.VerdictBlocked, ExpectMet: false}}}
	b := &Run{Suites: []string{"api", "auth"}, Browser: "Chromium 156", Driver: "chromedp", Started: t0, DurationMS: 1200,
		Records: []Record{{Name: "b1", Verdict: cors.VerdictBlocked, ExpectMet: true}}}
	m, err := Merge(a, b)
	require.NoError(t, err)
	assert.Equal(t, []string{"api", "auth"}, m.Suites)
	assert.Equal(t, "Chromium 156", m.Browser, "one browser stays one")
	assert.Equal(t, t0, m.Started, "the earliest start")
	assert.Equal(t, int64(1200), m.DurationMS, "shards run side by side")
	require.Len(t, m.Records, 3)
	assert.Equal(t, []string{"a1", "a2", "b1"}, []string{m.Records[0].Name, m.Records[1].Name, m.Records[2].Name})
	assert.Equal(t, 3, m.Totals.Cases)
	assert.Equal(t, 2, m.Totals.ByVerdict[cors.VerdictBlocked])
	assert.Equal(t, 1, m.Totals.ExpectFail)

	c := &Run{Browser: "Chromium 150", Records: []Record{{Name: "c"}}}
	m, err = Merge(a, c)
	require.NoError(t, err)
	assert.Equal(t, "Chromium 156, Chromium 150", m.Browser, "different browsers are listed")

	_, err = Merge()
	assert.Error(t, err)
}
