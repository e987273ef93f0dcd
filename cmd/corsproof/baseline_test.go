package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/result"
)

func loadRun(t *testing.T, path string) *result.Run {
	t.Helper()
	run, src, err := result.Load(path)
	require.NoError(t, err)
	require.Equal(t, result.SourceRun, src)
	return run
}

func TestCheckBaseline(t *testing.T) {
	t.Parallel()
	// baseline-old.json and baseline-new.json are hand-made runs of the same
	// three cases on two browser builds with different timings; only
	// "custom header with credentials" changed (allowed → blocked).
	const changed = "  ~ demo / custom header with credentials: verdict allowed → blocked; cors_error none → HeaderDisallowedByPreflightResponse; failed_parameter none → x-token; status 200 → none"
	tests := []struct {
		desc     string
		run      string
		baseline string
		allow    bool
		wantErr  error
		want     []string
	}{
		{
			desc: "one changed case is reported and fails", run: "testdata/baseline-new.json", baseline: "testdata/baseline-old.json",
			wantErr: errExpectations,
			want: []string{
				"corsproof: baseline testdata/baseline-old.json (Chromium 150.0.7871.100, 2026-04-01 09:00 UTC): 1 case changed (this run 3 cases, baseline 3)",
				changed,
			},
		},
		{
			desc: "--allow-changes reports the change and passes", run: "testdata/baseline-new.json", baseline: "testdata/baseline-old.json", allow: true,
			want: []string{
				"corsproof: baseline testdata/baseline-old.json (Chromium 150.0.7871.100, 2026-04-01 09:00 UTC): 1 case changed (this run 3 cases, baseline 3) (allowed by --allow-changes)",
				changed,
			},
		},
		{
			desc: "the same run is no change", run: "testdata/baseline-old.json", baseline: "testdata/baseline-old.json",
			want: []string{"corsproof: baseline testdata/baseline-old.json (Chromium 150.0.7871.100, 2026-04-01 09:00 UTC): no changes in 3 cases"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			old, err := loadBaseline(tt.baseline)
			require.NoError(t, err)
			err = checkBaseline(loadRun(t, tt.run), old, tt.baseline, tt.allow, &b)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tt.want, strings.Split(strings.TrimRight(b.String(), "\n"), "\n"))
		})
	}
}

func TestCheckBaselineBadFile(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		desc, path, want string
	}{
		{"missing", "testdata/nope.json", "--baseline: reading saved run"},
		{"not a result", "baseline.go", "--baseline: baseline.go: not a JSON object"},
	} {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			_, err := loadBaseline(tt.path)
			var ue *usageError
			require.True(t, errors.As(err, &ue), "a bad baseline is a usage error: %v", err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}
