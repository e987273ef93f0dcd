package compare

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

// sequence is a case with steps; preflighted[i] says whether step i sent
// a preflight, answered with maxAge.
func sequence(maxAge string, headers []map[string]string, preflighted ...bool) result.Record {
	rec := result.Record{Name: "poll", Suite: "s", Origin: "https://app.example.test", Verdict: "allowed"}
	for i, p := range preflighted {
		st := result.Record{Name: "step " + string(rune('1'+i)), Origin: rec.Origin, Verdict: "allowed",
			Request: scenarios.Request{Method: "PUT", URL: "http://127.0.0.1:1/x", Headers: headers[i]}}
		if p {
			st.Preflight = &result.Exchange{Method: "OPTIONS", Status: 204, ResponseHeaders: map[string]string{"Access-Control-Max-Age": maxAge}}
		}
		rec.Steps = append(rec.Steps, st)
	}
	rec.TakeLastStep()
	return rec
}

func TestDiffStepPreflights(t *testing.T) {
	t.Parallel()
	token := map[string]string{"X-Token": "a"}
	both := map[string]string{"X-Token": "a", "X-Other": "b"}
	t.Run("a new header", func(t *testing.T) {
		old := &result.Run{Records: []result.Record{sequence("600", []map[string]string{token, token}, true, false)}}
		now := &result.Run{Records: []result.Record{sequence("600", []map[string]string{token, both}, true, true)}}
		ch := Diff(old, now)
		require.Len(t, ch, 1)
		assert.Equal(t, []FieldChange{{Field: FieldStepPreflights, Old: "sent, not sent", New: "sent, sent"}}, ch[0].Fields[len(ch[0].Fields)-1:])
		assert.Equal(t, []string{"step 2 now sends a preflight: new header x-other"}, ch[0].Reasons)
		assert.Contains(t, ch[0].String(), "(step 2 now sends a preflight: new header x-other)")
	})
	t.Run("Max-Age changed", func(t *testing.T) {
		old := &result.Run{Records: []result.Record{sequence("600", []map[string]string{token, token}, true, false)}}
		now := &result.Run{Records: []result.Record{sequence("0", []map[string]string{token, token}, true, true)}}
		ch := Diff(old, now)
		require.Len(t, ch, 1)
		assert.Equal(t, []string{"step 2 now sends a preflight: Access-Control-Max-Age 600 → 0"}, ch[0].Reasons)
	})
	t.Run("the reverse", func(t *testing.T) {
		old := &result.Run{Records: []result.Record{sequence("0", []map[string]string{token, token}, true, true)}}
		now := &result.Run{Records: []result.Record{sequence("600", []map[string]string{token, token}, true, false)}}
		ch := Diff(old, now)
		require.Len(t, ch, 1)
		assert.Equal(t, []string{"step 2 no longer sends a preflight: Access-Control-Max-Age 0 → 600"}, ch[0].Reasons)
	})
	t.Run("unchanged", func(t *testing.T) {
		r := &result.Run{Records: []result.Record{sequence("600", []map[string]string{token, token}, true, false)}}
		assert.Empty(t, Diff(r, r))
	})
	t.Run("the browser ignored its preflight cache", func(t *testing.T) {
		// Firefox ESR 153 preflights every call despite Max-Age: the
		// model's reading (the cache covers it) is what should have
		// happened, not why the step sent one.
		a := &result.Run{Records: []result.Record{sequence("600", []map[string]string{token, token}, true, false)}}
		bRec := sequence("600", []map[string]string{token, token}, true, true)
		bRec.Steps[1].PreflightModel = &result.PreflightModel{AgreesWithBrowser: false}
		bRec.Steps[1].PreflightModel.Reason = "the result cached by step 1 covers it (0.0 s old, Max-Age 600.0 s)"
		b := &result.Run{Records: []result.Record{bRec}}
		m, err := NewMatrix(Column{Label: "c156", Run: a}, Column{Label: "ff", Run: b})
		require.NoError(t, err)
		require.Equal(t, 1, m.Differing())
		assert.Equal(t, []string{"ff: step 2 now sends a preflight: the browser did not use its preflight cache, although the result cached by step 1 covers it (0.0 s old, Max-Age 600.0 s)"}, m.Rows[0].Reasons)

		// And the reverse: served from the cache where the model wanted a preflight.
		aRec := sequence("600", []map[string]string{token, token}, true, true)
		cRec := sequence("600", []map[string]string{token, token}, true, false)
		cRec.Steps[1].PreflightModel = &result.PreflightModel{AgreesWithBrowser: false}
		cRec.Steps[1].PreflightModel.Sent = true
		cRec.Steps[1].PreflightModel.Reason = "the result cached by step 1 expired: it was 7.0 s old and Max-Age allowed 5.0 s"
		ch := Diff(&result.Run{Records: []result.Record{aRec}}, &result.Run{Records: []result.Record{cRec}})
		require.Len(t, ch, 1)
		assert.Equal(t, []string{"step 2 no longer sends a preflight: the browser answered it from its preflight cache, although the result cached by step 1 expired: it was 7.0 s old and Max-Age allowed 5.0 s"}, ch[0].Reasons)
	})
	t.Run("matrix", func(t *testing.T) {
		a := &result.Run{Records: []result.Record{sequence("600", []map[string]string{token, token}, true, false)}}
		b := &result.Run{Records: []result.Record{sequence("600", []map[string]string{token, token}, true, true)}}
		m, err := NewMatrix(Column{Label: "c150", Run: a}, Column{Label: "c156", Run: b})
		require.NoError(t, err)
		require.Equal(t, 1, m.Differing())
		assert.Contains(t, m.Rows[0].Fields, FieldStepPreflights)
		assert.Equal(t, []string{"c156: step 2 now sends a preflight"}, m.Rows[0].Reasons, "the same request and Max-Age: the browser changed")
	})
}

// TestDiffStepPreflightsNearExpiry: a call within the jitter of a cached
// result's expiry may or may not preflight from one run to the next (the
// browser's clock decides; the model marks it uncertain), so such a flip
// is not a change, for the steps nor for the case's own preflight (its
// last step's); a flip elsewhere still is.
func TestDiffStepPreflightsNearExpiry(t *testing.T) {
	t.Parallel()
	token := map[string]string{"X-Token": "a"}
	hs := []map[string]string{token, token, token}
	near := func(rec result.Record, steps ...int) result.Record {
		for _, i := range steps {
			rec.Steps[i].PreflightModel = &result.PreflightModel{CachedPreflight: cors.CachedPreflight{Sent: true, Cause: cors.CauseExpired, Uncertain: true,
				Reason: "the result cached by step 1 was 5.1 s old, within 250ms of its Max-Age 5.0 s: the browser's clock decides"}, AgreesWithBrowser: true}
		}
		return rec
	}
	old := &result.Run{Records: []result.Record{near(sequence("", hs, true, false, true), 2)}}
	now := &result.Run{Records: []result.Record{near(sequence("", hs, true, false, false), 2)}}
	assert.Empty(t, Diff(old, now), "the last step flipped near expiry")
	now = &result.Run{Records: []result.Record{sequence("", hs, true, false, false)}}
	assert.Empty(t, Diff(old, now), "uncertain on one side is enough")
	now = &result.Run{Records: []result.Record{near(sequence("", hs, true, true, false), 2)}}
	ch := Diff(old, now)
	require.Len(t, ch, 1, "step 2 flipped where the model was sure")
	assert.Equal(t, []string{"step 2 now sends a preflight"}, ch[0].Reasons)

	m, err := NewMatrix(Column{Label: "a", Run: old}, Column{Label: "b", Run: &result.Run{Records: []result.Record{near(sequence("", hs, true, false, false), 2)}}})
	require.NoError(t, err)
	assert.Zero(t, m.Differing(), "matrix: the same")
}
