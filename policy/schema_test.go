package policy

import (
	"encoding/json"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSchema(t *testing.T) {
	t.Parallel()
	var schema struct {
		Properties map[string]any `json:"properties"`
		Defs       struct {
			Route struct {
				Properties map[string]any `json:"properties"`
				Required   []string       `json:"required"`
			} `json:"route"`
		} `json:"$defs"`
	}
	require.NoError(t, json.Unmarshal(Schema(), &schema))
	keys := func(m map[string]any) []string {
		var out []string
		for k := range m {
			out = append(out, k)
		}
		sort.Strings(out)
		return out
	}
	sorted := func(s []string) []string {
		out := append([]string(nil), s...)
		sort.Strings(out)
		return out
	}
	// The schema documents exactly the keys the parser accepts.
	assert.Equal(t, sorted(policyKeys), keys(schema.Properties))
	assert.Equal(t, sorted(routeKeys), keys(schema.Defs.Route.Properties))
	assert.Equal(t, []string{"path"}, schema.Defs.Route.Required)
}
