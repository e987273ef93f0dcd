package scenarios

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestImportFile(t *testing.T) {
	ctx := context.Background()
	var ie *ImportError

	_, _, err := ImportFile(ctx, "har", "testdata/no-such.har", nil, 0, HAROptions{})
	require.True(t, errors.As(err, &ie), "%v", err)
	assert.Contains(t, ie.Reason, "no-such.har")
	assert.NotEmpty(t, ie.Hint())

	// The kind is refused before anything is read.
	_, _, err = ImportFile(ctx, "postman", "testdata/no-such.har", nil, 0, HAROptions{})
	require.True(t, errors.As(err, &ie), "%v", err)
	assert.Contains(t, ie.Reason, `"postman" is not a kind of input`)

	_, rep, err := ImportFile(ctx, "har", "-", strings.NewReader(`{"log":{"entries":[]}}`), 0, HAROptions{})
	require.ErrorIs(t, err, ErrNothingToReplay)
	require.True(t, errors.As(err, &ie))
	assert.Contains(t, ie.Hint(), "pass --origin", "no --origin was given")
	assert.NotNil(t, rep)

	s, _, err := ImportFile(ctx, "curl", "-", strings.NewReader(`curl 'https://api.example.test/v1/x' -H 'X-Trace: 1'`), 0, HAROptions{Origin: "https://app.example.test"})
	require.NoError(t, err)
	require.Len(t, s.Cases, 1)
	assert.Equal(t, "https://app.example.test", s.Cases[0].Origin)

	// Above the limit: a positioned problem naming the flag.
	_, _, err = ImportFile(ctx, "curl", "-", strings.NewReader(strings.Repeat("x", 100)), 10, HAROptions{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "--max-file-size")

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, _, err = ImportFile(cctx, "curl", "-", strings.NewReader("curl https://x.test"), 0, HAROptions{})
	require.ErrorIs(t, err, context.Canceled)
}
