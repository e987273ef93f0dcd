package policy

import (
	"bytes"
	"encoding/json"
	"os"
	"sort"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/santhosh-tekuri/jsonschema/v6"
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

// TestSchemaValidatesPolicies validates every policy file in the repository
// that the parser accepts against the schema with a real JSON Schema
// validator, so an editor never flags a valid policy.
func TestSchemaValidatesPolicies(t *testing.T) {
	t.Parallel()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema()))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	require.NoError(t, c.AddResource("policy.schema.json", doc))
	sch, err := c.Compile("policy.schema.json")
	require.NoError(t, err)
	for _, f := range []string{"../examples/policy.yaml", "../testapi/default-policy.yaml", "../contract/testdata/divergent-policy.yaml"} {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		_, err = Parse(f, data)
		require.NoError(t, err, f)
		js, err := yaml.YAMLToJSON(data)
		require.NoError(t, err)
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
		require.NoError(t, err)
		assert.NoError(t, sch.Validate(inst), f)
	}
	// And a misspelt key is refused by both.
	bad := []byte("version: 1\nroutes:\n  - path: /x\n    allow_origin: ['*']\n")
	_, err = Parse("bad.yaml", bad)
	require.Error(t, err)
	js, err := yaml.YAMLToJSON(bad)
	require.NoError(t, err)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	require.NoError(t, err)
	assert.Error(t, sch.Validate(inst))
}
