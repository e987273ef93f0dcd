package main

import (
	"bytes"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSchemaPrintsTheShippedFiles checks corsproof schema prints exactly
// the schema files in the repository, which editors fetch by URL.
func TestSchemaPrintsTheShippedFiles(t *testing.T) {
	t.Parallel()
	for kind, file := range map[string]string{"suite": "../../scenarios/suite.schema.json", "policy": "../../policy/policy.schema.json"} {
		var stdout, stderr bytes.Buffer
		require.Equal(t, ExitOK, Main([]string{"schema", kind}, &stdout, &stderr), stderr.String())
		want, err := os.ReadFile(file)
		require.NoError(t, err)
		assert.Equal(t, string(want), stdout.String(), kind)
	}
}
