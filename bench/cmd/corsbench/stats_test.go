package main

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPercentile(t *testing.T) {
	t.Parallel()
	hundred := make([]float64, 100)
	for i := range hundred {
		hundred[i] = float64(100 - i) // reversed: percentile must sort
	}
	for _, tc := range []struct {
		desc string
		xs   []float64
		p    float64
		want float64
	}{
		{desc: "p50 of 1..100", xs: hundred, p: 50, want: 50},
		{desc: "p95 of 1..100", xs: hundred, p: 95, want: 95},
		{desc: "p100 is the maximum", xs: hundred, p: 100, want: 100},
		{desc: "a tiny p is the minimum", xs: hundred, p: 0.1, want: 1},
		{desc: "one value", xs: []float64{7}, p: 95, want: 7},
		{desc: "nearest rank rounds up", xs: []float64{10, 20, 30}, p: 50, want: 20},
		{desc: "p95 of few values is the largest", xs: []float64{3, 1, 2}, p: 95, want: 3},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, percentile(tc.xs, tc.p))
		})
	}
	assert.True(t, math.IsNaN(percentile(nil, 50)))
	assert.Equal(t, float64(100), hundred[0], "percentile must not reorder its input")
}

func TestMedian(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		desc string
		xs   []float64
		want float64
	}{
		{desc: "odd count", xs: []float64{3, 1, 2}, want: 2},
		{desc: "even count averages the middle two", xs: []float64{4, 1, 3, 2}, want: 2.5},
		{desc: "one value", xs: []float64{9}, want: 9},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, median(tc.xs))
		})
	}
	assert.True(t, math.IsNaN(median(nil)))
}
